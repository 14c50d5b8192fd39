"""Every URL pattern, every role: a new view without a rule here makes this suite fail.

For each named route the table says what each member of the cast gets on GET. "login" means a
redirect to the login page. Object routes are opened on a 北区 household, so 西成区's coordinator
must get 404 (STYLE.md 10: allowed OK, read-only 403, other ward 404, anonymous → login).
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audit.models import AuditEvent
from tests.access_policy import expected

LOGIN = "login"
ADMIN_LOGIN = "admin_login"
ROLES = ("anonymous", "coordinator_kita", "coordinator_nishinari", "agency_worker", "supervisor", "bureau",
         "administrator", "auditor", "coordinator_komae")
SIGNED_IN = {role: 200 for role in ROLES if role != "anonymous"}
NO_PERSONAL = {"bureau": 403, "administrator": 403, "auditor": 403}
# Reading a 北区 record: what docs/access-policy.md's table says for each member's relations to it (the agency
# worker has a task on case_kita, is invited to meeting_kita and receives referral_kita).
FILE = expected("file", anonymous=LOGIN)
TASK = expected("task", anonymous=LOGIN)
MEETING = expected("meeting", anonymous=LOGIN)
REFERRAL = expected("referral", anonymous=LOGIN)
# The case file's lists: the roles that may open a file (an agency worker is refused, before any lookup).
FILE_LIST = {"anonymous": LOGIN, **NO_PERSONAL, "agency_worker": 403, "default": 200}
# Writing a 北区 record: its coordinator only; other coordinators 404, other roles 403 before any lookup.
WRITE_KITA = {"anonymous": LOGIN, "coordinator_kita": 200, "coordinator_nishinari": 404, "coordinator_komae": 404,
              "default": 403}
BUREAU_ONLY = {"anonymous": LOGIN, "bureau": 200, "administrator": 200, "default": 403}
COORDINATORS_ONLY = {"anonymous": LOGIN, "coordinator_kita": 200, "coordinator_nishinari": 200,
                     "coordinator_komae": 200, "default": 403}
API_LIST = {"anonymous": 401, **NO_PERSONAL, "default": 200}
API_FILE = {**FILE, "anonymous": 401}
API_FILE_LIST = {**FILE_LIST, "anonymous": 401}
API_WRITE = {"anonymous": 401, **NO_PERSONAL, "default": 405}


def _household(o):
    return {"pk": o["household_kita"].pk}


def _case(o):
    return {"pk": o["case_kita"].pk}


def _meeting(o):
    return {"pk": o["meeting_kita"].pk}


def _activity(o):
    return {"pk": o["activity_kita"].pk}


def _referral(o):
    return {"pk": o["referral_kita"].pk}


def _job(o):
    return {"pk": o["import_job_kita"].pk}


def _erasure(o):
    """An erasure request for the 北区 household, received by another administrator of 大阪市."""
    from django.utils import timezone

    from accounts.models import Role
    from retention.models import ErasureRequest
    from tests.factories import UserFactory

    household = o["household_kita"]
    existing = ErasureRequest.objects.filter(household=household).first()
    if existing is not None:  # one request per test, however many routes open it
        return {"pk": existing.pk}
    requester = UserFactory(username="erasure_requester", role=Role.ADMINISTRATOR, municipality=household.municipality)
    erasure = ErasureRequest.objects.create(
        municipality=household.municipality, fiscal_year=2026, sequence=1, number="削除-2026-0001", household=household,
        ground="person", received_on=timezone.localdate(), requested_by=requester, requested_at=timezone.now())
    return {"pk": erasure.pk}


# Erasure requests (retention): the municipality's administrators and its 個人情報保護担当 only.
ERASURE = {"anonymous": LOGIN, "administrator": 200, "auditor": 200, "default": 403}


def _post(expected_for_kita, **others):
    """A POST-only route: what each role gets when it posts (GET is 405 for everyone)."""
    return {**WRITE_KITA, "coordinator_kita": expected_for_kita, **others}

# route name → (kwargs builder, {role: expected}); roles missing from a rule fall back to "default".
RULES = {
    "home:dashboard": (None, {"anonymous": LOGIN, "default": 200}),
    "core:healthz": (None, {"default": 200}),
    "accounts:login": (None, {"anonymous": 200, "default": 302}),
    "accounts:logout": (None, {"default": 405}),  # POST only; tested in tests/accounts
    "accounts:password_change": (None, {"anonymous": LOGIN, "default": 200}),
    "accounts:password_change_done": (None, {"anonymous": LOGIN, "default": 200}),
    "accounts:preferences": (None, {"anonymous": LOGIN, "default": 200}),
    # Password + second factor in one step (a stopped login ID's way in); a signed-in user is sent on.
    "accounts:login_second_factor": (None, {"anonymous": 200, "default": 302}),
    # The code after the password: only a session that owes it is shown the form, others are sent on.
    "accounts:two_factor_verify": (None, {"anonymous": LOGIN, "default": 302}),
    "accounts:two_factor_setup": (None, {"anonymous": LOGIN, "default": 200}),
    "audit:event_list": (None, {"anonymous": LOGIN, "auditor": 200, "default": 403}),
    "audit:event_export": (None, {"anonymous": LOGIN, "auditor": 200, "default": 403}),
    "reports:overview": (None, BUREAU_ONLY),
    "reports:annual": (None, BUREAU_ONLY),
    "reports:annual_xlsx": (None, BUREAU_ONLY),
    "reports:annual_csv": (None, BUREAU_ONLY),
    "reports:annual_wards_csv": (None, BUREAU_ONLY),
    "reports:activities": (None, BUREAU_ONLY),
    "reports:referrals": (None, BUREAU_ONLY),
    # The REST API (api/urls.py): anonymous 401 in the API's JSON error shape (no login page), same scope as the pages.
    "api:schema": (None, {"anonymous": 401, "default": 200}),
    "api:docs": (None, {"anonymous": LOGIN, "default": 200}),
    "api:not_found": (None, {"default": 404}),
    "api:reports_annual": (None, {**BUREAU_ONLY, "anonymous": 401}),
    "api:reports_activities": (None, {**BUREAU_ONLY, "anonymous": 401}),
    "api:reports_referrals": (None, {**BUREAU_ONLY, "anonymous": 401}),
    "api:household_list": (None, API_FILE_LIST),
    "api:household_detail": (_household, API_FILE),
    "api:case_list": (None, API_FILE_LIST),
    "api:case_detail": (_case, API_FILE),
    # The API's writes take JSON only (an empty form POST is 415): their roles are checked in tests/api/test_writes.py;
    # here their GET, 405 once past the role check.
    "api:case_consultation_create": (_case, {**API_WRITE, "agency_worker": 403}),
    "api:issue_list": (None, API_FILE_LIST),
    "api:issue_detail": (lambda o: {"pk": o["case_kita"].issues.get().pk}, API_FILE),
    "api:consultation_list": (None, API_FILE_LIST),
    "api:consultation_detail": (lambda o: {"pk": o["consultation_kita"].pk}, API_FILE),
    "api:meeting_list": (None, API_LIST),
    "api:meeting_detail": (_meeting, {**MEETING, "anonymous": 401}),
    "api:activity_list": (None, {**COORDINATORS_ONLY, "supervisor": 200, "anonymous": 401}),
    "api:activity_detail": (_activity, {"anonymous": 401, "coordinator_kita": 200, "supervisor": 200,
                                        "coordinator_nishinari": 404, "coordinator_komae": 404, "default": 403}),
    "api:referral_list": (None, API_LIST),
    "api:referral_detail": (_referral, {**REFERRAL, "anonymous": 401}),
    **{f"api:referral_{action}": (_referral, API_WRITE) for action in ("accept", "decline", "start", "complete", "withdraw")},
    "cases:household_list": (None, FILE_LIST),
    "cases:household_create": (None, COORDINATORS_ONLY),
    "cases:household_detail": (_household, FILE),
    "cases:household_ecomap": (_household, FILE),
    "cases:household_edit": (_household, WRITE_KITA),
    "cases:member_create": (_household, WRITE_KITA),
    "cases:household_merge": (_household, WRITE_KITA),
    "cases:member_edit": (lambda o: {"pk": o["household_kita"].members.get(is_primary=True).pk}, WRITE_KITA),
    "cases:case_create": (_household, WRITE_KITA),
    "cases:case_list": (None, FILE_LIST),
    "cases:case_detail": (_case, FILE),
    "cases:case_edit": (_case, WRITE_KITA),
    "cases:consent_create": (_case, WRITE_KITA),
    "cases:plan_create": (_case, WRITE_KITA),
    # POST-only routes. An empty POST is invalid for the forms (400) but enough to pass the access check.
    "cases:case_transition": (_case, _post(400)),
    "cases:consultation_create": (_case, _post(400)),
    "cases:issue_create": (_case, _post(400)),
    "cases:issue_resolve": (lambda o: {"pk": o["case_kita"].pk, "issue_pk": o["case_kita"].issues.get().pk}, _post(302)),
    "cases:consent_withdraw": (lambda o: {"pk": o["consent_kita"].pk}, _post(302)),
    "cases:task_detail": (lambda o: {"pk": o["case_kita"].tasks.get().pk}, TASK),
    "cases:task_status": (lambda o: {"pk": o["case_kita"].tasks.get().pk}, _post(302, agency_worker=302)),
    "meetings:meeting_list": (None, {"anonymous": LOGIN, **NO_PERSONAL, "default": 200}),
    "meetings:meeting_create": (None, {**COORDINATORS_ONLY, "supervisor": 200}),
    "meetings:meeting_detail": (_meeting, MEETING),
    "meetings:meeting_print": (_meeting, MEETING),
    "meetings:meeting_edit": (_meeting, WRITE_KITA),
    "meetings:meeting_record": (_meeting, WRITE_KITA),
    "meetings:meeting_cancel": (_meeting, _post(302)),
    "meetings:activity_list": (None, {**COORDINATORS_ONLY, "supervisor": 200}),
    "meetings:activity_create": (None, COORDINATORS_ONLY),
    "meetings:activity_edit": (_activity, WRITE_KITA),
    "meetings:activity_delete": (_activity, _post(302)),
    "referrals:referral_list": (None, {"anonymous": LOGIN, **NO_PERSONAL, "default": 200}),
    "referrals:referral_create": (None, {**COORDINATORS_ONLY, "agency_worker": 200}),
    # The referral is 北区役所 → 北区地域包括支援センター about case_kita: the agency is its receiver.
    "referrals:referral_detail": (_referral, REFERRAL),
    "referrals:referral_sheet": (_referral, REFERRAL),
    "referrals:referral_return": (_referral, {"anonymous": LOGIN, "agency_worker": 200, "coordinator_nishinari": 404,
                                              "coordinator_komae": 404, "default": 403}),
    # Withdrawing is the sender's: an empty POST lacks the reason (400); the receiver is refused (403).
    "referrals:referral_action": (lambda o: {**_referral(o), "action": "withdraw"}, _post(400)),
    "referrals:notification_list": (None, {"anonymous": LOGIN, **NO_PERSONAL, "default": 200}),
    "referrals:notification_read_all": (None, {"anonymous": LOGIN, **NO_PERSONAL, "default": 302}),
    # Ledger imports: administrators and coordinators; a job is its ward's (and the administrator's).
    "ledger:import_list": (None, {**COORDINATORS_ONLY, "administrator": 200}),
    "ledger:import_detail": (_job, {**WRITE_KITA, "administrator": 200}),
    # Confirming a job still being checked, cancelling it, or an empty alias form: back to the job (302).
    "ledger:import_confirm": (_job, _post(302, administrator=302)),
    "ledger:import_cancel": (_job, _post(302, administrator=302)),
    # Retrying a job that has not failed: back to the job with a message (302).
    "ledger:import_retry": (_job, _post(302, administrator=302)),
    "ledger:alias_add": (_job, _post(302, administrator=302)),
    "ledger:export": (None, {**COORDINATORS_ONLY, "administrator": 200}),
    "retention:request_list": (None, ERASURE),
    "retention:request_create": (None, ERASURE),
    "retention:request_detail": (_erasure, ERASURE),
    "retention:receipt": (_erasure, ERASURE),
    "retention:receipt_csv": (_erasure, ERASURE),
    # Approving and rejecting are POST only (tests/retention/test_erasure.py): a GET is 405 for everyone.
    "retention:request_approve": (_erasure, {"default": 405}),
    "retention:request_reject": (_erasure, {"default": 405}),
    "set_language": (None, {"default": 302}),  # GET only redirects; the switch itself is a POST
    "admin:index": (None, {"administrator": 200, "default": ADMIN_LOGIN}),
}


def named_routes(resolver=None, namespace=""):
    """(namespace, full name or the pattern's text when unnamed) for every route the project serves."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry, inner)
        elif isinstance(entry, URLPattern):
            yield namespace, f"{namespace}{entry.name}" if entry.name else f"unnamed {entry.pattern}"


def project_routes():
    # The Django admin's own routes are guarded by the admin site as a whole (checked via admin:index
    # here and in tests/test_admin.py); every other route must have a rule.
    return sorted({name for namespace, name in named_routes() if not namespace.startswith("admin:")})


def test_every_route_has_an_access_rule():
    missing = [name for name in project_routes() if name not in RULES]
    assert missing == [], f"routes without an access rule in tests/test_url_access.py: {missing}"


def test_no_rule_is_left_for_a_route_that_no_longer_exists():
    served = set(project_routes()) | {"admin:index"}
    assert sorted(set(RULES) - served) == []


def expected_outcome(name, role):
    rules = RULES[name][1]
    return rules.get(role, rules.get("default"))


ANSWER_GET_WITH_A_REDIRECT = ("accounts:login", "accounts:login_second_factor", "accounts:two_factor_verify", "set_language")
POST_ONLY = {name for name, (_, rules) in RULES.items()
             if rules.get("coordinator_kita", rules.get("default")) in (302, 400) and name not in ANSWER_GET_WITH_A_REDIRECT}


@pytest.fixture
def objects(household_kita, household_nishinari, case_kita, consent_kita, meeting_kita, activity_kita, referral_kita,
            import_job_kita, consultation_kita):
    return {"household_kita": household_kita, "case_kita": case_kita, "consent_kita": consent_kita,
            "meeting_kita": meeting_kita, "activity_kita": activity_kita, "referral_kita": referral_kita,
            "import_job_kita": import_job_kita, "consultation_kita": consultation_kita}


# Routes that need a query to answer at all (the API's required parameters).
QUERIES = {"api:reports_annual": "?fy=2020", "api:reports_activities": "?start=2022-04-01&end=2023-01-31",
           "api:reports_referrals": "?fy=2022"}


def url_for(name, objects):
    kwargs_builder = RULES[name][0]
    return reverse(name, kwargs=kwargs_builder(objects) if kwargs_builder else None) + QUERIES.get(name, "")


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_only_routes_refuse_a_get(name, client, coordinator_kita, objects):
    client.force_login(coordinator_kita)
    assert client.get(url_for(name, objects)).status_code == 405


@pytest.mark.parametrize("name", sorted(RULES))
def test_each_role_gets_what_the_rule_says(name, client, cast, objects):
    url = url_for(name, objects)
    outcomes = {}
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(cast[role])
        response = client.post(url) if name in POST_ONLY else client.get(url)
        expected = expected_outcome(name, role)
        if expected == LOGIN:
            ok = response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
        elif expected == ADMIN_LOGIN:
            ok = response.status_code == 302 and response.url.startswith(reverse("admin:login"))
        else:
            ok = response.status_code == expected
        outcomes[role] = (expected, response.status_code, ok)
    wrong = {role: outcome[:2] for role, outcome in outcomes.items() if not outcome[2]}
    assert wrong == {}, f"{name}: role → (expected, got)"


def page_text(response) -> str:
    """What a response shows: its text, or every cell of a workbook."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        import io

        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
    if response.streaming:  # the auditor's CSV of the trail
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def _get_every_route(client, user, objects):
    client.force_login(user)
    for name in sorted(RULES):
        if name.startswith("admin:") or name in ("set_language", "accounts:logout") or name in POST_ONLY:
            continue
        url = url_for(name, objects)
        before = AuditEvent.objects.filter(user=user).count()
        response = client.get(url)
        yield name, response, AuditEvent.objects.filter(user=user).count() - before


@pytest.mark.parametrize("role", ["coordinator_kita", "agency_worker", "supervisor"])
def test_every_page_that_shows_a_resident_writes_an_audit_event(client, cast, role, objects, household_kita):
    resident = household_kita.members.get(is_primary=True).name
    showing = []
    for name, response, new_events in _get_every_route(client, cast[role], objects):
        if resident in page_text(response):
            showing.append(name)
            assert new_events >= 1, f"{name} shows a resident but wrote no audit event"
    # Where each role meets the resident (docs/access-policy.md): the file for those who open it; for the agency
    # worker its task, the referral it received and the meeting it was invited to.
    where = ({"cases:task_detail", "referrals:referral_detail", "meetings:meeting_detail"} if role == "agency_worker"
             else {"cases:household_detail", "cases:case_detail", "home:dashboard", "meetings:meeting_detail"})
    assert where <= set(showing)


@pytest.mark.parametrize("role", ["bureau", "administrator", "auditor"])
def test_no_page_shows_a_resident_to_a_role_that_sees_aggregates_only(client, cast, role, objects, household_kita):
    household_kita.refresh_from_db()
    personal = [m.name for m in household_kita.members.all()] + [household_kita.address, household_kita.phone]
    for name, response, _ in _get_every_route(client, cast[role], objects):
        page = page_text(response)
        assert not [text for text in personal if text in page], name
