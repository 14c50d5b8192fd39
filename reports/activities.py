"""The activity report of seed 001 for any period (DOMAIN.md §6), against the same months a year earlier."""

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import pgettext

from core.replica import reports_alias
from meetings.models import Activity, ActivityKind

from .annual import discussions_between, ratio
from .scope import scoped

# A change within this share either way is reported as 「同程度」, as seed 001 does for つながる場.
ABOUT_THE_SAME = Decimal("0.10")


def year_earlier(day: dt.date) -> dt.date:
    """The same day a year earlier; the last day of a month maps to the last day of that month
    (so a period ending 28 Feb 2025 is compared with one ending 29 Feb 2024)."""
    next_day = day + dt.timedelta(days=1)
    if next_day.month != day.month:  # month end
        return next_day.replace(year=next_day.year - 1) - dt.timedelta(days=1)
    return day.replace(year=day.year - 1)


def day_range(start: dt.date, end: dt.date):
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _activity_counts(*, municipality, ward, start, end) -> dict:
    activities = scoped(Activity.all_objects, municipality=municipality, ward=ward).in_period(start, end)
    rows = activities.values("kind").annotate(
        count=Count("pk"), agencies=Sum("agency_count"), cases=Sum("case_count"), participants=Sum("participant_count")
    )
    return {row["kind"]: row for row in rows}


def _tsunagaru_ba(*, municipality, ward, start, end) -> int:
    return discussions_between(municipality=municipality, start=start, end=end, ward=ward).count()


# A period's consultations of the municipality (or ward) by month, and its cases consulted with those of them received
# before it began (継続事例), for this period and the same months a year earlier in one statement: each period's
# consultations read from the index on their date, the cases' municipality, ward and reception day from theirs.
CONSULTATIONS = """
WITH consulted AS (
    SELECT 0 AS period, case_id, date_trunc('month', held_at AT TIME ZONE %(tz)s) AS month
    FROM cases_consultation WHERE held_at >= %(since)s AND held_at < %(until)s
    UNION ALL
    SELECT 1, case_id, date_trunc('month', held_at AT TIME ZONE %(tz)s)
    FROM cases_consultation WHERE held_at >= %(previous_since)s AND held_at < %(previous_until)s
)
SELECT consulted.period, GROUPING(consulted.month) = 1, consulted.month, count(*), count(DISTINCT consulted.case_id),
       count(DISTINCT consulted.case_id) FILTER (
           WHERE c.received_on < CASE consulted.period WHEN 0 THEN %(start)s::date ELSE %(previous_start)s::date END)
FROM consulted JOIN cases_case c ON c.id = consulted.case_id
WHERE c.municipality_id = %(municipality)s {ward}
GROUP BY GROUPING SETS ((consulted.period, consulted.month), (consulted.period))
ORDER BY 1, 3
"""


def _consultation_figures(*, municipality, ward, start, end, previous_start, previous_end) -> list[tuple[dict, int, int]]:
    """[(consultations by month, continuing cases, cases consulted)] for the period and the one a year earlier."""
    since, until = day_range(start, end)
    previous_since, previous_until = day_range(previous_start, previous_end)
    params = {"tz": timezone.get_current_timezone_name(), "since": since, "until": until, "start": start,
              "previous_since": previous_since, "previous_until": previous_until, "previous_start": previous_start,
              "municipality": municipality.pk, "ward": ward.pk if ward is not None else None}
    figures: list[tuple[dict, int, int]] = [({}, 0, 0), ({}, 0, 0)]
    with connections[reports_alias()].cursor() as cursor:
        cursor.execute(CONSULTATIONS.format(ward="AND c.ward_id = %(ward)s" if ward is not None else ""), params)
        for period, whole, month, count, consulted, continuing in cursor.fetchall():
            if whole:
                figures[period] = (figures[period][0], continuing, consulted)
            else:
                figures[period][0][month.strftime("%Y-%m")] = count
    return figures


def compare_label(current: int, previous: int) -> str:
    """This period against the same months a year earlier, in the reader's language."""
    if not previous:
        return pgettext("year on year", "比較できません") if not current else pgettext("year on year", "増加")
    change = (Decimal(current) - Decimal(previous)) / Decimal(previous)
    if abs(change) <= ABOUT_THE_SAME:
        return pgettext("year on year", "同程度")
    return pgettext("year on year", "増加") if change > 0 else pgettext("year on year", "減少")


@dataclass(frozen=True)
class ActivityReport:
    """Seed 001's activity table and consultations for a period against the same months a year earlier."""

    municipality: str
    ward: str | None
    period: dict[str, str]
    previous_period: dict[str, str]
    rows: list[dict]
    trainings: dict[str, int]
    tools: dict[str, int]
    consultations: dict[str, int]
    consultations_by_month: dict[str, dict[str, int]]
    consultations_vs_same_months_last_year: float | None  # None: no consultations a year earlier to compare with
    tsunagaru_ba: dict[str, int]
    tsunagaru_ba_vs_same_months_last_year: str
    continuing_share: dict[str, int]

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def activity_report(*, municipality, start: dt.date, end: dt.date, ward=None) -> ActivityReport:
    previous_start, previous_end = year_earlier(start), year_earlier(end)
    counts = _activity_counts(municipality=municipality, ward=ward, start=start, end=end)

    def count(kind, key="count"):
        return (counts.get(kind) or {}).get(key) or 0

    rows = [
        {"group": "アウトリーチ", "label": str(ActivityKind.PUBLICITY.label), "count": count(ActivityKind.PUBLICITY)},
        {"group": "アウトリーチ", "label": str(ActivityKind.OUTREACH.label), "count": count(ActivityKind.OUTREACH)},
        {"group": "アウトリーチ", "label": "合計", "count": count(ActivityKind.PUBLICITY) + count(ActivityKind.OUTREACH)},
        {"group": "連絡会参加", "label": "合計", "count": count(ActivityKind.LIAISON),
         "agencies_total": count(ActivityKind.LIAISON, "agencies")},
        {"group": "個別事例検討会議", "label": "合計", "count": count(ActivityKind.CASE_REVIEW),
         "cases_total": count(ActivityKind.CASE_REVIEW, "cases")},
        {"group": "区独自の取組", "label": "合計", "count": count(ActivityKind.WARD_INITIATIVE),
         "agencies_total": count(ActivityKind.WARD_INITIATIVE, "agencies")},
    ]
    (by_month, continuing, consulted), (previous_by_month, continuing_before, consulted_before) = _consultation_figures(
        municipality=municipality, ward=ward, start=start, end=end, previous_start=previous_start, previous_end=previous_end)
    current_total, previous_total = sum(by_month.values()), sum(previous_by_month.values())
    meetings_now = _tsunagaru_ba(municipality=municipality, ward=ward, start=start, end=end)
    meetings_before = _tsunagaru_ba(municipality=municipality, ward=ward, start=previous_start, end=previous_end)
    return ActivityReport(
        municipality=municipality.name,
        ward=ward.name if ward is not None else None,
        period={"from": start.isoformat(), "to": end.isoformat()},
        previous_period={"from": previous_start.isoformat(), "to": previous_end.isoformat()},
        rows=rows,
        trainings={"count": count(ActivityKind.TRAINING), "participants_total": count(ActivityKind.TRAINING, "participants")},
        tools={"count": count(ActivityKind.TOOL)},
        consultations={"current": current_total, "previous": previous_total},
        consultations_by_month={"current": by_month, "previous": previous_by_month},
        consultations_vs_same_months_last_year=ratio(current_total, previous_total, 2) if previous_total else None,
        tsunagaru_ba={"current": meetings_now, "previous": meetings_before},
        tsunagaru_ba_vs_same_months_last_year=compare_label(meetings_now, meetings_before),
        continuing_share={
            "current": ratio(continuing * 100, consulted, 0), "previous": ratio(continuing_before * 100, consulted_before, 0),
        },
    )
