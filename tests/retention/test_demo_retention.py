"""Retention on the demo city (seed_demo): the R元/R2 つながる場 tables and the R4 activity table still reproduce the
source documents (../shared/golden), every other figure is unchanged, and the expired households' names are gone."""

import datetime as dt
import resource
import time
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from agencies.models import Municipality
from cases.models import Household, HouseholdMember
from meetings.models import MeetingAttendee
from reports.activities import activity_report
from reports.annual import annual_report
from retention.services import apply_retention, retention_plan
from tests.golden import golden
from tests.retention import probe

pytestmark = pytest.mark.django_db


def _identifying(household_ids) -> set[str]:
    """Full names, readings, addresses and phones of these households, live and in their history."""
    found: set[str] = set()
    for manager in (HouseholdMember.objects, HouseholdMember.history.model.objects):
        for name, kana in manager.filter(household_id__in=household_ids).values_list("name", "name_kana"):
            found |= {name, kana}
    for manager in (Household.all_objects, Household.history.model.objects):
        for address, phone in manager.filter(id__in=household_ids).values_list("address", "phone"):
            found |= {address, phone}
    return {text for text in found if len(text) >= 4}


def test_the_golden_tables_and_every_figure_survive_and_the_expired_names_are_gone():
    call_command("seed_demo", stdout=StringIO())
    osaka = Municipality.objects.get(code="271004")
    expired = [p.household_id for p in retention_plan(municipality=osaka).households]
    kept = Household.all_objects.filter(municipality=osaka).exclude(pk__in=expired).values_list("pk", flat=True)
    # What only the expired households have: a demo name may be shared by chance with someone who stays, or be part
    # of theirs (林 くみ子 in 小林 くみ子), and the probe looks for parts.
    # Staff (meeting attendees, users) are drawn from the same list of names and stay too.
    staff = {*MeetingAttendee.objects.values_list("name", flat=True),
             *(f"{u.last_name} {u.first_name}" for u in User.objects.all())}
    staying = _identifying(list(kept)) | staff
    names = {name for name in _identifying(expired) if not any(name in other for other in staying)}
    assert len(expired) > 100 and len(names) > 300
    before = probe.figures(osaka, per_ward=False)

    started = time.process_time()
    run = apply_retention(municipality=osaka)
    print(f"apply_retention: {len(run.done)} households, {time.process_time() - started:.1f} s CPU, "  # noqa: T201
          f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")

    assert len(run.done) == len(expired)
    assert probe.figures(osaka, per_ward=False) == before
    assert probe.leftovers(sorted(names)) == {}

    expected = golden("osaka_tsunagaru_r1_r2.json")
    report = annual_report(municipality=osaka, fiscal_year=2020, compare=2019).to_json()
    for key in ("fiscal_years", "labels", "meetings", "footnotes"):
        assert report[key] == expected[key], key
    for name, want in expected["tables"].items():
        got = report["tables"][name]
        if isinstance(want, list):
            assert [{k: r.get(k) for k in w} for r, w in zip(got, want, strict=True)] == want, name
        else:
            assert got == want, name
    activities = golden("osaka_activities_r4.json")
    report = activity_report(municipality=osaka, start=dt.date(2022, 4, 1), end=dt.date(2023, 1, 31)).to_json()
    assert report["period"] == activities["period"] and report["rows"] == activities["rows"]
    assert report["consultations_vs_same_months_last_year"] == activities["consultations_vs_same_months_last_year"]
