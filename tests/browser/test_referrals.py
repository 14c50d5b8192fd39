"""A つなぎ across two users in headless Chromium (issue 5's 'done means'): the coordinator sends, the
receiving agency sees the badge, accepts and completes, the coordinator reads the outcome on the case."""

import re

import pytest

from accounts.models import Role
from agencies.models import AgencyCategory
from tests.browser.conftest import log_in, pick, screenshot
from tests.factories import TEST_PASSWORD, AgencyFactory, UserFactory

pytestmark = pytest.mark.browser


def test_sent_then_accepted_and_completed_then_the_outcome_is_on_the_case(page, coordinator_kita, case_kita, consent_kita, kita):
    konkyu = AgencyFactory(ward=kita, category=AgencyCategory.objects.get(municipality=None, name="生活困窮担当"))
    UserFactory(username="konkyu_worker", role=Role.AGENCY_WORKER, agency=konkyu, last_name="困窮")
    primary = case_kita.household.members.get(is_primary=True).name

    log_in(page, "kita_coordinator", TEST_PASSWORD)
    page.goto(f"/cases/{case_kita.pk}/")
    page.get_by_role("link", name="他の機関につなぐ（依頼する）").click()
    assert page.get_by_text("✓ 情報共有").is_visible()  # consent_kita: 情報共有, all agencies
    page.get_by_label("種別").select_option(label="つなぎ")
    pick(page.get_by_role("combobox", name="依頼先"), "困窮", expected=konkyu.name)
    page.get_by_label("依頼の理由と内容").fill("家賃の滞納があり、家計改善支援につなぎたい。")
    page.get_by_label("本人の氏名・ふりがな・生年月日・住所・電話番号").check()
    page.get_by_label("課題", exact=True).check()
    page.get_by_label("本人同意（他機関への提供・情報共有）").check()
    screenshot(page, "referral-1-form")
    page.get_by_role("button", name="依頼する").click()
    page.wait_for_url(re.compile(r"/referrals/\d+/$"))
    assert page.get_by_text(re.compile(f"{konkyu.name}に依頼しました")).is_visible()
    number = re.search(r"No\.\d+", page.get_by_role("heading", level=1).inner_text()).group(0)

    # The receiving agency: a badge on the menu, the referral on the dashboard; it reads what was shared.
    page.context.clear_cookies()
    log_in(page, "konkyu_worker", TEST_PASSWORD)
    menu_entry = page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name=re.compile("つなぎ"))
    assert menu_entry.locator(".nav-badge").inner_text() == "1"
    assert page.locator("#referrals-waiting").get_by_role("link", name=number).is_visible()
    screenshot(page, "referral-2-agency-dashboard")
    page.locator("#referrals-waiting").get_by_role("link", name=number).click()
    assert page.get_by_text(primary).first.is_visible()
    page.get_by_role("button", name="受理する").click()
    assert page.get_by_text("「受理」にしました").is_visible()
    page.get_by_label("対応の結果").fill("家計改善支援の利用を開始し、来月から家計表を一緒に作る。")
    screenshot(page, "referral-3-accepted")
    page.get_by_role("button", name="完了する").click()
    assert page.get_by_text("「完了」にしました").is_visible()
    assert menu_entry.locator(".nav-badge").count() == 0

    # The coordinator: the outcome is on the case's timeline, and a notice says it was completed.
    page.context.clear_cookies()
    log_in(page, "kita_coordinator", TEST_PASSWORD)
    assert page.get_by_role("link", name=re.compile("お知らせ")).locator(".nav-badge").inner_text() == "2"  # accepted, completed
    page.goto(f"/cases/{case_kita.pk}/")
    timeline = page.locator("ol.timeline")
    assert timeline.get_by_text(f"つなぎ（{number}）完了").is_visible()
    assert timeline.get_by_text(re.compile("家計改善支援の利用を開始し")).is_visible()
    screenshot(page, "referral-4-case-timeline")
