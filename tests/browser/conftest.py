"""Headless Chromium through Playwright: Debian's /usr/bin/chromium when present (CHROMIUM overrides),
otherwise Playwright's own build. Every request a page makes is recorded; any to another host fails the test.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make from that
# thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _live_database(transactional_db):
    """The live server reads what the test writes, so these tests commit (and flush afterwards)."""


def chromium_path():
    configured = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
    return configured if Path(configured).exists() else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class OutsideRequests(list):
    """URLs of requests a page tried to make to any host but the app's own (they are aborted)."""


@pytest.fixture
def outside_requests():
    return OutsideRequests()


@pytest.fixture
def page(browser, live_server, outside_requests):
    own_host = urlsplit(live_server.url).netloc
    context = browser.new_context(locale="en-US", base_url=live_server.url)

    def guard(route):
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != own_host:
            outside_requests.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    page = context.new_page()
    yield page
    context.close()
    assert outside_requests == [], f"pages asked for other hosts: {outside_requests}"


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def log_in(page, username, password):
    page.goto("/accounts/login/")
    page.get_by_label("ログインID").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/")


def pick(control, typed, expected=None):
    """Choose in an agency picker (agencies/forms.py, Tom Select) with the keyboard only: type part of a name,
    check the first match is the one meant, Enter. `control` is the picker's text box, e.g.
    page.get_by_role("combobox", name="招集する機関") or page.locator("#id_tasks-0-agency-ts-control")."""
    # The pickers start when the deferred script has run; until then the name belongs to the plain <select>.
    control.page.wait_for_function(
        "() => [...document.querySelectorAll('select[data-agency-picker]')].every(select => select.tomselect)")
    control.click()
    control.press_sequentially(typed)
    from playwright.sync_api import expect

    dropdown = control.page.locator(f"#{control.get_attribute('aria-controls')}")
    expect(dropdown.locator(".option.active")).to_contain_text(expected or typed)
    control.press("Enter")
    control.page.keyboard.press("Escape")  # a multiple picker stays open for the next one; close it
