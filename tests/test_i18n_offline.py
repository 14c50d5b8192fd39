"""Japanese first, English complete, and nothing fetched from outside (DOMAIN.md §8; DEVELOPERS non-negotiable 5)."""

import datetime as dt
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import AgencyFactory
from tests.reports.test_annual import held

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _unquote(line):
    return line[line.index('"') + 1 : line.rindex('"')].encode().decode("unicode_escape").encode("latin-1").decode()


def po_entries(path):
    """msgid → msgstr (plural forms: msgid → msgstr[0]) from a .po file; enough of the format for our catalog.
    A msgid with a context is keyed as the compiled catalog keys it: the context, EOT (\\x04), the msgid."""
    entries, current, field = {}, {}, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current.get("msgid"):
                key = f"{current['msgctxt']}\x04{current['msgid']}" if "msgctxt" in current else current["msgid"]
                entries[key] = current.get("msgstr", current.get("msgstr[0]", ""))
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


@pytest.fixture
def english(client):
    """The reader chose English (the language cookie); Japanese again for the next test."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield client
    translation.activate(settings.LANGUAGE_CODE)


def test_year_on_year_words_and_lists_of_agencies_are_written_in_the_readers_language(
        client, english, bureau, coordinator_kita, kita, case_kita):
    held(coordinator_kita, kita, day=dt.date(2020, 6, 1))
    held(coordinator_kita, kita, day=dt.date(2021, 6, 1))

    def activities(year):
        client.force_login(bureau)
        return client.get(reverse("reports:activities"), {"start": f"{year}-04-01", "end": f"{year}-06-30"}).content.decode()

    council, centre = AgencyFactory(ward=kita, name="北区社会福祉協議会"), AgencyFactory(ward=kita, name="北区ボランティアセンター")

    def plan_refused():
        """The plan form's refusal: neither agency is covered by a consent."""
        client.force_login(coordinator_kita)
        response = client.post(reverse("cases:plan_create", args=[case_kita.pk]), {
            "kind": "revision", "goals": "見直し", "decided_on": "2021-09-01",
            "tasks-TOTAL_FORMS": "2", "tasks-INITIAL_FORMS": "0", "tasks-MIN_NUM_FORMS": "0", "tasks-MAX_NUM_FORMS": "1000",
            "tasks-0-agency": council.pk, "tasks-0-task": "サロンへの参加支援",
            "tasks-1-agency": centre.pk, "tasks-1-task": "ボランティアの紹介"})
        assert response.status_code == 400
        return response.content.decode().split('<section class="card next-steps">', 1)[1].split("</section>", 1)[0]

    pages = {year: activities(year) for year in (2019, 2020, 2021, 2022)}
    assert "1 (same months last fiscal year: 0; up)" in pages[2020]
    assert "1 (same months last fiscal year: 1; about the same)" in pages[2021]
    assert "0 (same months last fiscal year: 1; down)" in pages[2022]
    assert pages[2019].count("0 (same months last fiscal year: 0; cannot be compared)") == 2  # consultations too
    for page in pages.values():
        assert not re.search("比較できません|増加|同程度|減少", page)
    refusal = plan_refused()
    assert "北区ボランティアセンター, 北区社会福祉協議会 cannot be given a task" in refusal and "、" not in refusal

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    assert "1 回（昨年度同月 0 回、増加）" in activities(2020)
    assert "1 回（昨年度同月 1 回、同程度）" in activities(2021)
    assert "0 回（昨年度同月 1 回、減少）" in activities(2022)
    assert "0 回（昨年度同月 0 回、比較できません）" in activities(2019)
    assert "北区ボランティアセンター、北区社会福祉協議会には、本人の" in plan_refused()
