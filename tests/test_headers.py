"""The security headers (#15 item 8): Content-Security-Policy without inline script or style (django-csp),
Permissions-Policy (core.middleware.PermissionsPolicyMiddleware), HSTS in production settings, `check --deploy`
clean; and the pages, templates and server-drawn SVG hold nothing the policy would refuse.

The browser side (no "Refused to …" in Chromium's console on the main pages, the admin and the API docs) is
tests/browser/test_csp.py.
"""

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.svg import titled_svg

ROOT = Path(__file__).resolve().parents[1]

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")
PRODUCTION_VARIABLES = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "production-test-" + "k" * 50,
    "AUDIT_CHAIN_KEY": "audit-chain-test-" + "a" * 40,
    "DATABASE_URL": "postgres://tsunagaru:secret@db:5432/tsunagaru",
    "DJANGO_ALLOWED_HOSTS": "tsunagaru.example.jp",
}


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: sources} (django-csp writes them in any order)."""
    directives = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def permissions(response) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))


def assert_headers(response):
    assert policy(response) == POLICY
    assert {feature: permissions(response).get(feature) for feature in DENIED_FEATURES} == dict.fromkeys(
        DENIED_FEATURES, "()")


class InlineFinder(HTMLParser):
    """What a CSP without 'unsafe-inline' refuses: <script> without src, <style>, style="…", on…="…" handlers,
    javascript: URLs. The inline SVG counts too (it is parsed as HTML here, as the browser does)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")

    handle_startendtag = handle_starttag


def inline(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


# --- the headers on every kind of page ---------------------------------------------------------------


def test_the_login_page_carries_the_policies(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert_headers(response)
    assert inline(response.content.decode()) == []


@pytest.mark.parametrize("name", ["home:dashboard", "cases:household_list", "cases:case_list", "api:docs",
                                  "accounts:preferences", "accounts:password_change", "accounts:two_factor_setup"])
def test_a_signed_in_page_carries_the_policies_and_holds_nothing_inline(client, coordinator_kita, name):
    client.force_login(coordinator_kita)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_headers(response)
    assert inline(response.content.decode()) == []


def test_the_household_page_with_its_eco_map_holds_nothing_inline(client, coordinator_kita, case_kita):
    client.force_login(coordinator_kita)
    response = client.get(reverse("cases:household_detail", args=[case_kita.household.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and '<svg class="ecomap"' in page
    assert_headers(response)
    assert inline(page) == []


def test_the_annual_report_with_its_charts_holds_nothing_inline(client, bureau, meeting_kita):
    client.force_login(bureau)
    response = client.get(reverse("reports:annual"))
    page = response.content.decode()
    assert response.status_code == 200 and '<svg class="chart"' in page
    assert_headers(response)
    assert inline(page) == []


def test_the_eco_map_opened_as_an_image_carries_the_policy_and_no_css(client, coordinator_kita, case_kita):
    client.force_login(coordinator_kita)
    response = client.get(reverse("cases:household_ecomap", args=[case_kita.household.pk]))
    assert response["Content-Type"].startswith("image/svg+xml")
    assert_headers(response)
    assert inline(response.content.decode()) == []


def test_the_admin_carries_the_policies(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert_headers(response)
    assert inline(response.content.decode()) == []


def test_an_api_answer_carries_the_policies(client, coordinator_kita):
    client.force_login(coordinator_kita)
    response = client.get(reverse("api:household_list"))
    assert response.status_code == 200
    assert_headers(response)


@pytest.mark.urls("tests.core.error_urls")
@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_an_error_page_carries_the_policies_and_holds_nothing_inline(status, db):
    response = Client(raise_request_exception=False).get(f"/test-errors/{status}/")
    assert response.status_code == status
    assert_headers(response)
    assert inline(response.content.decode()) == []


def test_the_500_pages_stylesheet_is_served_by_its_plain_name(client, db):
    # templates/500.html links it without the manifest ({% get_static_prefix %}): the file must be there.
    assert client.get("/static/css/error.css").status_code == 200


# --- templates and static scripts --------------------------------------------------------------------

TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
INLINE_IN_TEMPLATES = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.IGNORECASE)
COMMENT = re.compile(r"{% comment %}.*?{% endcomment %}|{#.*?#}|<!--.*?-->", re.DOTALL)


def test_no_template_has_inline_script_style_handlers_or_javascript_urls():
    templates = [path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html")]
    assert len(templates) > 50, "the template folders were not found"
    found = [f"{path.relative_to(ROOT)}: {match[0]}" for path in templates
             for match in INLINE_IN_TEMPLATES.finditer(COMMENT.sub("", path.read_text(encoding="utf-8")))]
    assert found == []


def test_our_scripts_write_no_style_attribute_or_markup_with_one():
    # Setting element.style.x is CSSOM and allowed; a style="…" written into markup or by setAttribute is not.
    scripts = sorted((ROOT / "static" / "js").glob("*.js"))
    assert scripts
    forbidden = re.compile(r"""setAttribute\(\s*["']style|style=|javascript:|\beval\(|new Function\(""")
    assert [f"{path.name}: {m[0]}" for path in scripts for m in forbidden.finditer(path.read_text(encoding="utf-8"))] == []


# --- the server-drawn SVG ----------------------------------------------------------------------------


def test_svg_styles_become_presentation_attributes_and_only_in_real_tags():
    drawn = ('<svg width="1"><defs>\n  <style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>\n'
             " </defs><g id='a\" style=\"font: x\"'><text style=\"fill: #123456; font-family: &apos;A B&apos;\">"
             'x style="font: y"</text><!-- x style="font: z" --></g></svg>')
    svg = titled_svg(drawn, css_class="chart", title="t", inline=True)
    assert "<style" not in svg
    assert 'stroke-linejoin="round" stroke-linecap="butt"' in svg  # matplotlib's * rule, on the root
    assert '<text fill="#123456" font-family="\'A B\'">' in svg
    assert 'x style="font: y"</text>' in svg  # a name as typed stays text
    assert "<g id='a\" style=\"font: x\"'>" in svg  # an attribute's value stays the value


def test_a_style_that_is_not_a_presentation_attribute_fails_loudly():
    with pytest.raises(ValueError, match="transform-origin"):
        titled_svg('<svg><path style="transform-origin: 0 0"/></svg>', css_class="chart", title="t", inline=True)


# --- production settings: HSTS and check --deploy ----------------------------------------------------


def _run_production(code: str, **variables):
    environment = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", **PRODUCTION_VARIABLES,
                   **variables}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=300)


# Production settings answering real requests, against this run's test database (already migrated).
REQUEST_CODE = """
import json, django
django.setup()
from django.test import Client
# As behind the city's proxy, which ends TLS and says so (SECURE_PROXY_SSL_HEADER).
client = Client(HTTP_HOST="tsunagaru.example.jp", HTTP_X_FORWARDED_PROTO="https", raise_request_exception=False)
answers = {path: dict(client.get(path).headers) for path in ("/accounts/login/", "/no-such-page/")}
print(json.dumps(answers))
"""


def _test_database_url():
    settings = connection.settings_dict
    return f"postgresql://{settings['USER']}:@/{settings['NAME']}?host={settings['OPTIONS']['host']}" \
        if not settings["HOST"] else (
            f"postgresql://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT'] or 5432}"
            f"/{settings['NAME']}")


def _production_answers(**variables):
    result = _run_production(REQUEST_CODE, DATABASE_URL=_test_database_url(), **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_production_answers_with_hsts_for_a_year_including_subdomains_and_the_policies():
    answers = _production_answers()
    for path, headers in answers.items():
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", path
        assert {name: sources for name, *sources in (p.split() for p in headers["Content-Security-Policy"].split(";"))} \
            == POLICY, path
        assert "camera=()" in headers["Permissions-Policy"], path


@pytest.mark.django_db
def test_hsts_follows_the_environment():
    answers = _production_answers(DJANGO_SECURE_HSTS_SECONDS="600", DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="false")
    assert answers["/accounts/login/"]["Strict-Transport-Security"] == "max-age=600"


def test_check_deploy_is_clean_with_the_production_settings():
    result = _run_production(
        "import django, sys; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr
