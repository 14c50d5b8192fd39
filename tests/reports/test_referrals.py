"""The bureau's referral figures: counts per receiving category and ward, declines by reason, median days, overdue.

Expected figures are worked out by hand from the referrals each test lays down, not by the code under test.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import AgencyCategory
from referrals import services
from referrals.models import DeclineReason, Referral, ReferralKind
from reports.referrals import referral_report
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def _at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _referral(user, case, *, sent, due_days=7, **recipient):
    referral = services.referral_send(user=user, case=case, kind=ReferralKind.objects.get(municipality=None, name="つなぎ"),
                                      reason="依頼", **recipient)
    Referral.all_objects.filter(pk=referral.pk).update(sent_at=_at(sent), sent_on=sent, due_on=sent + dt.timedelta(days=due_days))
    return Referral.all_objects.get(pk=referral.pk)


def _answered(referral, user, action, *, days, **extra):
    services.referral_transition(user=user, referral=referral, action=action, **extra)
    Referral.all_objects.filter(pk=referral.pk).update(answered_at=referral.sent_at + dt.timedelta(days=days))


@pytest.fixture
def year_of_referrals(coordinator_kita, case_kita, kita, kita_houkatsu, agency_worker, nishinari, osaka):
    konkyu = AgencyFactory(ward=kita, category=AgencyCategory.objects.get(municipality=None, name="生活困窮担当"))
    from tests.factories import UserFactory

    konkyu_worker = UserFactory(username="konkyu", role="agency_worker", agency=konkyu)
    r1 = _referral(coordinator_kita, case_kita, sent=dt.date(2025, 5, 1), to_agency=konkyu)
    _answered(r1, konkyu_worker, "accept", days=2)
    r2 = _referral(coordinator_kita, case_kita, sent=dt.date(2025, 6, 1), to_agency=konkyu)
    _answered(r2, konkyu_worker, "decline", days=10,
              decline_reason=DeclineReason.objects.get(municipality=None, name="所管外（対象とならない）"))
    _referral(coordinator_kita, case_kita, sent=dt.date(2025, 7, 1), to_agency=kita_houkatsu)  # never answered
    r4 = _referral(coordinator_kita, case_kita, sent=dt.date(2025, 8, 1), to_ward=nishinari)
    services.referral_transition(user=coordinator_kita, referral=r4, action="withdraw", note="転居")
    _referral(coordinator_kita, case_kita, sent=dt.date(2025, 3, 31), to_agency=konkyu)  # FY2024: not counted
    return konkyu


def _plain(row):
    return {k: row[k] for k in ("label", "sent", "accepted", "declined", "withdrawn", "waiting", "completed", "overdue",
                                "median_days")}


def test_figures_per_receiving_category(year_of_referrals, osaka):
    report = referral_report(municipality=osaka, fiscal_year=2025, today=dt.date(2026, 1, 10)).to_json()
    assert [_plain(r) for r in report["by_category"]] == [
        {"label": "地域包括支援センター", "sent": 1, "accepted": 0, "declined": 0, "withdrawn": 0, "waiting": 1,
         "completed": 0, "overdue": 1, "median_days": None},
        {"label": "生活困窮担当", "sent": 2, "accepted": 1, "declined": 1, "withdrawn": 0, "waiting": 0, "completed": 0,
         "overdue": 1, "median_days": 6.0},  # answered after 2 and 10 days; the second after its 7-day due date
        {"label": "区役所（つながる体制推進員）", "sent": 1, "accepted": 0, "declined": 0, "withdrawn": 1, "waiting": 0,
         "completed": 0, "overdue": 0, "median_days": None},
    ]
    assert _plain(report["total"]) == {"label": "計", "sent": 4, "accepted": 1, "declined": 1, "withdrawn": 1, "waiting": 1,
                                       "completed": 0, "overdue": 2, "median_days": 6.0}
    assert report["declines"] == [{"label": "所管外（対象とならない）", "count": 1}]
    assert [(r["label"], r["sent"]) for r in report["by_ward"]] == [("北区", 4)]
    assert report["label"] == "令和7年度"


def test_a_ward_with_no_referrals_and_an_unanswered_referral_not_yet_due(year_of_referrals, osaka, nishinari):
    empty = referral_report(municipality=osaka, fiscal_year=2025, ward=nishinari, today=dt.date(2026, 1, 10)).to_json()
    assert empty["by_category"] == [] and empty["total"]["sent"] == 0 and empty["total"]["median_days"] is None
    before_due = referral_report(municipality=osaka, fiscal_year=2025, today=dt.date(2025, 7, 3)).to_json()
    assert before_due["total"]["overdue"] == 1  # only the late decline; the July referral is not yet due


def test_the_query_count_does_not_grow_with_the_referrals(year_of_referrals, coordinator_kita, case_kita, osaka,
                                                         django_assert_num_queries):
    with django_assert_num_queries(4):
        referral_report(municipality=osaka, fiscal_year=2025).to_json()
    for n in range(10):
        _referral(coordinator_kita, case_kita, sent=dt.date(2025, 9, 1 + n), to_agency=year_of_referrals)
    with django_assert_num_queries(4):
        referral_report(municipality=osaka, fiscal_year=2025).to_json()


def test_the_page_shows_counts_and_no_resident(client, bureau, year_of_referrals, case_kita):
    client.force_login(bureau)
    response = client.get(reverse("reports:referrals"), {"fy": 2025})
    page = response.content.decode()
    assert response.status_code == 200 and "生活困窮担当" in page and "所管外（対象とならない）" in page
    assert not [m.name for m in case_kita.household.members.all() if m.name in page]
    assert client.get(reverse("reports:referrals"), {"fy": "abc"}).status_code == 400
