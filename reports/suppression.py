"""Publication suppression: small counts become "*", and so do enough other cells that none can be worked
back from a 計 (docs/suppression.md has the rule in full).

A year's figures are suppressed once, on that year's ward × category cube (the ward comparison with its 全区
row and 計 column). Every export reads its cells from that cube — the city-wide tables from the 全区 row, a
ward's tables from the ward's row, the ward comparison from the whole cube — so two exports of the same year
hide the same cells and cannot be laid side by side to undo each other.
"""

import dataclasses
from collections.abc import Iterable

from .annual import TOTAL, AnnualReport, Layout, Source, WardComparison, ward_comparison

SUPPRESSED = "*"
# Their 計 is the number of meetings (every discussion has one basis, one SV answer and one referrer or none):
# hidden in one, hidden in all.
MEETING_TOTALS = ("basis", "sv", "referrer")
Cell = tuple[str, int | None, int]  # (table, ward row or None for 全区, column of the table's header)
Line = tuple[list[Cell], Cell]  # cells that add up to a total, and the total


def _cube(comparison: WardComparison) -> tuple[dict[Cell, int], list[Line], list[list[Cell]]]:
    values: dict[Cell, int] = {}
    lines: list[Line] = []
    for key, table in comparison.tables.items():
        last = len(table["header"]) - 1  # the 計 column
        wards: list[int | None] = list(range(len(table["rows"])))
        for index, row in enumerate(table["rows"]):
            values.update({(key, index, column): n for column, n in enumerate(row["counts"])})
        values.update({(key, None, column): n for column, n in enumerate(table["total"])})
        for ward in [*wards, None]:  # across: a ward's categories add up to its 計; the 全区 row to the grand total
            lines.append(([(key, ward, column) for column in range(last)], (key, ward, last)))
        for column in range(last + 1):  # down: the wards add up to the 全区 row
            lines.append(([(key, ward, column) for ward in wards], (key, None, column)))
    ward_rows: list[int | None] = list(range(len(comparison.meetings)))
    groups = [[(key, ward, len(comparison.tables[key]["header"]) - 1) for key in MEETING_TOTALS if key in comparison.tables]
              for ward in [*ward_rows, None]]
    return values, lines, groups


def _complete(hidden: set[Cell], values: dict[Cell, int], lines: list[Line], groups: list[list[Cell]]) -> set[Cell]:
    """Hide more until no line has exactly one hidden cell (among its cells and its total) and equal figures
    are hidden together. Each line that needs it gives up its smallest positive count still shown (the first
    in table order on a tie), or its total when it has none. Only ever adds, so it ends."""
    hidden = set(hidden)
    changed = True
    while changed:
        changed = False
        for group in groups:
            if any(cell in hidden for cell in group) and not all(cell in hidden for cell in group):
                hidden.update(group)
                changed = True
        for members, total in lines:
            if sum(cell in hidden for cell in (*members, total)) != 1:
                continue
            shown = [cell for cell in members if cell not in hidden and values[cell] > 0]
            pick = min(shown, key=values.__getitem__) if shown else total
            if pick not in hidden:
                hidden.add(pick)
                changed = True
    return hidden


def hidden_cells(comparison: WardComparison, threshold: int) -> set[Cell]:
    """The cells of a year's cube that a publication shows as "*": every count from 1 to threshold-1 (totals
    too; 0 stays 0), then the complementary cells."""
    values, lines, groups = _cube(comparison)
    primary = {cell for cell, n in values.items() if 0 < n < threshold}
    return _complete(primary, values, lines, groups)


def _mask(value, hide: bool):
    return SUPPRESSED if hide else value


def suppress_comparison(comparison: WardComparison, threshold: int) -> WardComparison:
    """A copy of the ward comparison for publication."""
    hidden = hidden_cells(comparison, threshold)
    tables = {}
    for key, table in comparison.tables.items():
        tables[key] = {
            "header": table["header"],
            "rows": [{**row, "counts": [_mask(n, (key, ward, column) in hidden) for column, n in enumerate(row["counts"])]}
                     for ward, row in enumerate(table["rows"])],
            "total": [_mask(n, (key, None, column) in hidden) for column, n in enumerate(table["total"])],
        }
    meetings = [_mask(n, ("basis", ward, len(tables["basis"]["header"]) - 1) in hidden)
                for ward, n in enumerate(comparison.meetings)]
    return dataclasses.replace(comparison, tables=tables, meetings=meetings, suppressed_below=threshold)


def suppress_report(report: AnnualReport, threshold: int, comparisons: dict[int, WardComparison]) -> AnnualReport:
    """A copy of the yearly tables for publication; `comparisons` holds each of its years' cube (the same
    municipality and layout). 割合(%) and the averages go where their count or the meetings go; 増減 is left
    out by the presenter wherever a year is hidden."""
    tables = dict(report.tables)
    meetings = dict(report.meetings)
    for year in report.year_columns:
        comparison = comparisons[int(year)]
        hidden = hidden_cells(comparison, threshold)
        ward = None if report.ward is None else _ward_row(comparison, report.ward)

        def is_hidden(key: str, label: str, comparison=comparison, hidden=hidden, ward=ward) -> bool:
            header = comparison.tables[key]["header"]
            return label in header and (key, ward, header.index(label)) in hidden

        meetings_hidden = is_hidden("basis", TOTAL)
        meetings[year] = _mask(meetings[year], meetings_hidden)
        for key in ("basis", "sv", "referrer", "participants", "issues"):
            rows = []
            for row in tables[key]:
                hide = is_hidden(key, row["label"])
                new = {**row, "counts": {**row["counts"], year: _mask(row["counts"][year], hide)}}
                if "percent" in row:
                    new["percent"] = {**row["percent"], year: _mask(row["percent"][year], hide or meetings_hidden)}
                rows.append(new)
            tables[key] = rows
        for average, key in (("participants_per_meeting", "participants"), ("issues_per_case", "issues")):
            values = tables[average]
            tables[average] = {**values, year: _mask(values[year], meetings_hidden or is_hidden(key, TOTAL))}
    return dataclasses.replace(report, tables=tables, meetings=meetings, suppressed_below=threshold)


def _ward_row(comparison: WardComparison, ward: str) -> int:
    rows: Iterable[dict] = next(iter(comparison.tables.values()))["rows"]
    return next(index for index, row in enumerate(rows) if row["ward"] == ward)


def for_publication(report: AnnualReport, threshold: int, *, municipality, layout: Layout,
                    source: Source | None = None) -> tuple[AnnualReport, WardComparison]:
    """The yearly tables and the ward comparison of their year, suppressed together (one cube per year).
    `source`: the one the report was built from, so its years are not read again."""
    source = source or Source(municipality)
    comparisons = {year: ward_comparison(municipality=municipality, fiscal_year=year, layout=layout, source=source)
                   for year in report.fiscal_years}
    return (suppress_report(report, threshold, comparisons),
            suppress_comparison(comparisons[report.fiscal_years[0]], threshold))
