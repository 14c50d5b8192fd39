"""The ledger import page in headless Chromium: upload → the check's progress → preview → confirm → done,
and an administrator's 「…として扱う」 on the error screen. The worker is the real one, run between steps."""

import re

import pytest

from cases.models import Case
from ledger.models import NameAlias
from meetings.models import Meeting
from tests.browser.conftest import log_in, screenshot
from tests.conftest import LEDGER_CSV_KITA
from tests.factories import TEST_PASSWORD
from tests.ledger.test_jobs import work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "progress"])]


def _upload(page, name, text):
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="台帳の取り込み").click()
    page.get_by_label("開催台帳のファイル").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")})
    page.get_by_role("button", name="送って確認する").click()
    page.wait_for_url(re.compile(r"/ledger/imports/\d+/$"))


def test_a_coordinator_uploads_sees_the_preview_and_imports(page, coordinator_kita, kita):
    log_in(page, "kita_coordinator", TEST_PASSWORD)
    _upload(page, "北区台帳.csv", LEDGER_CSV_KITA)
    assert page.get_by_text("順番を待っています").is_visible()
    assert page.get_by_role("button", name="取り消す").is_visible()
    screenshot(page, "ledger-1-waiting")

    work()
    page.reload()
    preview = page.locator("section", has=page.get_by_role("heading", name="取り込むと登録されるもの"))
    assert "新しい事例" in preview.inner_text() and "令和2年度" in preview.inner_text()
    screenshot(page, "ledger-2-preview")
    page.get_by_role("button", name="取り込む", exact=True).click()
    assert page.get_by_text("取り込みを始めました").is_visible()

    work()
    page.reload()
    assert page.get_by_role("heading", name="登録したもの").is_visible()
    assert page.get_by_text("取り込みました。").first.is_visible()
    screenshot(page, "ledger-3-done")
    assert (Case.all_objects.count(), Meeting.all_objects.count()) == (2, 3)


def test_an_administrator_treats_an_unknown_name_as_the_suggested_one(page, administrator, kita):
    log_in(page, administrator.username, TEST_PASSWORD)
    _upload(page, "表記ゆれ.csv", LEDGER_CSV_KITA.replace("社会福祉協議会", "市社協"))
    work()
    page.reload()
    assert page.get_by_role("heading", name="誤り 1 件").is_visible()
    screenshot(page, "ledger-4-errors")
    page.get_by_role("button", name="「市社協」を社会福祉協議会として扱う").click()
    assert page.get_by_text("もう一度確認しています").is_visible()
    work()
    page.reload()
    assert page.get_by_role("heading", name="取り込むと登録されるもの").is_visible()
    assert NameAlias.objects.get(alias="市社協").target == "社会福祉協議会"
