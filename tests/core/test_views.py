"""The error pages: templates/400.html…500.html through the site's handlers, and
core.middleware.ErrorPagesMiddleware that keeps them with DEBUG on. Japanese, with the right status and nothing of Django's technical pages (no URL patterns, no
traceback), with DEBUG off and on; Django's pages only when a developer asks (DJANGO_DEBUG_TECHNICAL=1)."""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import get_resolver

pytestmark = pytest.mark.urls("tests.core.error_urls")

PAGES = {  # status: the address of a view that raises it (tests/core/error_urls.py), the page's heading
    400: ("/test-errors/400/", "リクエストを処理できませんでした"),
    403: ("/test-errors/403/", "この画面を表示する権限がありません"),
    404: ("/test-errors/404/", "ページが見つかりません"),
    500: ("/test-errors/500/", "エラーが発生しました"),
}
# Words of Django's technical 404 and 500 pages, none of which the product's pages use.
TECHNICAL = ("URLconf", "Django", "Traceback", "test-errors/500/", "No Household matches", "DEBUG = True")


@pytest.fixture(params=[False, True], ids=["DEBUG off", "DEBUG on"])
def debug(request):
    with override_settings(DEBUG=request.param):
        yield request.param


def assert_japanese_error_page(response, status, heading):
    body = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="ja">' in body
    assert f"<h1>{heading}</h1>" in body
    assert [word for word in TECHNICAL if word in body] == []


@pytest.mark.parametrize("status", sorted(PAGES))
def test_each_error_page_is_japanese_with_its_status_and_nothing_technical(debug, status, db):
    address, heading = PAGES[status]
    response = Client(raise_request_exception=False).get(address)
    assert_japanese_error_page(response, status, heading)


@pytest.mark.parametrize("status", [400, 403, 404])
def test_the_other_error_pages_keep_the_sites_layout_for_a_signed_in_user(debug, status, client, coordinator_kita):
    client.force_login(coordinator_kita)
    response = client.get(PAGES[status][0])
    assert_japanese_error_page(response, status, PAGES[status][1])
    assert coordinator_kita.display_name in response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()  # the language form still works


def test_the_500_page_needs_no_database():
    # No db fixture: any query raises. The handler is the one Django calls.
    request = RequestFactory().get("/")
    response = get_resolver().resolve_error_handler(500)(request)
    assert_japanese_error_page(response, 500, "エラーが発生しました")


def test_an_unknown_address_gets_the_japanese_404_and_not_the_list_of_url_patterns(debug, db):
    response = Client().get("/no-such-page/")
    assert_japanese_error_page(response, 404, "ページが見つかりません")
    assert "admin/" not in response.content.decode()


def test_a_household_of_another_ward_gets_the_japanese_404(debug, client, coordinator_kita, household_nishinari):
    client.force_login(coordinator_kita)
    response = client.get(f"/households/{household_nishinari.pk}/")
    assert_japanese_error_page(response, 404, "ページが見つかりません")
    assert coordinator_kita.display_name in response.content.decode()  # the site's own layout, signed in


def test_an_address_without_its_slash_is_still_redirected(debug, db):
    response = Client().get("/accounts/login")
    assert response.status_code == 301
    assert response["Location"] == "/accounts/login/"


@pytest.mark.parametrize("address", ["/api/v1/no-such-endpoint/", "/api/v1/households/0/"])
def test_the_api_keeps_its_json_errors(debug, client, coordinator_kita, address):
    client.force_login(coordinator_kita)
    response = client.get(address)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_developer_who_asks_for_djangos_technical_pages_gets_them(db):
    with override_settings(DEBUG=True, DEBUG_TECHNICAL=True):
        response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "URLconf" in response.content.decode()
