"""`make bench`: how the spine behaves with a large city's volume, measured on a throwaway database.

Prints a Markdown table (copied into docs/benchmarks.md with the machine it ran on). Wall-clock figures
live here and only here; tests assert query counts instead.
"""

import datetime as dt
import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("TEST_DATABASE_NAME", "bench_tsunagaru")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

HOUSEHOLDS_PER_WARD = int(os.environ.get("BENCH_HOUSEHOLDS_PER_WARD", "2000"))
AUDIT_EVENTS = int(os.environ.get("BENCH_AUDIT_EVENTS", "500000"))
# Ten fiscal years of つながる場 for a large city (Osaka held 158 in FY2019; a ten-fold city, every year).
MEETINGS_PER_YEAR = int(os.environ.get("BENCH_MEETINGS_PER_YEAR", "2000"))
MEETING_YEARS = range(2016, 2026)
# Referrals about 北区's cases: every status, spread over the same ten years, a few hundred still waiting.
REFERRALS_PER_YEAR = int(os.environ.get("BENCH_REFERRALS_PER_YEAR", "5000"))
REPEAT = 15


def measure(client, url, **params):
    timings = []
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), max(timings), len(queries)


def populate():
    from accounts.models import Role, User
    from agencies.services import municipality_setup
    from audit.models import Action, AuditEvent
    from cases.models import Household, HouseholdMember

    wards = ["北区", "都島区", "福島区", "此花区", "中央区", "西区", "港区", "大正区", "天王寺区", "浪速区", "西淀川区", "淀川区",
             "東淀川区", "東成区", "生野区", "旭区", "城東区", "鶴見区", "阿倍野区", "住之江区", "住吉区", "東住吉区", "平野区", "西成区"]
    city = municipality_setup(name="大阪市", code="271004", wards=wards)
    kita = city.wards.get(name="北区")
    coordinator = User.objects.create_user("bench_coordinator", password="x", role=Role.COORDINATOR,
                                           municipality=city, ward=kita)
    auditor = User.objects.create_user("bench_auditor", password="x", role=Role.AUDITOR, municipality=city)
    for ward in city.wards.all():
        households = Household.all_objects.bulk_create(
            Household(municipality=city, ward=ward, address=f"大阪市{ward.name}{i}") for i in range(HOUSEHOLDS_PER_WARD)
        )
        HouseholdMember.objects.bulk_create(
            HouseholdMember(household=h, name=f"架空 {i}", name_kana=f"かくう {i}", is_primary=(j == 0),
                            birth_date=dt.date(1950 + i % 50, 1 + i % 12, 1))
            for i, h in enumerate(households) for j in range(3)
        )
    start = dt.datetime(2016, 4, 1, tzinfo=dt.UTC)
    batch = []
    for i in range(AUDIT_EVENTS):
        batch.append(AuditEvent(at=start + dt.timedelta(minutes=10 * i), municipality=city, user=coordinator,
                                username=coordinator.username, action=Action.VIEW, object_type="cases.household",
                                object_id=str(i % 50000), object_label=f"世帯 #{i % 50000}"))
        if len(batch) == 10000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    _cases(city, kita, coordinator)
    _meetings(city, kita, coordinator)
    agency_worker = _referrals(city, kita, coordinator)
    bureau = User.objects.create_user("bench_bureau", password="x", role=Role.BUREAU, municipality=city)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return coordinator, auditor, bureau, agency_worker


def _referrals(city, ward, coordinator):
    """REFERRALS_PER_YEAR referrals a year for ten years from the ward office to the ward's agencies, with their
    events; the last 300 still unanswered (bulk, no audit). Returns a worker of the agency most of them go to."""
    from django.utils import timezone

    from accounts.models import Role, User
    from agencies.models import Agency
    from cases.models import Case
    from referrals.models import DeclineReason, Referral, ReferralEvent, ReferralKind

    agencies = list(Agency.objects.filter(ward=ward).order_by("pk")[:6])
    kinds = list(ReferralKind.objects.filter(municipality=None))
    reason = DeclineReason.objects.filter(municipality=None).first()
    cases = list(Case.all_objects.filter(ward=ward).order_by("pk").values_list("pk", flat=True))
    statuses = ("completed", "completed", "in_progress", "accepted", "declined", "withdrawn")
    total = REFERRALS_PER_YEAR * len(MEETING_YEARS)
    for fy_index, fy in enumerate(MEETING_YEARS):
        batch = []
        for i in range(REFERRALS_PER_YEAR):
            n = fy_index * REFERRALS_PER_YEAR + i
            sent = timezone.make_aware(dt.datetime(fy, 4, 1, 9) + dt.timedelta(hours=(i * 1733) % (360 * 24)))
            status = "sent" if n >= total - 300 else statuses[n % len(statuses)]
            answered = sent + dt.timedelta(days=1 + n % 12) if status not in ("sent", "withdrawn") else None
            batch.append(Referral(
                municipality=city, case_id=cases[n % len(cases)], case_ward=ward, kind=kinds[n % len(kinds)],
                from_ward=ward, sent_by=coordinator, to_agency=agencies[0] if n % 3 else agencies[1 + n % 5],
                reason="家計の相談につなぎたい。", sent_at=sent, sent_on=timezone.localdate(sent),
                due_on=timezone.localdate(sent) + dt.timedelta(days=7), status=status, answered_at=answered,
                answered_by=coordinator if answered else None, decline_reason=reason if status == "declined" else None))
        referrals = Referral.all_objects.bulk_create(batch)
        ReferralEvent.objects.bulk_create(
            ReferralEvent(referral=r, action="send", to_status="sent", by=coordinator, at=r.sent_at) for r in referrals)
    return User.objects.create_user("bench_agency", password="x", role=Role.AGENCY_WORKER, municipality=city,
                                    agency=agencies[0])


def _meetings(city, ward, coordinator):
    """MEETINGS_PER_YEAR つながる場 a year for ten years: one case each, 6 agencies present, 5 issues (bulk, no audit)."""
    from django.utils import timezone

    from agencies.models import Agency
    from cases.models import Case, IssueCategory
    from meetings.models import (
        Meeting,
        MeetingAgency,
        MeetingBasis,
        MeetingCase,
        MeetingCaseIssue,
        MeetingKind,
    )

    kind = MeetingKind.objects.get(municipality=None, name="つながる場")
    bases = list(MeetingBasis.objects.filter(municipality=None)[:5])
    agencies = list(Agency.objects.filter(municipality=city)[:40])
    categories = list(IssueCategory.objects.filter(municipality=None))
    cases = list(Case.all_objects.filter(ward=ward).order_by("pk").values_list("pk", flat=True))
    n = 0
    for fy in MEETING_YEARS:
        meetings = []
        for i in range(MEETINGS_PER_YEAR):
            start = timezone.make_aware(dt.datetime(fy, 4, 1, 10) + dt.timedelta(hours=(i * 4379) % (365 * 24)))
            meetings.append(Meeting(municipality=city, ward=ward, kind=kind, basis=bases[i % 5], starts_at=start,
                                    held_on=timezone.localdate(start), convener=coordinator, created_by=coordinator,
                                    status="held", sv_dispatched=i % 3 == 0))
        meetings = Meeting.all_objects.bulk_create(meetings)
        discussions = MeetingCase.objects.bulk_create(
            MeetingCase(meeting=m, case_id=cases[(n + i) % len(cases)], issues_recorded=True) for i, m in enumerate(meetings))
        MeetingAgency.objects.bulk_create(MeetingAgency(meeting=m, agency=agencies[(i + j * 7) % len(agencies)], attended=True)
                                          for i, m in enumerate(meetings) for j in range(6))
        MeetingCaseIssue.objects.bulk_create(MeetingCaseIssue(discussion=d, category=categories[(i + j * 3) % len(categories)])
                                             for i, d in enumerate(discussions) for j in range(5))
        n += len(meetings)


def _cases(city, ward, coordinator):
    """One case per household of the ward, each with 3 issues, 5 consultations and 2 tasks (bulk, no audit)."""
    from agencies.models import Agency
    from cases.models import Case, CaseIssue, Consultation, Household, IssueCategory, RoleAssignment

    agencies = list(Agency.objects.filter(ward=ward)[:4])
    categories = list(IssueCategory.objects.filter(municipality=None)[:10])
    households = list(Household.all_objects.filter(ward=ward).order_by("pk"))
    cases = Case.all_objects.bulk_create(
        Case(municipality=city, ward=ward, household=h, fiscal_year=2020, sequence=i + 1, number=f"R2-{i + 1:04d}",
             received_on=dt.date(2020, 4, 1) + dt.timedelta(days=i % 365), intake_channel="phone", lead=coordinator,
             created_by=coordinator, status=("received", "supporting", "monitoring", "closed")[i % 4],
             closed_on=dt.date(2021, 3, 1) if i % 4 == 3 else None)
        for i, h in enumerate(households)
    )
    CaseIssue.objects.bulk_create(CaseIssue(case=c, category=categories[(i + j) % 10], noted_on=c.received_on)
                                  for i, c in enumerate(cases) for j in range(3))
    now = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    Consultation.objects.bulk_create(Consultation(case=c, held_at=now - dt.timedelta(days=j), method="phone", staff=coordinator,
                                                  summary="電話で状況を確認した。") for c in cases for j in range(5))
    RoleAssignment.objects.bulk_create(RoleAssignment(case=c, agency=agencies[j], task="見守り", created_by=coordinator,
                                                      due_on=dt.date(2021, 1, 1)) for c in cases for j in range(2))


def main():
    from django.test import Client

    old = setup_databases(verbosity=0, interactive=False)
    try:
        t0 = time.perf_counter()
        coordinator, auditor, bureau, agency_worker = populate()
        load_seconds = time.perf_counter() - t0
        client = Client()
        rows = []
        client.force_login(coordinator)
        rows.append((f"世帯一覧 1ページ目（北区 {HOUSEHOLDS_PER_WARD} 世帯）", *measure(client, "/households/")))
        rows.append(("世帯一覧 最終ページ", *measure(client, "/households/", page=HOUSEHOLDS_PER_WARD // 50)))
        rows.append(("推進員ダッシュボード", *measure(client, "/")))
        household = coordinator.ward.household_set.order_by("pk").first()
        case = household.cases.first()
        rows.append(("世帯詳細（エコマップを含む）", *measure(client, f"/households/{household.pk}/")))
        rows.append(("エコマップ SVG のみ", *measure(client, f"/households/{household.pk}/ecomap.svg")))
        rows.append((f"事例一覧（北区 {HOUSEHOLDS_PER_WARD} 件）", *measure(client, "/cases/")))
        rows.append(("事例一覧 期限切れで絞り込み", *measure(client, "/cases/", overdue="on")))
        rows.append(("事例一覧 課題で絞り込み", *measure(client, "/cases/", issue=case.issues.first().category_id)))
        rows.append(("事例詳細（相談記録5件）", *measure(client, f"/cases/{case.pk}/")))
        rows.append(("世帯検索（かな）", *measure(client, "/households/", q="かくう 1234")))
        meeting = coordinator.ward.meetings.order_by("-pk").first()
        rows.append(("会議一覧（北区 10年分）", *measure(client, "/meetings/")))
        rows.append(("会議詳細", *measure(client, f"/meetings/{meeting.pk}/")))
        referrals = f"{len(MEETING_YEARS)} 年 × {REFERRALS_PER_YEAR} 件"
        rows.append((f"つなぎ 区の事例（{referrals}）", *measure(client, "/referrals/", box="ward")))
        from referrals.models import Referral

        referral = Referral.all_objects.filter(case_ward=coordinator.ward, status="sent").order_by("pk").first()
        rows.append(("つなぎ詳細", *measure(client, f"/referrals/{referral.pk}/")))
        client.force_login(agency_worker)
        rows.append(("つなぎ 受信（機関、回答待ち300件を含む）", *measure(client, "/referrals/", box="incoming")))
        rows.append(("関係機関ダッシュボード（回答が必要なつなぎ）", *measure(client, "/")))
        client.force_login(bureau)
        rows.append((f"つなぎの集計 全区（{referrals}）", *measure(client, "/reports/referrals/", fy=2024)))
        years = f"{len(MEETING_YEARS)} 年 × {MEETINGS_PER_YEAR} 回"
        rows.append((f"年次集計 全区（{years}）", *measure(client, "/reports/annual/", fy=2024)))
        rows.append(("年次集計 北区", *measure(client, "/reports/annual/", fy=2024, ward=coordinator.ward_id)))
        rows.append(("年次集計 Excel", *measure(client, "/reports/annual/annual.xlsx", fy=2024)))
        rows.append(("年次集計 JSON（API）", *measure(client, "/api/v1/reports/annual/", fy=2024)))
        rows.append(("活動と相談の集計（4月〜1月）", *measure(client, "/reports/activities/", start="2024-04-01", end="2025-01-31")))
        client.force_login(auditor)
        rows.append((f"監査ログ 条件なし（{AUDIT_EVENTS} 件）", *measure(client, "/audit/")))
        rows.append(("監査ログ 対象IDで検索", *measure(client, "/audit/", object_type="cases.household", object_id="4242")))
        rows.append(("監査ログ 期間で検索（1か月）", *measure(client, "/audit/", date_from="2020-05-01", date_to="2020-05-31")))
        out = sys.stdout.write
        out(f"\nPostgreSQL {connection.pg_version // 10000}, Python {sys.version.split()[0]}, "
              f"{os.cpu_count()} cores; data: 24 wards × {HOUSEHOLDS_PER_WARD} households × 3 members, "
              f"{AUDIT_EVENTS} audit events (loaded in {load_seconds:.0f} s); median of {REPEAT} requests\n\n")
        out("| page | median ms | max ms | queries |\n|---|---:|---:|---:|\n")
        for label, median, worst, queries in rows:
            out(f"| {label} | {median:.1f} | {worst:.1f} | {queries} |\n")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
