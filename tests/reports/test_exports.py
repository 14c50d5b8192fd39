"""The outputs of the yearly tables: the workbook's titles and its ward comparison sheet, the comparison's CSV,
and the charts (whole-number ticks, labels that fit)."""

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from core.svg import text_em
from reports import exports
from reports.annual import annual_report, ward_comparison
from tests.reports.test_annual import held

pytestmark = pytest.mark.django_db

CHART_FONT = 9  # px in the SVG's user units, as the charts set it


@pytest.fixture
def year(coordinator_kita, coordinator_nishinari, kita, nishinari):
    held(coordinator_kita, kita)
    held(coordinator_kita, kita, basis="支援会議")
    held(coordinator_nishinari, nishinari, day=dt.date(2019, 5, 1))


class TestWorkbook:
    def test_every_title_carries_the_years_and_the_ward(self, year, kita):
        report = annual_report(municipality=kita.municipality, fiscal_year=2020, ward=kita)
        book = load_workbook(io.BytesIO(exports.to_xlsx(report)))
        for sheet in book:
            assert sheet["A1"].value.startswith("大阪市　令和2年度（比較: 令和元年度）北区　つながる場の開催状況（"), sheet.title
        older = annual_report(municipality=kita.municipality, fiscal_year=2020, compare=2017)
        assert "令和2年度（比較: 平成29年度）全区" in load_workbook(io.BytesIO(exports.to_xlsx(older)))["課題"]["A1"].value
        first = next(csv.reader(io.StringIO(exports.to_csv(report).decode("utf-8-sig"))))
        assert "令和2年度（比較: 令和元年度）北区" in first[0]

    def test_the_city_workbook_has_the_ward_comparison_on_a_sheet(self, year, kita):
        report = annual_report(municipality=kita.municipality, fiscal_year=2020)
        wards = ward_comparison(municipality=kita.municipality, fiscal_year=2020)
        book = load_workbook(io.BytesIO(exports.to_xlsx(report, wards)))
        assert book.sheetnames[-1] == "区別の比較"
        rows = list(book["区別の比較"].iter_rows(values_only=True))
        assert rows[0][0] == "大阪市　令和2年度　区別の比較（つながる場の開催状況）"
        start = next(i for i, r in enumerate(rows) if r[0] == "開催根拠")
        header, body = rows[start + 1], []
        for r in rows[start + 2:]:
            if r[0] is None:
                break
            body.append(r)
        table = {r[0]: {h: v for h, v in zip(header, r, strict=True) if h} for r in body}
        assert header[:3] == ("区", "地域ケア会議", "支援会議") and list(table)[-1] == "全区"
        assert (table["北区"]["地域ケア会議"], table["北区"]["支援会議"], table["北区"]["計"]) == (1, 1, 2)
        assert table["西成区"]["計"] == 0  # its meeting was the year before
        assert table["全区"]["計"] == 2 and len(table) == len(wards.meetings) + 1
        assert int(book["区別の比較"].page_setup.paperSize) == int(book["区別の比較"].PAPERSIZE_A4)

    def test_the_ward_comparison_as_csv(self, year, kita):
        content = exports.comparison_to_csv(ward_comparison(municipality=kita.municipality, fiscal_year=2020))
        assert content.startswith(b"\xef\xbb\xbf") and b"\r\n" in content
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert rows[0] == ["大阪市　令和2年度　区別の比較（つながる場の開催状況）"]
        assert [r[0] for r in rows if r[:1] == ["全区"]] == ["全区"] * 5  # one total row per table
        header = rows[rows.index(["開催根拠"]) + 1]
        kita_row = next(r for r in rows if r[:1] == ["北区"])
        assert dict(zip(header, kita_row, strict=True))["計"] == "2"


def _texts(svg: str) -> list[tuple[str, float, str]]:
    """(anchor, x, text) of every <text> the chart leaves to the browser."""
    found = []
    for attributes, text in re.findall(r"<text ([^>]*)>([^<]*)</text>", svg):
        anchor = re.search(r'text-anchor="(\w+)"', attributes)
        x = re.search(r'\bx="([-\d.]+)"', attributes)
        found.append((anchor[1] if anchor else "start", float(x[1]) if x else 0.0, text))
    return found


class TestCharts:
    def test_ticks_are_whole_numbers_even_in_a_year_with_no_meetings(self, osaka, year, kita):
        for report in (annual_report(municipality=osaka, fiscal_year=2024),  # nothing held in either year
                       annual_report(municipality=kita.municipality, fiscal_year=2020)):
            for key in ("basis", "sv", "referrer", "participants", "issues"):
                ticks = [text for anchor, _x, text in _texts(exports.chart_svg(report, key)) if anchor == "middle"]
                assert ticks and all(re.fullmatch(r"\d+", tick) for tick in ticks), (key, ticks)
                assert ticks[0] == "0"

    def test_long_labels_wrap_and_stay_inside_the_chart(self, year, kita):
        report = annual_report(municipality=kita.municipality, fiscal_year=2020)
        svg = exports.chart_svg(report, "basis")
        labels = [(x, text) for anchor, x, text in _texts(svg) if anchor == "end"]
        for x, text in labels:  # right-aligned at x: the label starts text_em(text) ems to its left
            assert x - text_em(text) * CHART_FONT >= 0, text
        lines = [text for _x, text in labels]
        longest = "地域ケア会議・要保護児童対策地域協議会の共催"
        assert longest not in lines and "".join(lines).count(longest) == 1  # on two lines, nothing dropped
        assert "本人同意（つながる場単独開催）" in lines
