"""The bureau opens the yearly report, switches the year and downloads the workbook (issue 6's 'done means')."""

import datetime as dt

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import log_in, screenshot
from tests.factories import TEST_PASSWORD
from tests.reports.test_annual import held

pytestmark = pytest.mark.browser


def test_bureau_opens_the_report_switches_the_year_and_downloads_the_workbook(page, bureau, coordinator_kita, kita, tmp_path):
    held(coordinator_kita, kita, day=dt.date(2020, 6, 1))
    held(coordinator_kita, kita, day=dt.date(2019, 6, 1), basis="支援会議")
    held(coordinator_kita, kita, day=dt.date(2019, 7, 1), basis="支援会議")
    log_in(page, "bureau", TEST_PASSWORD)
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="年次集計").click()
    assert page.get_by_text("令和2年度：開催 1 回").is_visible()  # it opens on the latest year with meetings
    page.locator("#id_fy").select_option(label="令和2年度")
    page.get_by_role("button", name="表示する").click()
    assert page.get_by_text("令和2年度：開催 1 回").is_visible()
    screenshot(page, "report-1-r2")

    page.locator("#id_fy").select_option(label="令和元年度")
    page.get_by_role("button", name="表示する").click()
    assert page.get_by_text("令和元年度：開催 2 回").is_visible()
    assert page.locator("svg.chart").count() == 5

    with page.expect_download() as download:
        page.get_by_role("link", name="Excelをダウンロード").click()
    target = tmp_path / "report.xlsx"
    download.value.save_as(target)
    book = load_workbook(target)
    rows = {r[0]: r[1:3] for r in book["開催根拠"].iter_rows(min_row=4, values_only=True) if r[0]}
    assert rows["支援会議"] == (2, 0) and rows["計"] == (2, 0)
    assert [c.value for c in book["開催根拠"][3]][1:3] == ["R元年度", "H30年度"]


def test_every_column_of_the_yearly_tables_shows_on_a_1280_pixel_screen(page, bureau, coordinator_kita, kita):
    held(coordinator_kita, kita, day=dt.date(2020, 6, 1))
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "bureau", TEST_PASSWORD)
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="年次集計").click()
    screenshot(page, "report-2-1280")
    # A box that scrolls sideways hides its last columns (増減) until scrolled: none may need to at 1280px.
    hidden = page.eval_on_selector_all(
        ".report-table .table-scroll",
        "boxes => boxes.filter(b => b.scrollWidth > b.clientWidth).map(b => b.closest('section').id)")
    assert hidden == []
    assert page.locator("#table-referrer").get_by_role("columnheader", name="増減").is_visible()
