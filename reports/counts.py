"""Every count of the yearly つながる場 tables in one statement, cached per (municipality, fiscal year).

The statement (`COUNTS`) takes the discussions of held meetings of kinds counted in the tables (the unit:
「1回の開催＝1事例」) once, as a materialized CTE, and groups them by (fiscal year, ward, table, category):
meetings, basis, SV, referrer (the case's referring category), participants (each attended agency of a
meeting once per case discussed at it, by the agency's category) and issues (recorded per discussion).
The city's tables are the sum over its wards, a ward's are its own row, the ward comparison is every row.

The cache (`reports.models.AnnualCounts`) holds those rows per (municipality, fiscal year) with a stamp:
the sum of the versions (`reports.models.CountsVersion`) of (municipality, year), (municipality, every
year) and (every municipality), which the database triggers of migration 0003 bump in the same
transaction as any write that may change the counts, whatever issues it. A cached row is served only
while its stamp is the current sum.

Why a stale row can never be served:

- The stamp and the counts are read by the same statement, so from one snapshot: the counts are exactly
  those of the data whose versions add up to the stamp.
- A write and its bump commit together (the trigger runs inside the writing transaction): a snapshot sees
  both or neither.
- Versions only grow (they are never deleted; TRUNCATE of the versions empties the cache too). A row
  computed from snapshot S1 and checked from a later snapshot S2 (it is visible there, so it was stored
  before S2 began, and S1 was taken before it was stored) sees every version in S2 ≥ its value in S1; the
  sums are equal only when no write that touches that year committed in between, so the counts are still
  the current ones. A concurrent writer therefore leaves its row unequal, i.e. invalid, however the
  transactions interleave. On a read replica the same holds: a replica's snapshot is a prefix of the
  primary's commits.
- A child row (discussion, attendance, issue) bumps the year of its meeting as committed: the trigger
  share-locks the meeting first, so a concurrent move of the meeting to another year is either waited for
  (and its new year bumped) or waits for this transaction (and bumps both years itself).
- Masters (a kind's 年次集計の対象, an agency's category, a case's referring category) may change any
  year: their triggers bump the whole municipality, keyed on the changed row itself, so no concurrent row
  can escape them.
- Storing keeps the larger stamp: a slow reader cannot overwrite a newer row with an older one.

Names and the layout are applied when the counts are folded into rows (reports.annual), never cached here.
"""

import json
from collections import defaultdict
from typing import Any

from django.db import connections, router
from django.utils import timezone

from core.replica import reports_alias
from core.wareki import fiscal_year_bounds

from .models import AnnualCounts

TABLES = ("basis", "sv", "referrer", "participants", "issues")
Counts = dict[str, Any]  # {"meetings": n, table: {category: n}}
WardCounts = dict[int, Counts]  # ward id → counts

# The discussed meetings once; then one grouping per table; then the stamp of each year, in the same snapshot.
DISCUSSED = """
WITH years AS (SELECT unnest(%(years)s::integer[]) AS fy),
discussed AS MATERIALIZED (
    SELECT d.id AS discussion_id, d.meeting_id, d.case_id, m.ward_id, m.basis_id, m.sv_dispatched,
           reports_fiscal_year(m.held_on) AS fy
    FROM meetings_meeting m
    JOIN meetings_meetingkind k ON k.id = m.kind_id
    JOIN meetings_meetingcase d ON d.meeting_id = m.id
    WHERE m.municipality_id = %(municipality)s AND m.status = 'held' AND k.in_annual_tables AND ({days})
),
counted AS (
    SELECT fy, ward_id, 'meetings' AS tbl, NULL::bigint AS category, count(*) AS n FROM discussed GROUP BY 1, 2
    UNION ALL
    SELECT fy, ward_id, 'basis', basis_id, count(*) FROM discussed GROUP BY 1, 2, 4
    UNION ALL
    SELECT fy, ward_id, 'sv', sv_dispatched::integer, count(*) FROM discussed GROUP BY 1, 2, 4
    UNION ALL
    SELECT x.fy, x.ward_id, 'referrer', c.referring_category_id, count(*)
    FROM discussed x JOIN cases_case c ON c.id = x.case_id GROUP BY 1, 2, 4
    UNION ALL
    SELECT x.fy, x.ward_id, 'participants', a.category_id, count(*)
    FROM discussed x JOIN meetings_meetingagency ma ON ma.meeting_id = x.meeting_id AND ma.attended
    JOIN agencies_agency a ON a.id = ma.agency_id GROUP BY 1, 2, 4
    UNION ALL
    SELECT x.fy, x.ward_id, 'issues', i.category_id, count(*)
    FROM discussed x JOIN meetings_meetingcaseissue i ON i.discussion_id = x.discussion_id GROUP BY 1, 2, 4
),
stamps AS (
    SELECT y.fy, (SELECT COALESCE(sum(v.version), 0)::bigint FROM reports_countsversion v
                  WHERE v.municipality_id IN (%(municipality)s, 0) AND v.fiscal_year IN (y.fy, 0)) AS stamp
    FROM years y
)"""

# Storing keeps the larger stamp: a slow reader never overwrites a newer row with an older one.
INSERT = "INSERT INTO reports_annualcounts (municipality_id, fiscal_year, stamp, counts, computed_at)"
KEEP_NEWER = """
ON CONFLICT (municipality_id, fiscal_year) DO UPDATE
SET stamp = EXCLUDED.stamp, counts = EXCLUDED.counts, computed_at = EXCLUDED.computed_at
WHERE reports_annualcounts.stamp < EXCLUDED.stamp"""

STORE = INSERT + """
SELECT %(municipality)s, s.fy, s.stamp, COALESCE((
    SELECT jsonb_agg(jsonb_build_array(c.ward_id, c.tbl, c.category, c.n)) FROM counted c WHERE c.fy = s.fy
), '[]'::jsonb), %(now)s FROM stamps s""" + KEEP_NEWER

RESULT = """
SELECT fy, ward_id, tbl, category, n FROM counted
UNION ALL SELECT fy, NULL, 'stamp', NULL, stamp FROM stamps"""

CACHED = """
SELECT c.fiscal_year, c.counts FROM reports_annualcounts c
WHERE c.municipality_id = %(municipality)s AND c.fiscal_year = ANY(%(years)s::integer[])
  AND c.stamp = (SELECT COALESCE(sum(v.version), 0)::bigint FROM reports_countsversion v
                 WHERE v.municipality_id IN (c.municipality_id, 0) AND v.fiscal_year IN (c.fiscal_year, 0))"""


def empty() -> Counts:
    return {"meetings": 0, **{table: {} for table in TABLES}}


def _fold(rows, years) -> dict[int, WardCounts]:
    by_year: dict[int, defaultdict[int, Counts]] = {year: defaultdict(empty) for year in years}
    for year, ward, table, category, n in rows:
        if table == "meetings":
            by_year[year][ward]["meetings"] = n
        else:
            by_year[year][ward][table][bool(category) if table == "sv" else category] = n
    return {year: dict(wards) for year, wards in by_year.items()}


def _days(years) -> tuple[str, dict]:
    """The held_on ranges of the years, so the held_on index narrows the meetings. Consecutive years make one
    range: an OR of ranges is planned as a scan of every meeting of the kind (about 3× slower at city scale)."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and runs[-1][1] == year - 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    conditions, params = [], {}
    for i, (first, last) in enumerate(runs):
        params[f"start{i}"], params[f"end{i}"] = fiscal_year_bounds(first)[0], fiscal_year_bounds(last)[1]
        conditions.append(f"m.held_on BETWEEN %(start{i})s AND %(end{i})s")
    return " OR ".join(conditions), params


def compute(*, municipality_id: int, years: list[int], store: bool) -> tuple[dict[int, WardCounts], dict[int, int]]:
    """The counts of `years` and their stamps, read from the reports connection in one statement; stored in the
    cache by that same statement when `store` and the reports connection is the one written to."""
    days, params = _days(years)
    params.update(municipality=municipality_id, years=list(years), now=timezone.now())
    alias = reports_alias()
    same = store and alias == router.db_for_write(AnnualCounts)
    sql = DISCUSSED.format(days=days) + (f", stored AS ({STORE})" if same else "") + RESULT
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    stamps = {year: n for year, _ward, table, _category, n in rows if table == "stamp"}
    counted = [row for row in rows if row[2] != "stamp"]
    if store and not same:  # a replica computed them: the primary keeps them, with the replica's stamp
        _store(municipality_id, counted, stamps)
    return _fold(counted, years), stamps


def _store(municipality_id: int, rows, stamps: dict[int, int]) -> None:
    by_year: dict[int, list] = {year: [] for year in stamps}
    for year, ward, table, category, n in rows:
        by_year[year].append([ward, table, category, n])
    now = timezone.now()
    with connections[router.db_for_write(AnnualCounts)].cursor() as cursor:
        for year, stamp in stamps.items():
            cursor.execute(INSERT + " VALUES (%s, %s, %s, %s::jsonb, %s)" + KEEP_NEWER,
                           [municipality_id, year, stamp, json.dumps(by_year[year]), now])


def year_counts(*, municipality, years) -> dict[int, WardCounts]:
    """{fiscal year: {ward id: counts}}: one query for the cached years, one statement for each other."""
    years = sorted(set(years))
    with connections[reports_alias()].cursor() as cursor:
        cursor.execute(CACHED, {"municipality": municipality.pk, "years": years})
        cached = dict(cursor.fetchall())
    result = {}
    for year, rows in cached.items():  # Django leaves jsonb undecoded (its JSONField decodes it)
        result[year] = _fold([(year, *row) for row in (json.loads(rows) if isinstance(rows, str) else rows)], [year])[year]
    # One statement a year: over two years the planner underestimates the discussed meetings and hashes every
    # attendance row of the city (about 2× the time of two one-year statements at city scale).
    for year in years:
        if year not in result:
            result.update(compute(municipality_id=municipality.pk, years=[year], store=True)[0])
    return result


def city(wards: WardCounts) -> Counts:
    """The sum over the wards."""
    total = empty()
    for counts in wards.values():
        total["meetings"] += counts["meetings"]
        for table in TABLES:
            for category, n in counts[table].items():
                total[table][category] = total[table].get(category, 0) + n
    return total

