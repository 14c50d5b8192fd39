"""The access quartet for every endpoint (STYLE.md 10): anonymous 401, the permitted user 200 with the
expected fields, another ward or an agency not involved 404 (or absent from the list), and the roles that
see aggregates only 403 on personal data but 200 on the reports."""

import pytest
from django.urls import reverse

from tests.access_policy import expected as policy_expected

pytestmark = pytest.mark.django_db

NO_PERSONAL = {"bureau": 403, "administrator": 403, "auditor": 403}


def _policy(surface):
    """A 北区 record's detail, per docs/access-policy.md (the cast's relations in tests/access_policy.py)."""
    return {role: status for role, status in policy_expected(surface, anonymous=401).items() if role != "anonymous"}


LIST = {"coordinator_kita": 200, "agency_worker": 200, "supervisor": 200, "coordinator_nishinari": 200,
        "coordinator_komae": 200, **NO_PERSONAL}
# Households, cases, issues and consultations are the case file: an agency worker is refused the lists too.
FILE_LIST = {**LIST, "agency_worker": 403}
# Who finds the 北区 record on a list page (the others get the list without it).
SHOWN_TO = {"activity_list": {"coordinator_kita", "supervisor"}}
SEES_LIST = {"coordinator_kita", "agency_worker", "supervisor"}
ACTIVITIES = {"coordinator_kita": 200, "supervisor": 200, "coordinator_nishinari": 404, "coordinator_komae": 404,
              "agency_worker": 403, **NO_PERSONAL}
ACTIVITY_LIST = {**ACTIVITIES, "coordinator_nishinari": 200, "coordinator_komae": 200}
REPORTS = {"bureau": 200, "administrator": 200, "coordinator_kita": 403, "coordinator_nishinari": 403,
           "agency_worker": 403, "supervisor": 403, "auditor": 403, "coordinator_komae": 403}


def _issue(o):
    return o["case_kita"].issues.get().pk


# endpoint → (object the detail shows or the list must hold, expectations per role, fields the permitted user gets)
ENDPOINTS = {
    "household_list": (lambda o: o["household_kita"].pk, FILE_LIST, {"id", "ward", "address", "phone", "primary_member"}),
    "household_detail": (lambda o: o["household_kita"].pk, _policy("file"), {"members", "cases", "note", "primary_member"}),
    "case_list": (lambda o: o["case_kita"].pk, FILE_LIST, {"number", "status", "primary_name", "overdue_tasks"}),
    "case_detail": (lambda o: o["case_kita"].pk, _policy("file"), {"number", "members", "issues", "tasks", "consents"}),
    "issue_list": (_issue, FILE_LIST, {"case", "category", "suspected", "noted_on"}),
    "issue_detail": (_issue, _policy("file"), {"case", "category", "member", "resolved_on"}),
    "consultation_list": (lambda o: o["consultation_kita"].pk, FILE_LIST, {"case", "held_at", "method", "summary", "staff"}),
    "consultation_detail": (lambda o: o["consultation_kita"].pk, _policy("file"), {"summary", "agencies", "next_due_on"}),
    "meeting_list": (lambda o: o["meeting_kita"].pk, LIST, {"kind", "basis", "starts_at", "case_count"}),
    "meeting_detail": (lambda o: o["meeting_kita"].pk, _policy("meeting"), {"agencies", "discussions", "tasks", "attendees"}),
    "activity_list": (lambda o: o["activity_kita"].pk, ACTIVITY_LIST, {"kind", "held_on", "agency_count"}),
    "activity_detail": (lambda o: o["activity_kita"].pk, ACTIVITIES, {"kind", "title", "agencies"}),
    "referral_list": (lambda o: o["referral_kita"].pk, LIST, {"number", "kind", "case", "status", "is_overdue"}),
    "referral_detail": (lambda o: o["referral_kita"].pk, _policy("referral"), {"reason", "shared", "events", "available_actions"}),
}
REPORT_QUERIES = {
    "reports_annual": {"fy": 2020},
    "reports_activities": {"start": "2022-04-01", "end": "2023-01-31"},
    "reports_referrals": {"fy": 2022},
}


@pytest.fixture
def objects(household_kita, household_nishinari, case_kita, consultation_kita, meeting_kita, activity_kita,
            referral_kita):
    return {"household_kita": household_kita, "case_kita": case_kita, "consultation_kita": consultation_kita,
            "meeting_kita": meeting_kita, "activity_kita": activity_kita, "referral_kita": referral_kita}


def _url(name, pk):
    return reverse(f"api:{name}", kwargs={"pk": pk} if name.endswith("_detail") else None)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_anonymous_gets_401_in_the_error_shape(name, api, objects):
    key, _rules, _fields = ENDPOINTS[name]
    response = api(None).get(_url(name, key(objects)))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_each_role_gets_what_the_pages_give_it(name, api, cast, objects):
    key, rules, fields = ENDPOINTS[name]
    pk = key(objects)
    got = {}
    for role, expected in rules.items():
        response = api(cast[role]).get(_url(name, pk))
        body = response.json()
        if response.status_code != 200:
            got[role] = (expected, response.status_code, body["error"]["code"])
            continue
        rows = body["results"] if name.endswith("_list") else [body]
        if name.endswith("_list"):
            shown = pk in [row["id"] for row in rows]
            # On a list, "another ward" is not an error: the record is simply not there.
            got[role] = (expected, 200, shown == (role in SHOWN_TO.get(name, SEES_LIST)))
        else:
            got[role] = (expected, 200, rows[0]["id"] == pk)
        if rows:
            assert fields <= set(rows[0]), name
    wrong = {role: g for role, g in got.items() if g[0] != g[1] or (g[1] == 200 and g[2] is not True)}
    assert wrong == {}, "role → (expected, got, detail)"


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_the_roles_that_see_aggregates_only_are_told_so_in_japanese(name, api, bureau, objects):
    key, _rules, _fields = ENDPOINTS[name]
    error = api(bureau).get(_url(name, key(objects))).json()["error"]
    assert error["status"] == 403 and error["code"] == "permission_denied"
    assert "権限" in error["message"]


@pytest.mark.parametrize("name", sorted(REPORT_QUERIES))
def test_the_reports_serve_the_bureau_and_refuse_everyone_else(name, api, cast):
    url = reverse(f"api:{name}")
    assert api(None).get(url, REPORT_QUERIES[name]).status_code == 401
    got = {role: api(cast[role]).get(url, REPORT_QUERIES[name]).status_code for role in REPORTS}
    assert got == REPORTS


def test_a_report_never_names_a_resident(api, bureau, objects, household_kita):
    names = [m.name for m in household_kita.members.all()] + [household_kita.address]
    for name, query in REPORT_QUERIES.items():
        text = api(bureau).get(reverse(f"api:{name}"), query).content.decode()
        assert not [n for n in names if n in text], name


def test_the_annual_report_returns_the_report_with_japanese_errors(api, bureau, coordinator_kita, kita):
    url = reverse("api:reports_annual")
    body = api(bureau).get(url, {"fy": 2020, "ward": "北区"}).json()
    assert (body["ward"], body["fiscal_years"]) == ("北区", [2020, 2019])
    assert api(bureau).get(url, {"fy": 2020, "ward": str(kita.pk)}).json()["ward"] == "北区"
    error = api(bureau).get(url, {"fy": "令和2", "ward": "中区"}).json()["error"]
    assert "西暦の数字" in error["fields"]["fy"][0] and "中区" not in str(error["fields"].get("fy"))
    error = api(bureau).get(url, {"fy": 2020, "ward": "中区"}).json()["error"]
    assert "「中区」という区・圏域はありません" in error["fields"]["ward"][0]
    error = api(bureau).get(url, {"fy": 2020, "compare": 2020}).json()["error"]
    assert "別の年度" in error["fields"]["compare"][0]


def test_a_session_works_as_well_as_a_token(client, coordinator_kita, case_kita):
    client.force_login(coordinator_kita)
    assert client.get(reverse("api:case_detail", kwargs={"pk": case_kita.pk})).json()["number"] == case_kita.number


def test_a_wrong_token_is_refused(api, case_kita):
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    error = client.get(reverse("api:case_list")).json()["error"]
    assert (error["status"], error["code"]) == (401, "authentication_failed")


def test_an_agency_worker_sees_a_referral_but_not_the_case(api, agency_worker, referral_kita, case_kita):
    client = api(agency_worker)
    assert client.get(reverse("api:case_detail", kwargs={"pk": case_kita.pk})).status_code == 403
    body = client.get(reverse("api:referral_detail", kwargs={"pk": referral_kita.pk})).json()
    assert body["shared"]["case_visible"] is False
    assert body["shared"]["identity"]["name"] == case_kita.household.members.get(is_primary=True).name


def test_the_referral_list_names_no_resident(api, agency_worker, referral_kita, household_kita):
    text = api(agency_worker).get(reverse("api:referral_list")).content.decode()
    assert referral_kita.number in text and household_kita.members.get(is_primary=True).name not in text


def test_shared_information_disappears_after_a_decline(api, agency_worker, referral_kita, case_kita):
    from referrals import services
    from referrals.models import DeclineReason

    case_kita.tasks.all().delete()
    services.referral_transition(user=agency_worker, referral=referral_kita, action="decline",
                                 decline_reason=DeclineReason.objects.first())
    shared = api(agency_worker).get(reverse("api:referral_detail", kwargs={"pk": referral_kita.pk})).json()["shared"]
    assert shared["available"] is False and shared["identity"] is None and "辞退" in shared["reason"]
