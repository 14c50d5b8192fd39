"""Feeds the eco-map renderer (cases/ecomap.py) from a household overview (selectors.household_overview), and keeps
what it drew.

The drawing (matplotlib, most of the household page's time) is kept in Django's cache under a hash of everything
that feeds it: the EcoMap input itself, the drawing code's own source and the versions of the libraries that draw.
The cheap queries that build the input still run on every request, so the map changes exactly when anything drawn
changes, and there is no invalidation to forget.
"""

import hashlib
from functools import cache as once
from importlib.metadata import version
from pathlib import Path

from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import gettext as _

from core.svg import titled_svg

from .ecomap_input import EcoAgency, EcoMap, EcoMember, EcoRelation

KEPT_FOR = 60 * 60 * 24 * 30  # seconds; an entry is only ever outdated by a new key, so this just frees space
DRAWING_CODE = ("ecomap.py", "../core/svg.py")  # the modules whose source decides how a map looks


@once
def drawing_version() -> str:
    """The drawing code and its libraries, as one hash: a change to any of them gives every map a new key."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in DRAWING_CODE:
        digest.update((here / name).read_bytes())
    for library in ("matplotlib", "networkx"):
        digest.update(f"{library}={version(library)}".encode())
    return digest.hexdigest()[:16]


def ecomap_key(ecomap: EcoMap) -> str:
    """The cache key of a drawing: the input's repr (frozen dataclasses of str/bool/tuple: exact and stable)."""
    data = hashlib.sha256(repr(ecomap).encode()).hexdigest()
    return f"ecomap:{drawing_version()}:{data}"


def drawn_ecomap(ecomap: EcoMap, *, inline: bool) -> str:
    """The eco-map's SVG, drawn only if this exact input has not been drawn before (by any process)."""
    key = ecomap_key(ecomap)
    svg = caches["drawings"].get(key)
    if svg is None:
        from .ecomap import draw_ecomap  # matplotlib is loaded only when a map is really drawn

        svg = draw_ecomap(ecomap)
        caches["drawings"].set(key, svg, KEPT_FOR)
    return titled_svg(svg, css_class="ecomap", title=ecomap.title, inline=inline)


def household_ecomap(*, household, overview: dict, inline: bool = True) -> str:
    today = timezone.localdate()
    members = tuple(
        EcoMember(
            key=f"m{m.pk}", name=m.name, is_primary=m.is_primary, sex=m.sex,
            label=" ".join(filter(None, [m.relationship_note or str(m.get_relationship_display()), _("%(age)s歳") % {"age": m.age_on(today)} if m.age_on(today) is not None else ""])),
            deceased=m.deceased_on is not None, moved_out=m.moved_out_on is not None,
        )
        for m in overview["members"]
    )
    relations: dict[int, list[EcoRelation]] = {}
    agencies = {}
    for task in overview["tasks"]:
        agencies[task.agency.pk] = task.agency
        active = task.is_pending and task.case.is_open
        due = f" {task.due_on:%-m/%-d}まで" if task.due_on and active else ""
        relations.setdefault(task.agency.pk, []).append(EcoRelation(kind="task" if active else "past", label=f"{task.task}{due}"))
    for involvement in overview["involvement"]:
        agency = involvement.agency
        agencies[agency.pk] = agency
        if agency.pk not in relations:
            relations[agency.pk] = [EcoRelation(kind="support" if involvement.active else "past", label=involvement.what[0])]
    eco_agencies = tuple(
        EcoAgency(key=f"a{pk}", name=agency.name, field=agency.category.get_field_display(), relations=tuple(relations[pk]))
        for pk, agency in sorted(agencies.items(), key=lambda item: item[1].name)
    )
    title = _("世帯 #%(number)s のエコマップ") % {"number": household.pk}
    return drawn_ecomap(EcoMap(title=title, members=members, agencies=eco_agencies), inline=inline)
