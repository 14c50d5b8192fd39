"""The yearly tables before and after #16 on a generated city, on a throwaway database (docs/benchmarks/reports.md).

    DJANGO_SETTINGS_MODULE=config.settings.test PER_YEAR=6000 YEARS=2019-2020 .venv/bin/python -m scripts.bench_reports

"Before" is reports/annual.py as of commit 436c0d3 (read with git); both must give the same tables (asserted).
INDEXES="CREATE INDEX …; …" explains the statement again with candidate indexes. Rough figures: median of 7.
"""

import datetime as dt
import os
import statistics
import subprocess
import sys
import time
import types

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_reports")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

PER_YEAR = int(os.environ.get("PER_YEAR", "1500"))
FIRST, LAST = (int(y) for y in os.environ.get("YEARS", "2011-2020").split("-"))
YEARS = tuple(range(FIRST, LAST + 1))
BEFORE = "436c0d3"
WARDS = ["北区", "都島区", "福島区", "此花区", "中央区", "西区", "港区", "大正区", "天王寺区", "浪速区", "西淀川区", "淀川区",
         "東淀川区", "東成区", "生野区", "旭区", "城東区", "鶴見区", "阿倍野区", "住之江区", "住吉区", "東住吉区", "平野区", "西成区"]
out = sys.stdout.write


def populate():
    """PER_YEAR つながる場 a year in 24 wards: one case each (every 9th a second), 6 agencies invited and 5
    present, 3 issues per discussion; 1 case in 7 came from the person or family (bulk, no audit)."""
    from django.utils import timezone

    from accounts.models import Role, User
    from agencies.models import Agency, AgencyCategory
    from agencies.services import municipality_setup
    from cases.models import Case, Household, IssueCategory
    from meetings.models import (
        Meeting,
        MeetingAgency,
        MeetingBasis,
        MeetingCase,
        MeetingCaseIssue,
        MeetingKind,
    )

    city = municipality_setup(name="大阪市", code="271004", wards=WARDS)
    wards = list(city.wards.order_by("pk"))
    coordinator = User.objects.create_user("c", password="x", role=Role.COORDINATOR, municipality=city, ward=wards[0])
    bureau = User.objects.create_user("b", password="x", role=Role.BUREAU, municipality=city)
    kind = MeetingKind.objects.get(municipality=None, name="つながる場")
    bases = list(MeetingBasis.objects.filter(municipality=None)[:5])
    categories = list(AgencyCategory.objects.filter(municipality=None))
    issues = list(IssueCategory.objects.filter(municipality=None))
    agencies = list(Agency.objects.filter(municipality=city))
    total = PER_YEAR * len(YEARS)
    households = Household.all_objects.bulk_create(
        Household(municipality=city, ward=wards[i % 24], address=f"a{i}") for i in range(total))
    cases = Case.all_objects.bulk_create(
        Case(municipality=city, ward=h.ward, household=h, number=f"X-{i}", fiscal_year=FIRST, sequence=i + 1,
             received_on=dt.date(FIRST, 4, 1), intake_channel="agency", created_by=coordinator,
             referring_category=categories[i % len(categories)] if i % 7 else None)
        for i, h in enumerate(households))
    meetings = []
    for fy in YEARS:
        for i in range(PER_YEAR):
            start = timezone.make_aware(dt.datetime(fy, 4, 1, 10) + dt.timedelta(hours=(i * 4379) % (365 * 24)))
            meetings.append(Meeting(municipality=city, ward=wards[i % 24], kind=kind, basis=bases[i % 5], starts_at=start,
                                    held_on=timezone.localdate(start), convener=coordinator, created_by=coordinator,
                                    status="held", sv_dispatched=i % 3 == 0))
    meetings = Meeting.all_objects.bulk_create(meetings)
    discussions = MeetingCase.objects.bulk_create(
        MeetingCase(meeting=m, case=cases[i], issues_recorded=True) for i, m in enumerate(meetings))
    discussions += MeetingCase.objects.bulk_create(
        MeetingCase(meeting=m, case=cases[(i + 1) % len(cases)], issues_recorded=True)
        for i, m in enumerate(meetings) if i % 9 == 0)
    MeetingAgency.objects.bulk_create(MeetingAgency(meeting=m, agency=agencies[(i + j * 7) % len(agencies)], attended=j < 5)
                                      for i, m in enumerate(meetings) for j in range(6))
    MeetingCaseIssue.objects.bulk_create(MeetingCaseIssue(discussion=d, category=issues[(i + j * 3) % len(issues)])
                                         for i, d in enumerate(discussions) for j in range(3))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    out(f"{len(meetings)} meetings, {len(discussions)} discussions, FY{FIRST}–{LAST}\n")
    return city, bureau


def timed(label, fn, repeat=7):
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            fn()
            timings.append((time.perf_counter() - start) * 1000)
    out(f"{label:<28} {statistics.median(timings):7.1f} ms (min {min(timings):.1f}), {len(queries)} queries\n")


def before():
    """reports/annual.py as it was before #16, as a module."""
    source = subprocess.run(["git", "show", f"{BEFORE}:reports/annual.py"], capture_output=True, text=True, check=True).stdout
    module = types.ModuleType("annual_before")
    exec(compile(source.replace("from .scope import", "from reports.scope import"), "annual_before", "exec"), module.__dict__)
    return module


def explain(city, title):
    from reports import counts

    days, params = counts._days([2020, 2019])
    params.update(municipality=city.pk, years=[2020, 2019])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + counts.DISCUSSED.format(days=days) + counts.RESULT, params)
        lines = [row[0] for row in cursor.fetchall()]
    keep = ("Scan", "Join", "Loop", "Execution")
    out(f"== {title}\n" + "\n".join(line for line in lines if os.environ.get("FULL") or any(k in line for k in keep)) + "\n")


def measure(city, bureau):
    from reports import annual, counts, views
    from reports.models import AnnualCounts

    old = before()
    ward = city.wards.order_by("pk").first()
    timed("before: city", lambda: old.annual_report(municipality=city, fiscal_year=2020))
    timed("before: one ward", lambda: old.annual_report(municipality=city, fiscal_year=2020, ward=ward))
    timed("before: ward comparison", lambda: old.ward_comparison(municipality=city, fiscal_year=2020))

    def cold(**kwargs):
        AnnualCounts.objects.all().delete()  # 3 of the queries counted
        annual.annual_report(municipality=city, fiscal_year=2020, **kwargs)

    timed("after, not cached: city", cold)
    timed("after, not cached: one ward", lambda: cold(ward=ward))
    timed("after, cached: city", lambda: annual.annual_report(municipality=city, fiscal_year=2020))
    timed("after, cached: one ward", lambda: annual.annual_report(municipality=city, fiscal_year=2020, ward=ward))
    timed("after, cached: comparison", lambda: annual.ward_comparison(municipality=city, fiscal_year=2020))
    timed("the statement alone", lambda: counts.compute(municipality_id=city.pk, years=[2020, 2019], store=False))

    client = Client()
    client.force_login(bureau)
    page = ("/reports/annual/", {"fy": 2020})
    saved = (views.annual_report, views.ward_comparison)

    def without_source(function):
        return lambda **kwargs: function(**{k: v for k, v in kwargs.items() if k != "source"})

    views.annual_report, views.ward_comparison = without_source(old.annual_report), without_source(old.ward_comparison)
    timed("before: bureau page", lambda: client.get(*page))
    views.annual_report, views.ward_comparison = saved

    def page_cold():
        AnnualCounts.objects.all().delete()
        client.get(*page)

    timed("after, not cached: page", page_cold)
    timed("after, cached: page", lambda: client.get(*page))
    assert old.annual_report(municipality=city, fiscal_year=2020).to_json() == annual.annual_report(
        municipality=city, fiscal_year=2020).to_json()
    assert old.ward_comparison(municipality=city, fiscal_year=2020).to_json() == annual.ward_comparison(
        municipality=city, fiscal_year=2020).to_json()
    for each in city.wards.all()[:3]:
        assert old.annual_report(municipality=city, fiscal_year=2020, ward=each).to_json() == annual.annual_report(
            municipality=city, fiscal_year=2020, ward=each).to_json()
    out("before and after give the same tables\n")
    explain(city, "the statement")
    if os.environ.get("INDEXES"):
        with connection.cursor() as cursor:
            for sql in os.environ["INDEXES"].split(";"):
                if sql.strip():
                    cursor.execute(sql)
            cursor.execute("ANALYZE")
        explain(city, "with the candidate indexes")
        timed("the statement alone", lambda: counts.compute(municipality_id=city.pk, years=[2020, 2019], store=False))


def main():
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        measure(*populate())
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
