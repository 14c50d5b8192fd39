"""Item 6 in Chromium: a coordinator sets up the second factor from 表示設定 by reading the key off the page (as an
authenticator app would from the QR code), keeps the recovery codes, and the next login asks for the code."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from audit.models import Action, AuditEvent
from tests.factories import TEST_PASSWORD

from .conftest import screenshot

pytestmark = pytest.mark.browser


def code(key: bytes, steps_ahead: int = 0) -> str:
    # A code is taken once: the login uses the next time step's code, which the server accepts (one step's drift).
    return f"{totp(key, drift=steps_ahead):06d}"


def sign_in_with_password(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("ログインID").fill(username)
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def test_a_coordinator_sets_up_the_second_factor_and_the_next_login_asks_for_the_code(page, coordinator_kita):
    sign_in_with_password(page, "kita_coordinator")
    page.wait_for_url("**/")
    page.get_by_role("link", name="表示設定").click()
    page.get_by_role("link", name="二要素認証を設定する").click()

    expect(page.locator("svg").first).to_be_visible()  # the QR code, drawn by the server
    key = b32decode(page.locator("code.secret").inner_text().replace(" ", ""))
    screenshot(page, "two-factor-setup")
    page.get_by_label("認証アプリに表示された6桁の数字").fill(code(key))
    page.get_by_role("button", name="設定する").click()

    expect(page.get_by_role("heading", name="二要素認証を設定しました")).to_be_visible()
    recovery = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(recovery) == 10
    page.get_by_role("link", name="保管しました。続ける").click()
    page.get_by_role("button", name="ログアウト").click()

    sign_in_with_password(page, "kita_coordinator")
    expect(page.get_by_role("heading", name="確認コードの入力")).to_be_visible()
    page.goto("/cases/")  # nothing opens before the code
    expect(page.get_by_role("heading", name="確認コードの入力")).to_be_visible()
    page.get_by_label("確認コード").fill(code(key, steps_ahead=1))
    page.get_by_role("button", name="確認する").click()
    expect(page.get_by_role("heading", name="事例")).to_be_visible()  # back where the user was going
    assert AuditEvent.objects.filter(action=Action.TWO_FACTOR, user=coordinator_kita,
                                     detail__event="verified").exists()
