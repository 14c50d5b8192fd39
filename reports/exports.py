"""The yearly report as a workbook laid out like seed 000, as CSV for Japanese Excel, and as charts.

One presenter (`present`) turns the typed report of `reports.annual.annual_report` into the tables that the
page, the CSV and the workbook show; `present_comparison` does the same for the ward comparison (a sheet of the
city-wide workbook and a CSV of its own). The API serves `AnnualReport.to_json()`. Copies for publication come
from `reports.suppression`.
"""

import csv
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.cache import caches
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import svg as svg_module
from core.spreadsheet import neutralise
from core.svg import FONT_FAMILY, SVG_METADATA, drawing, text_em, titled_svg, wrap_label
from core.wareki import fiscal_year_short_label

from .annual import TOTAL, AnnualReport, WardComparison

if TYPE_CHECKING:
    from openpyxl import Workbook

# openpyxl and matplotlib are imported by the functions that write a workbook or draw a chart: the JSON and CSV
# outputs (the annual_report command, the API) start without them (docs/benchmarks/startup.md).

# (key, sheet title, row-label heading, footnote key, per-meeting key and its label)
TABLES = [
    ("basis", "開催根拠", "開催根拠", None, None, None),
    ("sv", "SV派遣", "SV 有無", None, None, None),
    ("referrer", "相談のあった機関", "相談のあった機関", "referrer_other", None, None),
    ("participants", "参加機関", "参加機関", "participants_other", "participants_per_meeting", "1回あたり平均参加機関数"),
    ("issues", "課題", "課題", "issues_other", "issues_per_case", "1事例あたり課題数"),
]
WARDS_SHEET = gettext_lazy("区別の比較")  # the sheet's name in the reader's language


def report_title(report: AnnualReport) -> str:
    """「令和2年度（比較: 令和元年度）北区」: the years and the scope every output's title carries."""
    first, compared = (report.labels[y] for y in report.year_columns)
    return _("%(year)s（比較: %(compared)s）%(scope)s") % {"year": first, "compared": compared,
                                                       "scope": report.ward or _("全区")}


def suppression_note(threshold: int | None) -> str:
    if not threshold:
        return ""
    return f"※ {threshold}件未満の値と、計から逆算できないよう選んだ値を「*」で秘匿しています。"


def _difference(row, years):
    now, before = (row["counts"][years[0]], row["counts"][years[1]])
    if isinstance(now, int) and isinstance(before, int):
        return now - before
    return None  # a suppressed count: no difference to show


def table_rows(report: AnnualReport, key: str) -> tuple[list[str], list[list]]:
    """Header and rows of one table as plain values."""
    years = report.year_columns
    labels = [fiscal_year_short_label(int(y)) for y in years]
    heading = next(t[2] for t in TABLES if t[0] == key)
    if key == "referrer":
        header = [heading, f"{labels[0]} 件数", f"{labels[0]} 割合(%)", f"{labels[1]} 件数", f"{labels[1]} 割合(%)", "増減"]
        rows = [[r["label"], r["counts"][years[0]], r["percent"][years[0]], r["counts"][years[1]], r["percent"][years[1]],
                 _difference(r, years)] for r in report.tables[key]]
    else:
        header = [heading, labels[0], labels[1], "増減"]
        rows = [[r["label"], r["counts"][years[0]], r["counts"][years[1]], _difference(r, years)] for r in report.tables[key]]
    return header, rows


@dataclass(frozen=True)
class PresentedTable:
    """One table as every output shows it."""

    key: str
    title: str
    header: list[str]
    rows: list[list]
    note: str  # what その他 holds, "" when the table has no その他
    average_label: str | None
    average: list | None  # per year, when the table has a per-meeting average


def present(report: AnnualReport) -> list[PresentedTable]:
    """The report's five tables in seed 000's order: the one presenter behind the page, the CSV and the workbook."""
    tables = []
    for key, title, _heading, note, average, average_label in TABLES:
        header, rows = table_rows(report, key)
        tables.append(PresentedTable(
            key=key, title=title, header=header, rows=rows, note=report.footnotes.get(note) or "" if note else "",
            average_label=average_label,
            average=[report.tables[average][y] for y in report.year_columns] if average else None))
    return tables


@dataclass(frozen=True)
class PresentedComparison:
    """One table of the ward comparison: a row per ward, then 全区."""

    key: str
    title: str
    header: list[str]
    rows: list[list]
    total: list


def present_comparison(comparison: WardComparison) -> list[PresentedComparison]:
    return [PresentedComparison(
        key=key, title=title, header=["区", *comparison.tables[key]["header"]],
        rows=[[row["ward"], *row["counts"]] for row in comparison.tables[key]["rows"]],
        total=["全区", *comparison.tables[key]["total"]],
    ) for key, title, *_rest in TABLES]


def comparison_title(comparison: WardComparison) -> str:
    return _("%(municipality)s　%(year)s　区別の比較（つながる場の開催状況）") % {
        "municipality": comparison.municipality, "year": comparison.label}


class _NeutralWriter:
    """A csv.writer whose every text cell goes through `core.spreadsheet.neutralise`: a master name such as
    ``=HYPERLINK(…)`` is written as text, never as a formula Excel would run. Numbers stay numbers."""

    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row) -> None:
        self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def _csv(write) -> bytes:
    """UTF-8 with BOM, CRLF: opens cleanly in Japanese Excel. Every cell neutralised (no live formulas)."""
    buffer = io.StringIO()
    write(_NeutralWriter(csv.writer(buffer, lineterminator="\r\n")))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _saved(workbook: "Workbook") -> bytes:
    """The workbook as bytes, values only: every text cell neutralised and stored as a string. openpyxl takes a
    str that begins with ``=`` for a formula; the product writes none, so no cell may be one."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = neutralise(cell.value)
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def comparison_to_csv(comparison: WardComparison) -> bytes:
    """The ward comparison: one block per table, a blank line between."""
    def write(writer):
        writer.writerow([comparison_title(comparison)])
        for table in present_comparison(comparison):
            writer.writerow([])
            writer.writerow([table.title])
            writer.writerow(table.header)
            writer.writerows(table.rows)
            writer.writerow(table.total)
        if comparison.suppressed_below:
            writer.writerow([])
            writer.writerow([suppression_note(comparison.suppressed_below)])
    return _csv(write)


def to_csv(report: AnnualReport) -> bytes:
    """One block per table, a blank line between."""
    return _csv(lambda writer: _write_csv(writer, report))


def _write_csv(writer, report: AnnualReport) -> None:
    writer.writerow([_("%(municipality)s %(title)s 総合的な支援調整の場（つながる場）") % {
        "municipality": report.municipality, "title": report_title(report)}])
    for table in present(report):
        writer.writerow([])
        writer.writerow(table.header)
        writer.writerows(table.rows)
        if table.average is not None:
            writer.writerow([table.average_label, *table.average])
        if table.note:
            writer.writerow([f"※その他には、{table.note}"])
    if report.suppressed_below:
        writer.writerow([])
        writer.writerow([suppression_note(report.suppressed_below)])


@lru_cache(maxsize=1)
def _borders():
    """(the thin box around every cell, the headers' fill)"""
    from openpyxl.styles import Border, PatternFill, Side

    thin = Side(style="thin", color="000000")
    return Border(left=thin, right=thin, top=thin, bottom=thin), PatternFill("solid", fgColor="DDEBF7")


def to_xlsx(report: AnnualReport, comparison: WardComparison | None = None) -> bytes:
    """One sheet per table, Japanese headers, R2年度/R元年度 columns, values only, A4 ready to print; the ward
    comparison (when given) on a sheet of its own."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    box, head_fill = _borders()
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in present(report):
        sheet = workbook.create_sheet(table.title)
        header, rows = table.header, table.rows
        sheet.append([_("%(municipality)s　%(title)s　つながる場の開催状況（%(table)s）") % {
            "municipality": report.municipality, "title": report_title(report), "table": table.title}])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([])
        sheet.append(header)
        for cell in sheet[3]:
            cell.font, cell.fill, cell.border = Font(bold=True), head_fill, box
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for values in rows:
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                cell.border = box
                if cell.column > 1:
                    cell.alignment = Alignment(horizontal="right")
            if values[0] == TOTAL:
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
        if table.average is not None:
            sheet.append([table.average_label, *table.average])
            for cell in sheet[sheet.max_row]:
                cell.border = box
        if table.note:
            sheet.append([])
            sheet.append([f"※その他には、{table.note}"])
        if report.suppressed_below:
            sheet.append([suppression_note(report.suppressed_below)])
        sheet.column_dimensions["A"].width = 34
        for column in range(2, len(header) + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 14
        _a4(sheet, "portrait")
        sheet.print_title_rows = "3:3"
    if comparison is not None:
        _comparison_sheet(workbook, comparison)
    return _saved(workbook)


def _a4(sheet, orientation: str) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = orientation
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _comparison_sheet(workbook: "Workbook", comparison: WardComparison) -> None:
    """The five tables of the ward comparison one under another: a row per ward, 全区 in bold."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    box, head_fill = _borders()
    sheet = workbook.create_sheet(str(WARDS_SHEET))
    sheet.append([comparison_title(comparison)])
    sheet["A1"].font = Font(bold=True, size=12)
    widest = 0
    for table in present_comparison(comparison):
        sheet.append([])
        sheet.append([table.title])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        sheet.append(table.header)
        for cell in sheet[sheet.max_row]:
            cell.font, cell.fill, cell.border = Font(bold=True), head_fill, box
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for values in [*table.rows, table.total]:
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                cell.border = box
                if cell.column > 1:
                    cell.alignment = Alignment(horizontal="right")
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        widest = max(widest, len(table.header))
    if comparison.suppressed_below:
        sheet.append([])
        sheet.append([suppression_note(comparison.suppressed_below)])
    sheet.column_dimensions["A"].width = 14
    for column in range(2, widest + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    _a4(sheet, "landscape")
    sheet.page_setup.fitToHeight = 0  # as many pages down as the wards need


def chart_svg(report: AnnualReport, key: str) -> str:
    """A horizontal bar chart of one table, both years side by side (matplotlib, text left as text)."""
    years = report.year_columns
    rows = [r for r in report.tables[key] if r["label"] != TOTAL]
    labels = tuple(r["label"] for r in rows)[::-1]
    values = tuple(tuple(r["counts"][y] if isinstance(r["counts"][y], int) else 0 for r in rows)[::-1] for y in years)
    return _chart(key, tuple(years), labels, values)


CHART_WIDTH, CHART_FONT = 5.5, 9  # inches, points
LABEL_EM = 16  # the widest line of a row label: longer labels wrap rather than run off the left edge
TICK_ROOM = 13  # points between a label and the axis: tick, pad and a little air


KEPT_FOR = 60 * 60 * 24 * 30  # seconds; a chart is only ever outdated by a new key, so this just frees space


@lru_cache(maxsize=1)
def _drawing_version() -> str:
    """This module, core.svg and matplotlib's version as one hash: a change to any gives every chart a new key."""
    digest = hashlib.sha256()
    for path in (Path(__file__), Path(svg_module.__file__)):
        digest.update(path.read_bytes())
    digest.update(f"matplotlib={version('matplotlib')}".encode())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=256)
def _chart(key: str, years: tuple, labels: tuple, values: tuple) -> str:
    """Drawn once per distinct table (about 0.1 s each) by any process: kept in this process and in the shared
    cache under a hash of the figures and the drawing code; the same figures give the same SVG."""
    figures = hashlib.sha256(repr((key, years, labels, values)).encode()).hexdigest()
    cache_key = f"report-chart:{_drawing_version()}:{figures}"
    svg = caches["drawings"].get(cache_key)
    if svg is None:
        svg = _draw_chart(key, years, labels, values)
        caches["drawings"].set(cache_key, svg, KEPT_FOR)
    return svg


def _draw_chart(key: str, years: tuple, labels: tuple, values: tuple) -> str:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    title = next(t[1] for t in TABLES if t[0] == key)
    wrapped = [wrap_label(label, LABEL_EM) for label in labels]
    lines = max((len(w) for w in wrapped), default=1)
    # matplotlib cannot measure Japanese it has no font for: the margin comes from the labels' widths in ems.
    label_width = max((text_em(line) for w in wrapped for line in w), default=0) * CHART_FONT
    row = 0.32 if lines == 1 else 0.15 * lines + 0.08
    top = max((n for year in values for n in year), default=0)
    buffer = io.BytesIO()
    rc = {"svg.fonttype": "none", "svg.hashsalt": f"report-{key}", "font.family": FONT_FAMILY, "font.size": CHART_FONT}
    with drawing(rc):  # master labels as plain text: a `$` in a name is a `$`
        figure = Figure(figsize=(CHART_WIDTH, row * len(labels) + 1.15))
        axes = figure.add_subplot()
        height = 0.38
        positions = range(len(labels))
        styles: list[dict[str, Any]] = [{"color": "#1f4e79"}, {"color": "#ffffff", "edgecolor": "#1f4e79", "hatch": "///"}]
        for index, (year, style) in enumerate(zip(years, styles, strict=True)):
            axes.barh([p + (height / 2 if index == 0 else -height / 2) for p in positions], values[index], height=height,
                      label=fiscal_year_short_label(int(year)), linewidth=0.8, **style)
        axes.set_yticks(list(positions), [""] * len(labels))
        for position, label_lines in zip(positions, wrapped, strict=True):
            # One right-aligned <text> per line: matplotlib would place the lines of one text by measuring them.
            for index, line in enumerate(label_lines):
                axes.annotate(line, xy=(0, position), xycoords=("axes fraction", "data"), ha="right", va="center",
                              xytext=(-7, ((len(label_lines) - 1) / 2 - index) * 1.2 * CHART_FONT),
                              textcoords="offset points", annotation_clip=False)
        # Counts: whole-number ticks from 0, and 0 to 1 for a year with none (not an axis of ±0.045).
        axes.set_xlim(0, top * 1.05 if top else 1)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.xaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(loc="lower right", bbox_to_anchor=(1, 1), ncols=2, frameon=False)  # above the bars, never on them
        # Fixed margins: tight_layout measures every label and costs more than the drawing itself.
        figure.subplots_adjust(left=min((label_width + TICK_ROOM) / (CHART_WIDTH * 72), 0.5), right=0.97, top=1 - 0.3 / figure.get_figheight(),
                               bottom=0.6 / figure.get_figheight())
        figure.savefig(buffer, format="svg", facecolor="white", metadata=SVG_METADATA)
    return titled_svg(buffer.getvalue().decode("utf-8"), css_class="chart", title=title, inline=True)
