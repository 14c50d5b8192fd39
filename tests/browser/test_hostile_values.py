"""Stored script is shown, never run (#15 item 12): values that would run script if a page put them out as
markup — in a member's name, a household's address and note, a consultation, a meeting, a referral and an
agency's name — are written through the services and factories, and the pages that show them are opened in
headless Chromium. No dialog opens, the flag the payloads would set stays unset, and each value is on the page
as the text that was typed."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import services as case_services
from meetings import services as meeting_services
from meetings.models import MeetingBasis, MeetingKind
from referrals import services as referral_services
from referrals.models import ReferralKind
from tests.browser.conftest import log_in, screenshot
from tests.factories import TEST_PASSWORD, AgencyFactory, HouseholdFactory, HouseholdMemberFactory

pytestmark = pytest.mark.browser


def payload(key: str) -> str:
    """Markup that would set window.__pwned and open a dialog, were it ever markup (under 100 characters)."""
    return f"<script>window.__pwned='{key}';alert(1)</script><img src=x onerror=\"window.__pwned='{key}'\">"


VALUES = {key: payload(key) for key in ("member", "address", "note", "consultation", "title", "place", "referral",
                                        "agency")}
# A name that would be math text to matplotlib (the eco-map) and an attribute break-out.
ODD_NAME = "山田$\\frac{1$\"'><svg onload=alert(3)>"


@pytest.fixture
def hostile_world(coordinator_kita, kita, kita_houkatsu):
    agency = AgencyFactory(ward=kita, name=VALUES["agency"])
    household = HouseholdFactory(ward=kita, address=VALUES["address"], note=VALUES["note"])
    HouseholdMemberFactory(household=household, name=VALUES["member"], name_kana="きけん たろう")
    HouseholdMemberFactory(household=household, name=ODD_NAME, name_kana="やまだ はなこ", is_primary=False,
                           relationship="spouse")
    case = case_services.case_open(user=coordinator_kita, household=household, received_on=dt.date(2020, 5, 12),
                                   intake_channel="phone")
    case_services.consultation_record(user=coordinator_kita, case=case, method="phone",
                                      summary=VALUES["consultation"],
                                      held_at=timezone.now() - dt.timedelta(days=1), agencies=[agency])
    case_services.consent_record(user=coordinator_kita, member=household.members.get(is_primary=True),
                                 purpose="sharing", obtained_on=dt.date(2020, 5, 20), method="written",
                                 all_agencies=True)
    meeting = meeting_services.meeting_schedule(
        user=coordinator_kita, ward=kita, kind=MeetingKind.objects.get(name="つながる場"),
        basis=MeetingBasis.objects.get(name="地域ケア会議"), starts_at=timezone.now() + dt.timedelta(days=7),
        title=VALUES["title"], place=VALUES["place"], agencies=[agency, kita_houkatsu], cases=[case])
    referral = referral_services.referral_send(
        user=coordinator_kita, case=case, kind=ReferralKind.objects.get(municipality=None, name="つなぎ"),
        reason=VALUES["referral"], to_agency=kita_houkatsu, shares=["identity"], sharing_basis="consent")
    return {"household": household, "case": case, "meeting": meeting, "referral": referral}


def test_script_stored_in_every_kind_of_record_is_shown_as_text_and_never_runs(page, coordinator_kita,
                                                                               hostile_world):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, "kita_coordinator", TEST_PASSWORD)
    pages = {
        f"/households/{hostile_world['household'].pk}/": ("member", "address", "note", "agency"),
        f"/cases/{hostile_world['case'].pk}/": ("member", "consultation", "agency"),
        f"/meetings/{hostile_world['meeting'].pk}/": ("title", "place", "agency"),
        f"/referrals/{hostile_world['referral'].pk}/": ("referral",),
        "/cases/?status=all": ("member",),
        "/": (),
    }
    for url, shown in pages.items():
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("load")
        assert page.evaluate("() => window.__pwned") is None, url
        assert page.locator('script:not([src]):not([type="application/json"])').count() == 0, url  # no script element came from the data
        text = page.evaluate("() => document.body.innerText")
        missing = [key for key in shown if VALUES[key] not in text]
        assert missing == [], f"{url}: not shown as typed: {missing}"
    page.goto(f"/households/{hostile_world['household'].pk}/")
    assert ODD_NAME in page.evaluate("() => document.body.innerText")
    screenshot(page, "hostile-values-household")
    assert dialogs == []
