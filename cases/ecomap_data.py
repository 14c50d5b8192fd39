"""Feeds the eco-map renderer (cases/ecomap.py) from a household overview (selectors.household_overview)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from .ecomap import EcoAgency, EcoMap, EcoMember, EcoRelation, render_ecomap


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
    return render_ecomap(EcoMap(title=title, members=members, agencies=eco_agencies), inline=inline)
