import re

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

NAVIGATION = {
    "coordinator_kita": ["ダッシュボード", "世帯", "事例", "会議", "つなぎ", "活動", "台帳の取り込み"],
    "coordinator_nishinari": ["ダッシュボード", "世帯", "事例", "会議", "つなぎ", "活動", "台帳の取り込み"],
    "agency_worker": ["ダッシュボード", "会議", "つなぎ"],  # no case files (docs/access-policy.md)
    "supervisor": ["ダッシュボード", "世帯", "事例", "会議", "つなぎ", "活動"],
    "bureau": ["ダッシュボード", "統計", "年次集計", "活動と相談", "つなぎの集計"],
    "administrator": ["ダッシュボード", "統計", "年次集計", "活動と相談", "つなぎの集計", "台帳の取り込み", "削除請求", "マスタ管理"],
    "auditor": ["ダッシュボード", "監査ログ", "削除請求"],
}


@pytest.mark.parametrize("role", sorted(NAVIGATION))
def test_each_role_logs_in_and_sees_its_own_navigation(page, cast, role, household_kita):
    user = cast[role]
    log_in(page, user.username, TEST_PASSWORD)
    nav = page.get_by_role("navigation", name="メインメニュー")
    assert nav.get_by_role("link").all_inner_texts() == NAVIGATION[role]
    assert page.locator("header").get_by_text(user.get_role_display()).is_visible()
    screenshot(page, f"dashboard-{role}")


def test_the_login_page_is_japanese_for_an_english_browser(page, db):
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_role("heading", name="ログイン").is_visible()
    screenshot(page, "login")


def test_a_wrong_password_gets_a_japanese_message(page, coordinator_kita):
    page.goto("/accounts/login/")
    page.get_by_label("ログインID").fill("kita_coordinator")
    page.get_by_label("パスワード").fill("wrong-password")
    page.get_by_role("button", name="ログイン").click()
    assert page.get_by_text("ログインIDまたはパスワードが違います").is_visible()


def test_a_kita_coordinator_opens_a_kita_household_but_not_a_nishinari_one(
    page, coordinator_kita, household_kita, household_nishinari
):
    log_in(page, "kita_coordinator", TEST_PASSWORD)
    page.get_by_role("link", name="世帯", exact=True).click()
    page.get_by_role("link", name="北村 一郎").click()
    assert page.get_by_role("heading", name=re.compile(f"世帯 #{household_kita.pk}")).is_visible()
    screenshot(page, "household-kita")

    response = page.goto(f"/households/{household_nishinari.pk}/")
    assert response.status == 404
    assert page.get_by_role("heading", name="ページが見つかりません").is_visible()
    assert "西川" not in page.content()


def test_a_bureau_user_gets_no_personal_page(page, bureau, household_kita):
    log_in(page, "bureau", TEST_PASSWORD)
    assert page.goto("/households/").status == 403
    assert page.goto(f"/households/{household_kita.pk}/").status == 403
    page.goto("/reports/")
    assert page.get_by_role("heading", name="区別の集計").is_visible()
    assert "北村" not in page.content()


# Every page each role can reach; the page fixture fails the test if any of them asks another host.
PAGES = {
    "coordinator_kita": ["/", "/households/", "/households/{household}/", "/accounts/preferences/",
                         "/accounts/password/"],
    "auditor": ["/", "/audit/", "/audit/?action=view"],
    "bureau": ["/", "/reports/"],
    "administrator": ["/admin/", "/admin/agencies/agency/", "/admin/accounts/user/"],
}


@pytest.mark.parametrize("role", sorted(PAGES))
def test_no_page_requests_any_host_but_the_apps_own(page, cast, role, household_kita):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, cast[role].username, TEST_PASSWORD)
    for path in PAGES[role]:
        response = page.goto(path.format(household=household_kita.pk))
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    assets = [url for url in requested if "/static/" in url]
    assert assets, "the pages loaded no stylesheet at all"
    assert all(url.startswith(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2]) for url in requested)


def test_the_user_can_switch_to_english_and_back(page, coordinator_kita):
    log_in(page, "kita_coordinator", TEST_PASSWORD)
    page.get_by_label("表示言語").select_option("en")
    page.get_by_role("button", name="切替").click()
    assert page.get_by_role("link", name="Dashboard").is_visible()
    page.get_by_label("Language").select_option("ja")
    page.get_by_role("button", name="Switch").click()
    assert page.get_by_role("link", name="ダッシュボード").is_visible()
