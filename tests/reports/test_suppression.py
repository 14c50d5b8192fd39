"""Publication suppression (docs/suppression.md): small counts hidden, and no hidden count can be
worked back from a 計 — on hand-built cubes (the rule itself), then through the downloads (one cube per year)."""

import csv
import io

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from reports.annual import WardComparison
from reports.suppression import SUPPRESSED, hidden_cells, suppress_comparison
from tests.reports.test_annual import held

WARDS = ("北区", "西成区", "都島区")


def comparison(tables: dict[str, dict[str, list[int]]]) -> WardComparison:
    """A ward comparison by hand: {table: {label: [count per ward]}}; the 計 column and the 全区 row are added.
    SV派遣 and 相談のあった機関 default to all meetings in one row, as their 計 is the number of meetings."""
    built = {}
    meetings = [sum(counts[w] for counts in tables["basis"].values()) for w in range(len(WARDS))]
    tables = {"sv": {"無": meetings}, "referrer": {"地域包括支援センター": meetings}, **tables}
    for key, rows in tables.items():
        header = [*rows, "計"]
        body = [{"ward": ward, "counts": [*(rows[label][w] for label in rows), sum(rows[label][w] for label in rows)]}
                for w, ward in enumerate(WARDS)]
        built[key] = {"header": header, "rows": body,
                      "total": [sum(row["counts"][c] for row in body) for c in range(len(header))]}
    return WardComparison(fiscal_year=2020, label="令和2年度", meetings=meetings, tables=built, municipality="大阪市")


def lines(published: WardComparison):
    """Every line of the published cube: its cells and its total (across a ward, across 全区, down a column)."""
    for table in published.tables.values():
        rows = [row["counts"] for row in table["rows"]] + [table["total"]]
        yield from rows
        for column in range(len(table["header"])):
            yield [counts[column] for counts in rows]


class TestTheRule:
    def test_a_count_that_the_total_would_give_away_takes_a_second_cell_with_it(self):
        # 北区: 14 − 5 − 8 = 1, so hiding the 1 alone hides nothing; 支援会議 (the next smallest) goes too.
        cube = comparison({"basis": {"地域ケア会議": [1, 0, 0], "支援会議": [5, 6, 7], "本人同意": [8, 9, 9]}})
        published = suppress_comparison(cube, 3)
        kita = published.tables["basis"]["rows"][0]["counts"]
        assert kita == [SUPPRESSED, SUPPRESSED, 8, 14]
        for line in lines(published):
            assert line.count(SUPPRESSED) != 1, line
        assert published.suppressed_below == 3 and cube.tables["basis"]["rows"][0]["counts"] == [1, 5, 8, 14]

    def test_a_total_that_is_itself_the_small_count_is_hidden(self):
        # 地域ケア会議 is 1 in 北区 and 0 elsewhere: the 全区 cell of that column is the same 1.
        published = suppress_comparison(comparison({"basis": {"地域ケア会議": [1, 0, 0], "支援会議": [5, 6, 7]}}), 3)
        assert published.tables["basis"]["total"][0] == SUPPRESSED

    def test_the_meetings_go_in_every_table_or_in_none(self):
        # 北区 held 2: its 計 goes in 開催根拠, SV派遣 and 相談のあった機関 alike; so does 西成区's 5, which the
        # 計 column would otherwise give away (2 = 17 − 5 − 10).
        published = suppress_comparison(comparison({"basis": {"地域ケア会議": [1, 0, 4], "支援会議": [1, 5, 6]}}), 3)
        totals = {key: [row["counts"][-1] for row in published.tables[key]["rows"]] for key in ("basis", "sv", "referrer")}
        assert totals["basis"] == totals["sv"] == totals["referrer"] == published.meetings == [SUPPRESSED, SUPPRESSED, 10]

    def test_zero_stays_zero_and_a_threshold_of_one_hides_nothing(self):
        cube = comparison({"basis": {"地域ケア会議": [0, 0, 0], "支援会議": [5, 6, 7]}})
        assert suppress_comparison(cube, 3).tables["basis"]["rows"][0]["counts"] == [0, 5, 5]
        assert hidden_cells(comparison({"basis": {"地域ケア会議": [1, 2, 0]}}), 1) == set()

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(st.lists(st.lists(st.integers(0, 9), min_size=3, max_size=3), min_size=1, max_size=5), st.integers(2, 5))
    def test_no_line_of_any_cube_is_left_with_one_hidden_cell(self, columns, threshold):
        cube = comparison({"basis": {f"根拠{i}": counts for i, counts in enumerate(columns)},
                           "issues": {f"課題{i}": counts[::-1] for i, counts in enumerate(columns)}})
        published = suppress_comparison(cube, threshold)
        for line in lines(published):
            assert line.count(SUPPRESSED) != 1, line
        for key, table in cube.tables.items():
            for before, after in zip([r["counts"] for r in table["rows"]] + [table["total"]],
                                     [r["counts"] for r in published.tables[key]["rows"]] + [published.tables[key]["total"]],
                                     strict=True):
                for n, shown in zip(before, after, strict=True):
                    assert shown == SUPPRESSED if 0 < n < threshold else shown in (n, SUPPRESSED)
                    assert n > 0 or shown == 0


@pytest.mark.django_db
class TestDownloads:
    @pytest.fixture
    def year(self, coordinator_kita, kita):
        """令和2年度 in 北区: 地域ケア会議 1, 支援会議 3, 要対協 3 (計 7): the 1 is recomputable from 計 alone."""
        for basis, times in (("地域ケア会議", 1), ("支援会議", 3), ("要保護児童対策地域協議会", 3)):
            for _ in range(times):
                held(coordinator_kita, kita, basis=basis)

    def test_the_workbook_hides_a_second_count_and_its_ward_sheet_hides_the_same(self, client, bureau, year):
        client.force_login(bureau)
        book = load_workbook(io.BytesIO(client.get(reverse("reports:annual_xlsx"), {"fy": 2020, "suppress": 3}).content))
        basis = {r[0]: r[1] for r in book["開催根拠"].iter_rows(min_row=4, values_only=True) if r[0]}
        assert (basis["地域ケア会議"], basis["支援会議"], basis["要保護児童対策地域協議会"], basis["計"]) == ("*", "*", 3, 7)
        wards = list(book["区別の比較"].iter_rows(values_only=True))
        header = next(r for r in wards if r[0] == "区" and "地域ケア会議" in r)
        start = wards.index(header)
        kita_row = next(r for r in wards[start:] if r[0] == "北区")
        city = next(r for r in wards[start:] if r[0] == "全区")
        for row in (kita_row, city):
            cells = dict(zip(header, row, strict=False))
            assert (cells["地域ケア会議"], cells["支援会議"], cells["要保護児童対策地域協議会"], cells["計"]) == ("*", "*", 3, 7)
        assert "計から逆算できない" in " ".join(str(c) for r in wards for c in r if c)

    def test_the_ward_comparison_csv_hides_what_the_workbook_hides(self, client, bureau, year):
        client.force_login(bureau)
        content = client.get(reverse("reports:annual_wards_csv"), {"fy": 2020, "suppress": 3}).content
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        header = next(r for r in rows if r[:1] == ["区"] and "地域ケア会議" in r)
        city = next(r for r in rows[rows.index(header):] if r[:1] == ["全区"])
        labels = dict(zip(header, city, strict=True))
        assert (labels["地域ケア会議"], labels["支援会議"], labels["要保護児童対策地域協議会"], labels["計"]) == ("*", "*", "3", "7")

    def test_the_command_suppresses_the_same_way(self, year, tmp_path):
        from django.core.management import call_command

        target = tmp_path / "r2.xlsx"
        call_command("annual_report", "--fy", "2020", "--format", "xlsx", "--suppress", "3", "--output", str(target),
                     stderr=io.StringIO())
        book = load_workbook(target)
        basis = {r[0]: r[1] for r in book["開催根拠"].iter_rows(min_row=4, values_only=True) if r[0]}
        assert (basis["地域ケア会議"], basis["支援会議"], basis["計"]) == ("*", "*", 7) and "区別の比較" in book.sheetnames
