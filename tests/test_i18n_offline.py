"""Japanese first, English complete, and nothing fetched from outside (DOMAIN.md §8; DEVELOPERS non-negotiable 5)."""

import gettext
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _unquote(line):
    return line[line.index('"') + 1 : line.rindex('"')].encode().decode("unicode_escape").encode("latin-1").decode()


def po_entries(path):
    """msgid → msgstr (plural forms: msgid → msgstr[0]) from a .po file; enough of the format for our catalog."""
    entries, current, field = {}, {}, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current.get("msgid"):
                entries[current["msgid"]] = current.get("msgstr", current.get("msgstr[0]", ""))
            current, field = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and field:
            current[field] += _unquote(line)
        else:
            field = line.split(" ", 1)[0]
            current[field] = _unquote(line)
    return entries


def test_every_message_has_an_english_translation():
    untranslated = [msgid for msgid, msgstr in po_entries(PO).items() if not msgstr]
    assert untranslated == []


def test_the_compiled_catalog_matches_the_source_catalog():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstr in po_entries(PO).items() if compiled.gettext(msgid) != msgstr]
    assert stale == [], "run `make messages` to recompile locale/en"


OUTSIDE = re.compile(r"""(?:src|href|url\()\s*=?\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(ROOT) for folder in ("templates", "static") for p in (ROOT / folder).rglob("*") if p.is_file()),
    ids=str,
)
def test_no_template_or_asset_points_at_another_host(path):
    text = (ROOT / path).read_text(encoding="utf-8", errors="ignore")
    assert not OUTSIDE.search(text), f"{path} loads something from another host"
