"""The demo's past years reproduce the source documents' figures (DOMAIN.md §6, ../shared/golden)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from agencies.models import Municipality
from cases.models import Case, Consent, Consultation, Household
from meetings.models import Activity, Meeting, MeetingCase, MeetingCaseIssue, MeetingStatus
from meetings.services import meeting_consent
from reports.activities import activity_report
from reports.annual import annual_report
from tests.golden import golden

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def osaka() -> Municipality:
    return Municipality.objects.get(code="271004")


def only_golden_keys(rows: list[dict], expected: list[dict]) -> list[dict]:
    return [{key: row.get(key) for key in want} for row, want in zip(rows, expected, strict=False)]


def test_the_demo_reproduces_seed_000s_tsunagaru_tables_for_r1_and_r2():
    expected = golden("osaka_tsunagaru_r1_r2.json")
    seed()

    report = annual_report(municipality=osaka(), fiscal_year=2020, compare=2019).to_json()

    assert report["fiscal_years"] == expected["fiscal_years"]
    assert report["labels"] == expected["labels"]
    assert report["meetings"] == expected["meetings"]
    assert report["footnotes"] == expected["footnotes"]
    assert set(expected["tables"]) <= set(report["tables"])
    for name, want in expected["tables"].items():
        got = report["tables"][name]
        if isinstance(want, list):
            assert [row["label"] for row in got] == [row["label"] for row in want], name
            assert only_golden_keys(got, want) == want, name
        else:
            assert got == want, name


def test_the_demo_reproduces_seed_001s_activity_table_for_april_2022_to_january_2023():
    expected = golden("osaka_activities_r4.json")
    seed()

    report = activity_report(municipality=osaka(), start=dt.date(2022, 4, 1), end=dt.date(2023, 1, 31)).to_json()

    assert report["period"] == expected["period"]
    assert report["rows"] == expected["rows"]
    assert report["consultations_vs_same_months_last_year"] == expected["consultations_vs_same_months_last_year"] == 1.61
    assert report["tsunagaru_ba_vs_same_months_last_year"] == "同程度"
    assert expected["tsunagaru_ba_vs_same_months_last_year"].startswith("同程度")
    assert report["trainings"]["count"] >= 7
    assert report["tools"]["count"] == 4
    # Spread over every month of the period, in both years.
    assert len(report["consultations_by_month"]["current"]) == 10
    assert len(report["consultations_by_month"]["previous"]) == 10


def history_counts() -> dict:
    return {
        "households": Household.all_objects.count(), "cases": Case.all_objects.count(),
        "meetings": Meeting.all_objects.count(), "discussions": MeetingCase.objects.count(),
        "issues": MeetingCaseIssue.objects.count(), "consents": Consent.objects.count(),
        "consultations": Consultation.objects.count(), "activities": Activity.all_objects.count(),
    }


def test_every_past_meeting_keeps_the_consent_rule_and_a_second_run_creates_nothing():
    first_output = seed()
    discussions = list(
        MeetingCase.objects.filter(meeting__status=MeetingStatus.HELD)
        .select_related("meeting__basis", "case__household", "consent")
        .prefetch_related("meeting__agency_links__agency")
    )
    needing_consent = [d for d in discussions if d.meeting.basis.requires_consent]

    assert len(needing_consent) >= 16 + 29
    for discussion in needing_consent:
        meeting = discussion.meeting
        present = [link.agency for link in meeting.agency_links.all() if link.attended]
        consent, problems = meeting_consent(case=discussion.case, basis=meeting.basis, day=meeting.held_on, agencies=present)
        assert problems == [], discussion.case.number
        assert discussion.consent_id == consent.pk
        assert discussion.consent.purpose == "meeting" and discussion.consent.obtained_on <= meeting.held_on
    for discussion in discussions:  # a case is never discussed after it was closed
        assert discussion.case.closed_on is None or discussion.case.closed_on >= discussion.meeting.held_on
        assert discussion.case.ward_id == discussion.meeting.ward_id
    assert Meeting.all_objects.filter(held_on__lt=dt.date(2023, 4, 1)).values("ward").distinct().count() == 24
    before = history_counts()

    second_output = seed()

    assert history_counts() == before
    assert "過去の実績" in first_output and "既にあります" in second_output.split("過去の実績")[1].splitlines()[0]
