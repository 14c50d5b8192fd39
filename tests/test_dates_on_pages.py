"""No ISO date reaches a reader (#14 item 9): the main pages of every role, rendered with dates on them, show
dates as 和暦 (令和2年5月12日, 令和8年5月), never 2020-05-12 or 2026-05.

Only what a person reads is scanned: text between tags, <title> and <option> labels included. Attributes
(<input value>, <option value>, href, data-*), <script>/<style> and <textarea> contents are machines' business
and may stay ISO. With the 和暦 style (the default) a 西暦 date such as 2020年5月12日 is a miss too: a date
that did not go through core.wareki.
"""

import datetime as dt
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from core import wareki
from ledger.importer import import_ledger
from ledger.parsing import LedgerFile
from meetings import services as meeting_services
from referrals.models import ReferralKind
from tests.conftest import LEDGER_CSV_KITA
from tests.factories import HouseholdFactory, HouseholdMemberFactory

pytestmark = pytest.mark.django_db

ISO = re.compile(r"(?<![\d-])\d{4}-\d{2}(?:-\d{2})?(?![\d-])")
SEIREKI = re.compile(r"(?<!\d)\d{4}年\d{1,2}月")


class VisibleText(HTMLParser):
    """The text a reader sees: data outside <script>, <style> and <textarea>; no attribute values."""

    HIDDEN = {"script", "style", "textarea"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


# The preferences page shows what the 西暦 style looks like.
STYLE_EXAMPLE = "西暦（2020年5月12日）"


def iso_dates_in(html: str, *, wareki: bool = True) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for text in parser.parts:
        for pattern in (ISO, SEIREKI) if wareki and STYLE_EXAMPLE not in text else (ISO,):
            found += [f"{m.group()} in 「{text[:80]}」" for m in pattern.finditer(text)]
    return found


def test_the_scanner_sees_text_and_skips_attributes_inputs_and_scripts():
    page = ('<title>2020-05-12</title><input value="2020-05-12"><option value="2020-05">令和2年5月</option>'
            '<a href="?d=2020-05-12" data-day="2020-05-12">R2</a><script>var d = "2020-05-12";</script>'
            '<textarea>2020-05-12</textarea><td>2026-05</td><p>2020年5月12日</p><p>06-1234-5678 R2-0001</p>')
    assert [hit.split(" ")[0] for hit in iso_dates_in(page)] == ["2020-05-12", "2026-05", "2020年5月"]


# ------------------------------------------------------------------------------------------------ the pages


@pytest.fixture
def held_meeting(coordinator_kita, kita, case_kita, kita_houkatsu):
    meeting = meeting_services.meeting_schedule(
        user=coordinator_kita, ward=kita, kind=meeting_kita_kind(), basis=basis("地域ケア会議"),
        starts_at=timezone.make_aware(dt.datetime(2020, 9, 10, 14)), cases=[case_kita], agencies=[kita_houkatsu],
    )
    return meeting_services.meeting_record(
        user=coordinator_kita, meeting=meeting, version=meeting.version, decisions="月2回訪問",
        attended_agencies=[kita_houkatsu], attendees=[{"name": "包括 花子", "agency": kita_houkatsu}],
        next_review_on=dt.date(2020, 12, 1),
        tasks=[{"case": case_kita, "agency": kita_houkatsu, "task": "訪問", "due_on": dt.date(2020, 10, 1)}],
    )


def meeting_kita_kind():
    from meetings.models import MeetingKind

    return MeetingKind.objects.get(name="つながる場")


def basis(name):
    from meetings.models import MeetingBasis

    return MeetingBasis.objects.get(name=name)


@pytest.fixture
def dated_world(osaka, kita, coordinator_kita, household_kita, case_kita, consent_kita, consultation_kita, meeting_kita,
                held_meeting, activity_kita, referral_kita, import_job_kita, administrator):
    """Something dated on every page: a member with a birth date, a closed issue, a consultation, meetings held
    and to come, a referral with its due date, an imported ledger (2020) and a ledger import waiting."""
    member = household_kita.members.get(is_primary=True)
    HouseholdMemberFactory(household=household_kita, name="北村 三郎", name_kana="きたむら さぶろう", is_primary=False,
                           relationship="子", birth_date=dt.date(1990, 4, 1))
    import_ledger(municipality=osaka, file=LedgerFile.from_bytes("台帳.csv", LEDGER_CSV_KITA.encode()),
                  user=administrator)
    twin = HouseholdFactory(ward=kita)
    HouseholdMemberFactory(household=twin, name="北村 一朗", name_kana="きたむら いちろう")
    case_services.household_merge(user=coordinator_kita, source=twin, target=household_kita, reason="同じ世帯")
    return {"member": member, "case": case_kita, "household": household_kita, "meeting": held_meeting,
            "upcoming": meeting_kita, "activity": activity_kita, "referral": referral_kita, "job": import_job_kita}


def _pages(o):
    """(role, url): the main pages, each opened by a role that may read it."""
    case, household, referral = o["case"], o["household"], o["referral"]
    today = timezone.localdate()
    fy_start = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    return [
        ("coordinator_kita", reverse("home:dashboard")),
        ("coordinator_kita", reverse("cases:household_list")),
        ("coordinator_kita", reverse("cases:household_detail", args=[household.pk])),
        ("coordinator_kita", reverse("cases:household_edit", args=[household.pk])),
        ("coordinator_kita", reverse("cases:household_ecomap", args=[household.pk])),
        ("coordinator_kita", reverse("cases:household_merge", args=[household.pk])),
        ("coordinator_kita", reverse("cases:household_create")),
        ("coordinator_kita", reverse("cases:member_create", args=[household.pk])),
        ("coordinator_kita", reverse("cases:member_edit", args=[o["member"].pk])),
        ("coordinator_kita", reverse("cases:case_create", args=[household.pk])),
        ("coordinator_kita", reverse("cases:case_list")),
        ("coordinator_kita", reverse("cases:case_detail", args=[case.pk])),
        ("coordinator_kita", reverse("cases:case_edit", args=[case.pk])),
        ("coordinator_kita", reverse("cases:consent_create", args=[case.pk])),
        ("coordinator_kita", reverse("cases:plan_create", args=[case.pk])),
        ("coordinator_kita", reverse("meetings:meeting_list")),
        ("coordinator_kita", reverse("meetings:meeting_detail", args=[o["meeting"].pk])),
        ("coordinator_kita", reverse("meetings:meeting_detail", args=[o["upcoming"].pk])),
        ("coordinator_kita", reverse("meetings:meeting_print", args=[o["meeting"].pk])),
        ("coordinator_kita", reverse("meetings:meeting_edit", args=[o["upcoming"].pk])),
        ("coordinator_kita", reverse("meetings:meeting_record", args=[o["upcoming"].pk])),
        ("coordinator_kita", reverse("meetings:meeting_create")),
        ("coordinator_kita", reverse("meetings:activity_list")),
        ("coordinator_kita", reverse("meetings:activity_create")),
        ("coordinator_kita", reverse("meetings:activity_edit", args=[o["activity"].pk])),
        ("coordinator_kita", reverse("referrals:referral_list") + "?box=ward"),
        ("coordinator_kita", reverse("referrals:referral_detail", args=[referral.pk])),
        ("coordinator_kita", reverse("referrals:referral_sheet", args=[referral.pk])),
        ("coordinator_kita", reverse("referrals:referral_create") + f"?case={case.pk}"),
        ("coordinator_kita", reverse("ledger:import_list")),
        ("coordinator_kita", reverse("ledger:import_detail", args=[o["job"].pk])),
        ("coordinator_kita", reverse("ledger:export")),
        ("coordinator_kita", reverse("accounts:preferences")),
        ("agency_worker", reverse("home:dashboard")),
        ("agency_worker", reverse("referrals:referral_list")),
        ("agency_worker", reverse("referrals:referral_detail", args=[referral.pk])),
        ("agency_worker", reverse("referrals:notification_list")),
        ("agency_worker", reverse("referrals:referral_return", args=[referral.pk])),
        ("agency_worker", reverse("cases:task_detail", args=[case.tasks.order_by("pk").first().pk])),
        ("agency_worker", reverse("meetings:meeting_detail", args=[o["upcoming"].pk])),
        ("supervisor", reverse("home:dashboard")),
        ("supervisor", reverse("meetings:meeting_list")),
        ("bureau", reverse("home:dashboard")),
        ("bureau", reverse("reports:overview")),
        ("bureau", reverse("reports:annual") + "?fy=2020"),
        ("bureau", reverse("reports:activities") + f"?start={fy_start}&end={today}"),
        ("bureau", reverse("reports:referrals") + f"?fy={fy_start.year}"),
        ("auditor", reverse("audit:event_list")),
        ("administrator", reverse("ledger:import_list")),
        ("administrator", reverse("admin:ledger_ledgerimport_changelist")),
        ("administrator", reverse("admin:accounts_user_changelist")),
        ("administrator", reverse("admin:reports_reportlayout_changelist")),
        ("administrator", reverse("admin:cases_householdmerge_changelist")),
        ("administrator", reverse("admin:accounts_user_change", args=[o["coordinator"].pk])),
        ("administrator", reverse("admin:accounts_user_history", args=[o["coordinator"].pk])),
    ]


def test_no_page_shows_an_iso_date(client, cast, dated_world):
    coordinator = cast["coordinator_kita"]
    client.force_login(coordinator)  # a last login for the admin's user page
    LogEntry.objects.create(user=cast["administrator"], content_type=ContentType.objects.get_for_model(coordinator),
                            object_id=str(coordinator.pk), object_repr=str(coordinator), action_flag=CHANGE,
                            change_message="[]")
    found = {}
    for role, url in _pages({**dated_world, "coordinator": coordinator}):
        client.force_login(cast[role])
        response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        if hits := iso_dates_in(response.content.decode()):
            found[f"{role} {url}"] = hits
    assert found == {}, "ISO dates on pages:\n" + "\n".join(f"{page}: {hits}" for page, hits in found.items())


def test_the_seireki_style_shows_seireki_dates_but_still_no_iso(client, coordinator_kita, dated_world):
    coordinator_kita.date_style = "seireki"
    coordinator_kita.save(update_fields=["date_style"])
    client.force_login(coordinator_kita)
    page = client.get(reverse("cases:case_detail", args=[dated_world["case"].pk])).content.decode()
    text = visible_text(page)
    assert "2020年5月12日" in text and "令和2年5月12日" not in text  # (a box's placeholder still shows 和暦 can be typed)
    assert iso_dates_in(page, wareki=False) == []
    # Written in Python during the request (core.middleware.DateStyleMiddleware), not in the template:
    page = client.get(reverse("cases:household_detail", args=[dated_world["household"].pk])).content.decode()
    assert "2020年9月10日 のつながる場に出席" in visible_text(page)


# ------------------------------------------------------------------------------------------------ written in Python


def test_the_message_after_sending_a_referral_gives_its_due_date_in_wareki(client, coordinator_kita, case_kita,
                                                                           kita_houkatsu):
    due = timezone.localdate() + dt.timedelta(days=10)
    typed = f"R{due.year - 2018}.{due.month}.{due.day}"  # typed the short way; the message writes it out
    client.force_login(coordinator_kita)
    response = client.post(reverse("referrals:referral_create"), {
        "case": case_kita.pk, "kind": ReferralKind.objects.get(municipality=None, name="つなぎ").pk,
        "recipient": f"agency:{kita_houkatsu.pk}", "reason": "見守りの強化をお願いしたい。", "sharing_basis": "none",
        "due_on": typed,
    }, follow=True)
    page = response.content.decode()
    assert f"回答期限は{wareki.format_wareki(due)}です" in page
    assert iso_dates_in(page) == []


def test_a_refused_stale_edit_says_when_in_wareki(client, coordinator_kita, household_kita):
    client.force_login(coordinator_kita)
    url = reverse("cases:household_edit", args=[household_kita.pk])
    form = {"address": "大阪市北区1-1", "phone": "06-1111-2222", "note": "", "version": household_kita.version}
    assert client.post(url, form).status_code == 302
    page = client.post(url, {**form, "address": "大阪市北区2-2"}).content.decode()  # from the version before
    assert re.search(r"令和\d+年\d+月\d+日 \d\d:\d\dにこの情報を更新したため", page)
    assert iso_dates_in(page) == []


def test_downloads_are_named_with_the_wareki_fiscal_year(client, bureau, coordinator_kita, osaka, kita, administrator):
    import_ledger(municipality=osaka, file=LedgerFile.from_bytes("台帳.csv", LEDGER_CSV_KITA.encode()), user=administrator)
    client.force_login(bureau)
    response = client.get(reverse("reports:annual_xlsx"), {"fy": 2020})
    assert quote("つながる場_令和2年度_全区.xlsx") in response["Content-Disposition"]
    client.force_login(coordinator_kita)
    response = client.get(reverse("ledger:export"), {"ward": kita.pk, "fiscal_year": 2020, "format": "csv"})
    assert quote("開催台帳_北区_令和2年度.csv") in response["Content-Disposition"]


def test_the_admin_writes_dates_as_everywhere_else(client, administrator, dated_world):
    from cases.models import HouseholdMerge

    client.force_login(administrator)
    merge = HouseholdMerge.objects.get()
    when = wareki.format_datetime(merge.merged_at)
    listed = visible_text(client.get(reverse("admin:cases_householdmerge_changelist")).content.decode())
    shown = visible_text(client.get(reverse("admin:cases_householdmerge_change", args=[merge.pk])).content.decode())
    assert when in listed and when in shown
