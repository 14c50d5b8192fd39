"""A coordinator's work from first call to closure, in headless Chromium (issue 3's 'done means')."""

import re

import pytest

from tests.browser.conftest import log_in, pick, screenshot
from tests.factories import TEST_PASSWORD, AgencyFactory

pytestmark = pytest.mark.browser


def test_search_duplicate_new_household_case_consultation_issues_consent_plan_and_closure(
    page, coordinator_kita, household_kita, kita_houkatsu, kita
):
    AgencyFactory(ward=kita, name="北区社会福祉協議会")
    log_in(page, "kita_coordinator", TEST_PASSWORD)

    # Search first: half-width kana finds the household already registered.
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="世帯").click()
    page.get_by_label("世帯を探す").fill("ｷﾀﾑﾗ")
    page.get_by_role("button", name="検索").click()
    assert page.get_by_role("link", name="北村 一郎").is_visible()
    assert "ｷﾀﾑﾗ" not in page.url and "s=" in page.url  # the search is posted, not put in the address

    # A new household with the same kana and birth date is flagged before anything is saved.
    page.get_by_role("link", name="世帯を新規登録").click()
    page.get_by_label("本人の氏名").fill("北村 一郎")
    page.get_by_label("ふりがな").fill("キタムラ イチロウ")
    page.get_by_label("生年月日").fill("1960-04-01")
    page.get_by_role("button", name="登録する").click()
    assert page.get_by_role("heading", name="同じ世帯が既に登録されているかもしれません").is_visible()
    screenshot(page, "casework-1-duplicate")
    page.get_by_role("button", name="それでも新規登録する").click()
    page.wait_for_url(re.compile(r"/households/\d+/$"))
    assert page.get_by_text("世帯を登録しました").is_visible()

    # Open a case and log a phone call.
    page.get_by_role("link", name="事例を開始").click()
    page.get_by_label("相談経路").select_option(label="電話")
    page.get_by_role("button", name="受け付ける").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    assert page.get_by_role("heading", name=re.compile(r"事例 R\d+-0001")).is_visible()
    page.get_by_label("内容").fill("本人から電話。家賃を2か月滞納している。")
    page.get_by_label("所要時間（分）").fill("10")
    page.get_by_role("button", name="記録する").click()
    assert page.get_by_text("家賃を2か月滞納している。").is_visible()

    # Two issues.
    for issue in ("経済的困窮", "孤立"):
        page.locator("summary", has_text="課題を追加").click()
        page.locator("#id_category").select_option(label=issue)
        page.get_by_role("button", name="追加する").click()
        assert page.get_by_text("課題を追加しました").is_visible()

    # Consent for information sharing.
    assert page.get_by_text("✗ 情報共有（同意なし）").is_visible()
    page.get_by_role("link", name="同意を記録する").click()
    page.get_by_label("すべての関係機関").check()
    page.get_by_role("button", name="記録する").click()
    assert page.get_by_text("✓ 情報共有").is_visible()

    # A plan with two role assignments.
    page.get_by_role("link", name="支援プランを作成する").click()
    page.get_by_label("支援の目標").fill("家計を立て直し、住まいを守る")
    pick(page.locator("#id_tasks-0-agency-ts-control"), "包括", expected=kita_houkatsu.name)
    page.locator("#id_tasks-0-task").fill("見守り訪問")
    pick(page.locator("#id_tasks-1-agency-ts-control"), "社会福祉", expected="北区社会福祉協議会")
    page.locator("#id_tasks-1-task").fill("家計相談")
    page.get_by_role("button", name="保存する").click()
    assert page.get_by_text("見守り訪問").first.is_visible() and page.get_by_text("家計相談").first.is_visible()
    screenshot(page, "casework-2-case")

    # Close the case with a reason: the reason box appears only once 終結 is chosen.
    status_form = page.locator("form.transition")
    assert status_form.get_by_role("textbox").is_hidden()
    status_form.get_by_label("終結する").check()
    status_form.get_by_label("終結の理由（必須）").fill("家賃の滞納が解消した")
    status_form.get_by_role("button", name="状況を変更する").click()
    assert page.locator("h1 .status").inner_text() == "終結"
    assert page.get_by_text("家賃の滞納が解消した").first.is_visible()

    # The household page shows the agencies involved and draws them on the eco-map.
    page.get_by_role("link", name="世帯を見る").click()
    assert page.locator(".ecomap-figure svg").count() == 1
    # Long agency names wrap onto two lines in the drawing.
    assert page.locator(".ecomap-figure").get_by_text("北区地域包括").count() >= 1
    screenshot(page, "casework-3-household")
