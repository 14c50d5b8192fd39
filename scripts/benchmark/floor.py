"""The floor: the yearly tables' counts by hand-written SQL, independent of reports.annual, on the same database.

One statement per (year, ward or the city): every table's counts by category name. `check()` compares them with
the product's report and comparison, row by row, and raises on any difference (the harness's correctness check).
"""

from django.db import connection

FLOOR_SQL = """
WITH d AS (
    SELECT mc.id, mc.meeting_id, m.ward_id, m.basis_id, m.sv_dispatched, c.referring_category_id
    FROM meetings_meetingcase mc
    JOIN meetings_meeting m ON m.id = mc.meeting_id
    JOIN meetings_meetingkind k ON k.id = m.kind_id
    JOIN cases_case c ON c.id = mc.case_id
    WHERE m.municipality_id = %(city)s AND m.status = 'held' AND k.in_annual_tables
      AND m.held_on BETWEEN %(start)s AND %(end)s AND (%(ward)s::bigint IS NULL OR m.ward_id = %(ward)s)
)
SELECT 'meetings', d.ward_id, NULL, count(*) FROM d GROUP BY d.ward_id
UNION ALL SELECT 'basis', d.ward_id, COALESCE(b.name, '不明'), count(*)
    FROM d LEFT JOIN meetings_meetingbasis b ON b.id = d.basis_id GROUP BY 2, 3
UNION ALL SELECT 'sv', d.ward_id, CASE WHEN d.sv_dispatched THEN '有' ELSE '無' END, count(*) FROM d GROUP BY 2, 3
UNION ALL SELECT 'referrer', d.ward_id, ac.name, count(*)
    FROM d LEFT JOIN agencies_agencycategory ac ON ac.id = d.referring_category_id GROUP BY 2, 3
UNION ALL SELECT 'participants', d.ward_id, ac.name, count(*)
    FROM d JOIN meetings_meetingagency ma ON ma.meeting_id = d.meeting_id AND ma.attended
    JOIN agencies_agency a ON a.id = ma.agency_id JOIN agencies_agencycategory ac ON ac.id = a.category_id GROUP BY 2, 3
UNION ALL SELECT 'issues', d.ward_id, ic.name, count(*)
    FROM d JOIN meetings_meetingcaseissue mi ON mi.discussion_id = d.id
    JOIN cases_issuecategory ic ON ic.id = mi.category_id GROUP BY 2, 3
"""


def floor_counts(*, city: int, fiscal_year: int, ward: int | None = None) -> dict:
    """{table: {ward id: {name: n}}} ("meetings": {ward id: {None: n}}) for one fiscal year."""
    params = {"city": city, "start": f"{fiscal_year}-04-01", "end": f"{fiscal_year + 1}-03-31", "ward": ward}
    counts: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, params)
        for table, ward_id, name, n in cursor.fetchall():
            counts.setdefault(table, {}).setdefault(ward_id, {})[name] = n
    return counts


def _city(counts: dict, table: str) -> dict:
    merged: dict = {}
    for by_name in counts.get(table, {}).values():
        for name, n in by_name.items():
            merged[name] = merged.get(name, 0) + n
    return merged


def _expect_rows(table: str, rows: list, floor: dict, names: tuple) -> list[str]:
    """Differences between the product's rows of one table and the floor's counts by name."""
    problems = []
    total = sum(floor.values())
    by_label = {row["label"]: row["count"] for row in rows}
    if by_label.get("計") != total:
        problems.append(f"{table} 計: {by_label.get('計')} != {total}")
    if table in ("basis", "sv"):
        for label, n in by_label.items():
            if label != "計" and n != floor.get(label, 0):
                problems.append(f"{table} {label}: {n} != {floor.get(label, 0)}")
        missing = {name for name, n in floor.items() if n and name not in by_label}
        if missing:
            problems.append(f"{table}: rows missing for {missing}")
        return problems
    named = 0
    for name, row in zip(names, rows, strict=False):
        named += floor.get(name, 0)
        if row["count"] != floor.get(name, 0):
            problems.append(f"{table} {row['label']}: {row['count']} != {floor.get(name, 0)}")
    if by_label.get("その他") != total - named:
        problems.append(f"{table} その他: {by_label.get('その他')} != {total - named}")
    return problems


def check_report(report: dict, floors: dict[int, dict], layout) -> list[str]:
    """report: AnnualReport.to_json(); floors: {fiscal year: floor_counts(…)} for its years."""
    problems = []
    names = {"basis": (), "sv": (), "referrer": layout.referrer, "participants": layout.participants,
             "issues": layout.issues}
    for year in report["fiscal_years"]:
        floor = floors[year]
        if report["meetings"][str(year)] != sum(_city(floor, "meetings").values()):
            problems.append(f"{year} meetings: {report['meetings'][str(year)]} != {_city(floor, 'meetings')}")
        for table, table_names in names.items():
            rows = [{"label": row["label"], "count": row["counts"][str(year)]} for row in report["tables"][table]]
            problems += [f"{year} {p}" for p in _expect_rows(table, rows, _city(floor, table), table_names)]
    return problems


def check_comparison(comparison: dict, floor: dict, wards: dict[str, int], layout) -> list[str]:
    """comparison: WardComparison.to_json(); floor: floor_counts(…) of the city for its year; wards: name → id."""
    problems = []
    names = {"basis": (), "sv": (), "referrer": layout.referrer, "participants": layout.participants,
             "issues": layout.issues}
    for table, table_names in names.items():
        header = comparison["tables"][table]["header"]
        for line in comparison["tables"][table]["rows"]:
            rows = [{"label": label, "count": n} for label, n in zip(header, line["counts"], strict=True)]
            ward_floor = floor.get(table, {}).get(wards[line["ward"]], {})
            if table == "basis":  # the comparison's columns are the city's rows: a ward may lack one
                ward_floor = {**{label: 0 for label in header if label != "計"}, **ward_floor}
            problems += [f"{line['ward']} {p}" for p in _expect_rows(table, rows, ward_floor, table_names)]
    return problems
