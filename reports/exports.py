"""The yearly report as a workbook laid out like seed 000, as CSV for Japanese Excel, and as charts.

One presenter (`present`) turns the typed report of `reports.annual.annual_report` into the tables that the
page, the CSV and the workbook show; the API serves `AnnualReport.to_json()`.
"""

import csv
import dataclasses
import io
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.svg import FONT_FAMILY, RENDER_LOCK, SVG_METADATA, quiet_fonts, titled_svg
from core.wareki import fiscal_year_short_label

from .annual import TOTAL, AnnualReport

# (key, sheet title, row-label heading, footnote key, per-meeting key and its label)
TABLES = [
    ("basis", "開催根拠", "開催根拠", None, None, None),
    ("sv", "SV派遣", "SV 有無", None, None, None),
    ("referrer", "相談のあった機関", "相談のあった機関", "referrer_other", None, None),
    ("participants", "参加機関", "参加機関", "participants_other", "participants_per_meeting", "1回あたり平均参加機関数"),
    ("issues", "課題", "課題", "issues_other", "issues_per_case", "1事例あたり課題数"),
]
SUPPRESSED = "*"


def suppress(report: AnnualReport, threshold: int) -> AnnualReport:
    """A copy for publication: counts from 1 to threshold-1 become "*" (0 stays 0; totals stay)."""
    if threshold <= 1:
        return report
    tables = dict(report.tables)
    for key, *_rest in TABLES:
        rows = []
        for row in report.tables[key]:
            hidden = {y for y, n in row["counts"].items() if 0 < n < threshold and row["label"] != TOTAL}
            new = {**row, "counts": {y: (SUPPRESSED if y in hidden else n) for y, n in row["counts"].items()}}
            if "percent" in row:
                new["percent"] = {y: (SUPPRESSED if y in hidden else p) for y, p in row["percent"].items()}
            rows.append(new)
        tables[key] = rows
    return dataclasses.replace(report, tables=tables, suppressed_below=threshold)


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


def to_csv(report: AnnualReport) -> bytes:
    """UTF-8 with BOM, CRLF: opens cleanly in Japanese Excel. One block per table, a blank line between."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    scope = report.ward or "全区"
    writer.writerow([f"{report.municipality} {scope} 総合的な支援調整の場（つながる場）"])
    for table in present(report):
        writer.writerow([])
        writer.writerow(table.header)
        writer.writerows(table.rows)
        if table.average is not None:
            writer.writerow([table.average_label, *table.average])
        if table.note:
            writer.writerow([f"※その他には、{table.note}"])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def to_xlsx(report: AnnualReport) -> bytes:
    """One sheet per table, Japanese headers, R2年度/R元年度 columns, values only, A4 ready to print."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    scope = report.ward or "全区"
    for table in present(report):
        sheet = workbook.create_sheet(table.title)
        header, rows = table.header, table.rows
        sheet.append([f"{report.municipality} {scope}　つながる場の開催状況（{table.title}）"])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([])
        sheet.append(header)
        for cell in sheet[3]:
            cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for values in rows:
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                cell.border = BOX
                if cell.column > 1:
                    cell.alignment = Alignment(horizontal="right")
            if values[0] == TOTAL:
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
        if table.average is not None:
            sheet.append([table.average_label, *table.average])
            for cell in sheet[sheet.max_row]:
                cell.border = BOX
        if table.note:
            sheet.append([])
            sheet.append([f"※その他には、{table.note}"])
        if report.suppressed_below:
            sheet.append([f"※ {report.suppressed_below}件未満の値は「*」で秘匿しています。"])
        sheet.column_dimensions["A"].width = 34
        for column in range(2, len(header) + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 14
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "portrait"
        sheet.page_setup.fitToWidth = 1
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = "3:3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def chart_svg(report: AnnualReport, key: str) -> str:
    """A horizontal bar chart of one table, both years side by side (matplotlib, text left as text)."""
    years = report.year_columns
    rows = [r for r in report.tables[key] if r["label"] != TOTAL]
    labels = tuple(r["label"] for r in rows)[::-1]
    values = tuple(tuple(r["counts"][y] if isinstance(r["counts"][y], int) else 0 for r in rows)[::-1] for y in years)
    return _chart(key, tuple(years), labels, values)


@lru_cache(maxsize=256)
def _chart(key: str, years: tuple, labels: tuple, values: tuple) -> str:
    """Drawn once per distinct table (about 0.1 s each); the same figures give the same SVG."""
    title = next(t[1] for t in TABLES if t[0] == key)
    buffer = io.BytesIO()
    rc = mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"report-{key}", "font.family": FONT_FAMILY, "font.size": 9})
    with RENDER_LOCK, rc, quiet_fonts():
        figure = Figure(figsize=(5.5, 0.32 * len(labels) + 0.9))
        axes = figure.add_subplot()
        height = 0.38
        positions = range(len(labels))
        styles: list[dict[str, Any]] = [{"color": "#1f4e79"}, {"color": "#ffffff", "edgecolor": "#1f4e79", "hatch": "///"}]
        for index, (year, style) in enumerate(zip(years, styles, strict=True)):
            axes.barh([p + (height / 2 if index == 0 else -height / 2) for p in positions], values[index], height=height,
                      label=fiscal_year_short_label(int(year)), linewidth=0.8, **style)
        axes.set_yticks(list(positions), labels)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(loc="lower right", frameon=False)
        # Fixed margins: tight_layout measures every label and costs more than the drawing itself.
        figure.subplots_adjust(left=0.42, right=0.97, top=0.97, bottom=0.6 / figure.get_figheight())
        figure.savefig(buffer, format="svg", facecolor="white", metadata=SVG_METADATA)
    return titled_svg(buffer.getvalue().decode("utf-8"), css_class="chart", title=title, inline=True)
