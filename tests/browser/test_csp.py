"""The Content-Security-Policy in Chromium (#15 item 8): each role's main pages, the admin and the API docs load
and work with nothing refused. Chromium reports every refusal twice: a "Refused to …" console message and a
`securitypolicyviolation` event; both are collected, and a page that loads with either fails the test.
"""

import pytest
from django.urls import reverse

from tests.browser.conftest import log_in, pick, screenshot
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "progress"])]

# Reported from the page as soon as it happens, so a violation just before a navigation is not lost.
LISTEN = """
document.addEventListener("securitypolicyviolation", event => {
  window.reportViolation(`${event.effectiveDirective} refused ${event.blockedURI || "inline"}`
                         + ` at ${event.sourceFile || location.pathname}:${event.lineNumber}`);
});
"""


@pytest.fixture
def refused(page):
    """Every CSP refusal on the pages this test opens: console messages and violation events."""
    found: list[str] = []
    page.on("console", lambda message: found.append(f"console: {message.text}")
            if "Refused to" in message.text or "Content Security Policy" in message.text else None)
    page.context.expose_binding("reportViolation", lambda source, text: found.append(f"event: {text}"))
    page.context.add_init_script(LISTEN)
    return found


def visit(page, path, name):
    response = page.goto(path)
    assert response.status < 400, (path, response.status)
    assert page.url.endswith(path), (path, page.url)  # still signed in: not sent to a login page
    assert "Content-Security-Policy" in {key.title(): value for key, value in response.headers.items()}, path
    page.wait_for_load_state("networkidle")
    if response.headers["content-type"].startswith("text/html"):  # Chromium cannot screenshot an SVG document
        screenshot(page, f"csp-{name}")


def test_the_collector_sees_a_refusal(page, refused, coordinator_kita):
    # The check below would pass on an empty list however the pages behaved: prove an inline style is caught.
    log_in(page, coordinator_kita.username, TEST_PASSWORD)
    page.evaluate("""() => new Promise(resolve => {
      document.addEventListener("securitypolicyviolation", () => resolve(), {once: true});
      document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>');
    })""")
    assert any("style-src" in text or "inline style" in text for text in refused), refused


def test_a_coordinators_pages_load_with_nothing_refused(
        page, refused, coordinator_kita, case_kita, meeting_kita, referral_kita, consultation_kita):
    log_in(page, coordinator_kita.username, TEST_PASSWORD)
    household = case_kita.household
    pages = {
        "dashboard": reverse("home:dashboard"),
        "households": reverse("cases:household_list"),
        "household": reverse("cases:household_detail", args=[household.pk]),  # the eco-map, inline SVG
        "ecomap-file": reverse("cases:household_ecomap", args=[household.pk]),
        "cases": reverse("cases:case_list"),
        "case": reverse("cases:case_detail", args=[case_kita.pk]),  # case-status.js
        "meetings": reverse("meetings:meeting_list"),
        "meeting": reverse("meetings:meeting_detail", args=[meeting_kita.pk]),
        "referrals": reverse("referrals:referral_list"),
        "referral": reverse("referrals:referral_detail", args=[referral_kita.pk]),
        "imports": reverse("ledger:import_list"),
        "preferences": reverse("accounts:preferences"),
        "two-factor-setup": reverse("accounts:two_factor_setup"),  # the QR code, inline SVG
    }
    for name, path in pages.items():
        visit(page, path, f"coordinator-{name}")
    # The agency picker (Tom Select) builds its menu when it is used.
    visit(page, reverse("meetings:meeting_create"), "coordinator-meeting-new")
    pick(page.get_by_role("combobox", name="招集する機関"), "北区地域包括")
    assert refused == []


def test_the_bureaus_reports_with_their_charts_load_with_nothing_refused(page, refused, bureau, meeting_kita):
    log_in(page, bureau.username, TEST_PASSWORD)
    for name in ("overview", "annual", "activities", "referrals"):
        visit(page, reverse(f"reports:{name}"), f"bureau-{name}")
    page.goto(reverse("reports:annual"))
    assert page.locator("svg.chart").count() > 0
    assert refused == []


def test_the_auditors_log_loads_with_nothing_refused(page, refused, auditor, coordinator_kita):
    log_in(page, auditor.username, TEST_PASSWORD)
    visit(page, reverse("audit:event_list"), "auditor-events")
    assert refused == []


def test_the_admin_works_with_nothing_refused(page, refused, administrator, coordinator_kita):
    log_in(page, administrator.username, TEST_PASSWORD)
    visit(page, reverse("admin:index"), "admin-index")
    visit(page, reverse("admin:agencies_agency_changelist"), "admin-agencies")
    visit(page, reverse("admin:accounts_user_change", args=[coordinator_kita.pk]), "admin-user")
    visit(page, reverse("admin:accounts_user_changelist"), "admin-users")
    # The change list's script (select all, actions) runs: ticking the header box ticks every row.
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select:checked").count() == page.locator("input.action-select").count() > 0
    assert refused == []


def test_the_api_docs_render_with_nothing_refused(page, refused, coordinator_kita):
    log_in(page, coordinator_kita.username, TEST_PASSWORD)
    visit(page, reverse("api:docs"), "api-docs")
    # Swagger UI drew the schema: its title and the operations of the households endpoint.
    page.locator(".swagger-ui .info .title").wait_for()
    assert page.locator(".opblock").count() > 10
    page.locator(".opblock").first.click()  # an operation opens (its parameters and responses)
    page.locator(".opblock.is-open").wait_for()
    assert refused == []
