"""Four past years of 大阪市 for the demo (FY2019–FY2022), so the bureau's reports have real figures to show.

- The つながる場 of 令和元年度 and 令和2年度 reproduce seed 000's tables exactly
  (../shared/golden/osaka_tsunagaru_r1_r2.json): one case per meeting, each of its own fictitious household.
- April 2022 – January 2023 reproduces seed 001 (golden/osaka_activities_r4.json): its activity counts,
  1.61 times the consultations of the same months a year earlier, and about as many つながる場.

Everything is drawn from one random.Random with a fixed seed (never today's date), and written through the
bulk services of cases and meetings (`cases.services.bulk`, `meetings.bulk`): case numbers from
CaseNumberSequence, status changes, search keys and history rows as the single-object services leave them.
A recorded consent stands behind every meeting whose basis needs one. No audit events: this is demo history.
"""

import datetime as dt
import random

from django.db import connection
from django.db.models import DateTimeField
from django.db.models.functions import Cast

from accounts.models import User
from agencies.models import Agency, Ward
from cases.models import Case
from core import wareki
from meetings.models import Activity, ActivityKind, Meeting, MeetingKind

from .plans import (
    ACTIVITIES_R3,
    ACTIVITIES_R4,
    ACTIVITY_TITLES,
    CONSULTATION_ONLY_CASES,
    CONSULTATION_WINDOWS,
    HISTORY_UNTIL,
    LATER_YEARS,
    SEED,
    SEED_000,
    TOOLS_R3,
    TOOLS_R4,
    TRAININGS_R3,
    TRAININGS_R4,
    TSUNAGARU_BA,
    close_and_consult,
    consultation_only,
    days_between,
    exact_windows,
    plan_meetings,
    scaled,
    targets,
)
from .writer import write_casework


def history_cases(queryset=None):
    """The cases this module creates (for tests and steps that must tell them from the living demo)."""
    return (queryset if queryset is not None else Case.all_objects).filter(received_on__lte=HISTORY_UNTIL)


def seed_history(municipality) -> dict | None:
    """Creates the past years once: None when they are there already. The case work (checked by the
    つながる場 of FY2019) and the activities (checked by April 2022 – January 2023) are checked apart."""
    kind = MeetingKind.objects.get(municipality=None, name=TSUNAGARU_BA)
    wards = list(Ward.objects.filter(municipality=municipality).order_by("sort_order", "pk"))
    created = {"meetings": 0, "cases": 0, "consultations": 0, "activities": 0}
    if not Meeting.all_objects.filter(
        municipality=municipality, kind=kind, held_on__range=wareki.fiscal_year_bounds(2019)
    ).exists():
        created.update(_casework(random.Random(SEED), municipality, kind, wards))
    start, end, _target = CONSULTATION_WINDOWS[-1]
    if not Activity.all_objects.filter(municipality=municipality, held_on__range=(start, end)).exists():
        created["activities"] = _activities(random.Random(SEED + 1), municipality, wards)
    if any(created.values()):
        # Thousands of rows arrived in bulk: refresh the planner's statistics, or the next queries on these
        # tables plan for empty ones (seen as minute-long nested loops in tests).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return created
    return None


def _casework(rng, municipality, kind, wards) -> dict:
    plans = []
    for fy, numbers in SEED_000.items():
        days = days_between(rng, *wareki.fiscal_year_bounds(fy), numbers["meetings"])
        plans += plan_meetings(rng, targets(numbers), days, wards)
    for fy, (in_window, after) in LATER_YEARS.items():
        days = days_between(rng, dt.date(fy, 4, 1), dt.date(fy + 1, 1, 31), in_window)
        days += days_between(rng, dt.date(fy + 1, 2, 1), dt.date(fy + 1, 3, 31), after)
        plans += plan_meetings(rng, scaled(SEED_000[2020], in_window + after), days, wards)
    for fy, count in CONSULTATION_ONLY_CASES.items():
        plans += consultation_only(rng, fy, count, wards)
    plans.sort(key=lambda p: (p.received_on, p.ward.sort_order))
    for plan in plans:
        close_and_consult(rng, plan)
    exact_windows(rng, plans)
    return write_casework(rng, municipality, kind, plans)


def _activities(rng, municipality, wards: list) -> int:
    """Seed 001's activity counts for April 2022 – January 2023, the year before, and the Februaries–Marches."""
    users = {u.username: u for u in User.objects.filter(username__in=["kita_coordinator", "nishinari_coordinator"])}
    by_ward = {}
    for agency in Agency.objects.filter(municipality=municipality, ward__isnull=False, is_active=True).order_by("pk"):
        by_ward.setdefault(agency.ward_id, []).append(agency)
    wards_by_name = {ward.name: ward for ward in wards}

    def author(ward):
        return users["kita_coordinator" if ward.sort_order <= 12 else "nishinari_coordinator"]

    def two_months(counts):
        return {kind: (round(n / 5), extra and (extra[0], round(extra[1] / 5), extra[2], extra[3]))
                for kind, (n, extra) in counts.items()}

    periods = [
        (dt.date(2021, 4, 1), dt.date(2022, 1, 31), ACTIVITIES_R3, TRAININGS_R3, TOOLS_R3),
        (dt.date(2022, 2, 1), dt.date(2022, 3, 31), two_months(ACTIVITIES_R3), (), ()),
        (dt.date(2022, 4, 1), dt.date(2023, 1, 31), ACTIVITIES_R4, TRAININGS_R4, TOOLS_R4),
        (dt.date(2023, 2, 1), dt.date(2023, 3, 31), two_months(ACTIVITIES_R4), (), ()),
    ]
    activities, reached = [], []
    for start, end, counts, trainings, tools in periods:
        for kind, (n, extra) in counts.items():
            values = _summing_to(rng, n, *extra[1:]) if extra else [None] * n
            for day, value in zip(days_between(rng, start, end, n), values, strict=True):
                ward = rng.choice(wards)
                activity = Activity(municipality=municipality, ward=ward, kind=kind, held_on=day, created_by=author(ward))
                if extra:
                    setattr(activity, extra[0], value)
                    activity.title = rng.choice(ACTIVITY_TITLES[kind])
                else:  # 事業周知 / アウトリーチ: one agency visited
                    target = rng.choice(by_ward[ward.pk])
                    activity.agency_count = 1
                    activity.title = f"{target.name}への{'事業周知' if kind == ActivityKind.PUBLICITY else '状況確認'}"
                    reached.append((activity, target))
                activities.append(activity)
        for title, ward_name, participants in trainings:
            ward = wards_by_name[ward_name] if ward_name else rng.choice(wards)
            activities.append(Activity(municipality=municipality, ward=ward, kind=ActivityKind.TRAINING, title=title,
                                       held_on=days_between(rng, start, end, 1)[0], participant_count=participants,
                                       created_by=author(ward)))
        for title, ward_name in tools:
            ward = wards_by_name[ward_name]
            activities.append(Activity(municipality=municipality, ward=ward, kind=ActivityKind.TOOL, title=title,
                                       held_on=days_between(rng, start, end, 1)[0], created_by=author(ward)))
    Activity.all_objects.bulk_create(activities, batch_size=1000)
    Activity.agencies.through.objects.bulk_create(
        [Activity.agencies.through(activity_id=a.pk, agency_id=agency.pk) for a, agency in reached], batch_size=1000)
    Activity.all_objects.filter(pk__in=[a.pk for a in activities]).update(created_at=Cast("held_on", DateTimeField()))
    return len(activities)


def _summing_to(rng, count: int, total: int, lowest: int, highest: int) -> list[int]:
    """`count` random integers in [lowest, highest] that add up to `total` exactly."""
    if not lowest * count <= total <= highest * count:
        raise ValueError(f"{total} cannot be split into {count} values in {lowest}..{highest}")
    values = [rng.randint(lowest, highest) for _ in range(count)]
    step = 1 if total > sum(values) else -1
    while sum(values) != total:
        i = rng.randrange(count)
        if lowest <= values[i] + step <= highest:
            values[i] += step
    return values
