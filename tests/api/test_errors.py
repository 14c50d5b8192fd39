"""One error shape for every failure, in Japanese, and no input that reaches a 500:
{"error": {"status": …, "code": …, "message": …, "fields": {…}}}."""

import pytest
from django.urls import reverse
from rest_framework.throttling import UserRateThrottle

pytestmark = pytest.mark.django_db


def error_of(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message", "fields"}
    assert body["error"]["status"] == status
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in body["error"]["message"])
    return body["error"]


@pytest.fixture
def kita_api(api, coordinator_kita):
    return api(coordinator_kita)


CASES = reverse("api:case_list")


def test_400_names_each_wrong_filter_in_japanese(kita_api):
    error = error_of(kita_api.get(CASES, {"status": "nope", "received_from": "2020-13-45", "fiscal_year": "R2"}), 400)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"status", "received_from", "fiscal_year"}
    assert "nope" in error["fields"]["status"][0] and "日付" in error["fields"]["received_from"][0]


def test_401_for_anonymous_and_403_for_the_bureau(api, bureau):
    assert error_of(api(None).get(CASES), 401)["code"] == "not_authenticated"
    assert error_of(api(bureau).get(CASES), 403)["code"] == "permission_denied"


def test_404_for_another_ward_an_unknown_id_and_an_unknown_address(api, coordinator_nishinari, kita_api, case_kita):
    assert error_of(api(coordinator_nishinari).get(reverse("api:case_detail", kwargs={"pk": case_kita.pk})), 404)["code"] == "not_found"
    assert error_of(kita_api.get("/api/v1/cases/99999999999999999999999/"), 404)["message"] == "見つかりません。"
    assert error_of(kita_api.get("/api/v1/cases/-1/"), 404)["code"] == "not_found"
    assert error_of(kita_api.get("/api/v1/nothing-here/"), 404)["code"] == "not_found"
    assert error_of(kita_api.get("/api/v1/cases"), 404)["code"] == "not_found"  # no redirect to the slash


def test_405_names_the_method(kita_api):
    error = error_of(kita_api.delete(CASES), 405)
    assert (error["code"], error["message"]) == ("method_not_allowed", "このURLではメソッド DELETE は使えません。")


def test_406_and_415(kita_api, case_kita):
    assert error_of(kita_api.get(CASES, HTTP_ACCEPT="text/html"), 406)["code"] == "not_acceptable"
    url = reverse("api:case_consultation_create", kwargs={"pk": case_kita.pk})
    error = error_of(kita_api.post(url, "method=phone", content_type="application/x-www-form-urlencoded"), 415)
    assert error["code"] == "unsupported_media_type" and "application/x-www-form-urlencoded" in error["message"]
    assert error_of(kita_api.post(url, "{not json", content_type="application/json"), 400)["code"] == "parse_error"


def test_429_tells_how_long_to_wait(kita_api, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    kita_api.get(CASES)
    kita_api.get(CASES)
    response = kita_api.get(CASES)
    error = error_of(response, 429)
    assert error["code"] == "throttled" and "秒" in error["message"] and int(response["Retry-After"]) > 0


@pytest.mark.parametrize("query", [
    {"q": "北村\x00"}, {"q": "あ" * 5000}, {"ward": "99999999999999999999999999"}, {"ward": "\x00"}, {"ward": "1.5"},
    {"ward": "-1"}, {"issue": "課題"}, {"lead": "1e99"}, {"fiscal_year": "99999999999999999999"}, {"fiscal_year": "1"},
    {"received_from": "0000-00-00"}, {"received_to": "99999-01-01"}, {"status": "\x00"}, {"sort": "password"},
])
def test_hostile_query_values_are_refused_with_400(kita_api, query, case_kita):
    url = reverse("api:household_list") if "q" in query else CASES
    error = error_of(kita_api.get(url, query), 400)
    assert list(error["fields"]) == list(query)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999999", "\x00"])
def test_a_bad_page_number_is_404_invalid_page(kita_api, page, case_kita):
    assert error_of(kita_api.get(CASES, {"page": page}), 404)["code"] == "invalid_page"


@pytest.mark.parametrize("size", ["0", "-5", "abc", "99999999999999999999"])
def test_a_bad_page_size_falls_back_to_a_bounded_page(kita_api, size, case_kita):
    assert kita_api.get(CASES, {"page_size": size}).status_code == 200


@pytest.mark.parametrize(("name", "query", "field"), [
    ("reports_annual", {"fy": "99999999999999999999"}, "fy"),
    ("reports_annual", {"fy": 2020, "ward": "２"}, "ward"),
    ("reports_annual", {"fy": 2020, "ward": "\x00"}, "ward"),
    ("reports_activities", {"start": "0001-01-01", "end": "0001-12-31"}, None),
    ("reports_activities", {"start": "2023-01-31", "end": "2022-04-01"}, "end"),
    ("reports_activities", {"start": "2000-01-01", "end": "2020-01-01"}, None),
    ("reports_referrals", {"fy": "-1"}, "fy"),
])
def test_report_queries_out_of_range_are_refused_with_400(api, bureau, name, query, field):
    error = error_of(api(bureau).get(reverse(f"api:{name}"), query), 400)
    assert (field in error["fields"]) if field else error["fields"] == {}


def test_csrf_is_enforced_for_a_session_write(client, coordinator_kita, case_kita):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coordinator_kita)
    url = reverse("api:case_consultation_create", kwargs={"pk": case_kita.pk})
    error = error_of(browser.post(url, {"method": "phone", "summary": "x"}, content_type="application/json"), 403)
    assert error["code"] == "csrf_failed"
