"""The OpenAPI 3 schema validates without a warning, and its documentation page is served from our own
static files: the municipal network is closed, so no page may reach for another host."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    for path in ("/api/v1/households/", "/api/v1/cases/{id}/", "/api/v1/issues/", "/api/v1/consultations/",
                 "/api/v1/meetings/", "/api/v1/activities/", "/api/v1/referrals/{id}/accept/", "/api/v1/reports/annual/"):
        assert f"  {path}:" in text, path
    assert "version: 1.0.0" in text


def test_the_schema_is_served_as_json_to_a_signed_in_user(api, coordinator_kita):
    response = api(coordinator_kita).get(reverse("api:schema"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    schema = response.json()
    assert schema["openapi"].startswith("3.") and schema["info"]["title"] == "つながる支援ケース管理 REST API"
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    assert "401" in schema["paths"]["/api/v1/cases/"]["get"]["responses"]


def test_the_schema_needs_a_signed_in_user(api):
    assert api(None).get(reverse("api:schema")).json()["error"]["status"] == 401


OUTSIDE = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+""")
REFERENCED = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def test_the_documentation_page_loads_everything_from_this_site(client, coordinator_kita):
    assert client.get(reverse("api:docs")).status_code == 302  # anonymous: the login page first
    client.force_login(coordinator_kita)
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    page = response.content.decode()
    assert OUTSIDE.findall(page) == []
    referenced = REFERENCED.findall(page)
    assert {"/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
            "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"} <= set(referenced)
    # The start script comes from the page's own address (?script), not inline: the CSP allows no inline script.
    script = reverse("api:docs") + "?script="
    assert script in referenced and "<script>" not in page
    for url in referenced:
        assert url.startswith("/static/") or url == script, url
        assert client.get(url).status_code == 200, url
    start = client.get(script).content.decode()
    assert OUTSIDE.findall(start) == []
    assert '"validatorUrl": null' in start
