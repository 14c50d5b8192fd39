"""Item 6: a second factor (django-otp TOTP and recovery codes) — enrolment, the code after the password, reset."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import security
from audit.models import Action, AuditEvent
from tests.factories import TEST_PASSWORD

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:two_factor_verify")
SETUP = reverse("accounts:two_factor_setup")
DASHBOARD = reverse("home:dashboard")


def code_for(key_hex: str) -> str:
    return f"{totp(bytes.fromhex(key_hex)):06d}"


def sign_in(client, username="kita_coordinator"):
    response = client.post(LOGIN, {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return response


@pytest.fixture
def enrolled(coordinator_kita):
    """北区's coordinator with an authenticator app and ten recovery codes."""
    device, codes = security.two_factor_enrol(user=coordinator_kita, key=security.new_totp_key())
    return device, codes


def test_a_user_with_a_second_factor_gets_no_page_until_the_code_is_given(client, coordinator_kita, enrolled):
    device, _ = enrolled
    sign_in(client)
    for url in (DASHBOARD, reverse("cases:case_list"), reverse("accounts:preferences"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(VERIFY), url
    api = client.get(reverse("api:reports_annual") + "?fy=2020")
    assert api.status_code == 403 and api.json()["error"]["code"] == "account_gate"

    response = client.post(VERIFY, {"code": code_for(device.key), "next": reverse("cases:case_list")})
    assert response.status_code == 302 and response.url == reverse("cases:case_list")
    assert client.get(DASHBOARD).status_code == 200
    event = AuditEvent.objects.get(action=Action.TWO_FACTOR, detail__event="verified", user=coordinator_kita)
    assert event.detail == {"event": "verified", "method": "totp", "username": "kita_coordinator"}


def test_a_code_is_not_accepted_twice(client, coordinator_kita, enrolled):
    device, _ = enrolled
    code = code_for(device.key)
    sign_in(client)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    sign_in(client)
    again = client.post(VERIFY, {"code": code})
    assert again.status_code == 200 and "確認コードが違います" in again.content.decode()
    assert client.get(DASHBOARD).status_code == 302


def test_wrong_codes_count_as_failed_logins_and_end_in_a_stop(client, coordinator_kita, enrolled, settings):
    sign_in(client)
    answers = [client.post(VERIFY, {"code": "000000"}).status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert answers[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1) and answers[-1] == 429
    assert "_auth_user_id" not in client.session  # the half-open session is ended
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, username="kita_coordinator").count() == 5
    assert client.post(LOGIN, {"username": "kita_coordinator", "password": TEST_PASSWORD}).status_code == 429


def test_a_recovery_code_works_once(client, coordinator_kita, enrolled):
    _, codes = enrolled
    assert len(codes) == 10 and len(set(codes)) == 10
    sign_in(client)
    assert client.post(VERIFY, {"code": codes[3].upper()}).status_code == 302
    assert client.get(DASHBOARD).status_code == 200
    assert StaticToken.objects.filter(device__user=coordinator_kita).count() == 9
    event = AuditEvent.objects.get(action=Action.TWO_FACTOR, detail__event="verified", user=coordinator_kita)
    assert event.detail["method"] == "recovery_code"

    client.post(reverse("accounts:logout"))
    sign_in(client)
    assert client.post(VERIFY, {"code": codes[3]}).status_code == 200
    assert client.get(DASHBOARD).status_code == 302
    assert StaticToken.objects.filter(device__user=coordinator_kita).count() == 9  # the other nine still wait


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_when_required_a_user_without_a_second_factor_enrols_at_login(client, coordinator_kita):
    sign_in(client)
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response.url.startswith(SETUP)
    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "<script" not in html and "style=" not in html  # drawn here, no script, no inline CSS
    key = client.session["two_factor_key"]
    secret = "".join(page.context["secret_groups"])
    assert " ".join(page.context["secret_groups"]) in html  # for typing in by hand

    assert "数字が一致しません" in client.post(SETUP, {"code": "123456"}).content.decode()
    done = client.post(SETUP, {"code": code_for(key), "next": DASHBOARD})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=coordinator_kita).values_list("token", flat=True))
    assert TOTPDevice.objects.get(user=coordinator_kita).key == key and secret
    assert client.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.filter(action=Action.TWO_FACTOR, detail__event="enrolled", user=coordinator_kita).exists()


@override_settings(TWO_FACTOR_REQUIRED=True)
@pytest.mark.parametrize("role", ["coordinator_kita", "agency_worker", "supervisor", "bureau", "administrator", "auditor"])
def test_when_required_every_role_is_sent_to_enrolment(client, cast, role):
    sign_in(client, cast[role].username)
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response.url.startswith(SETUP)


def test_without_the_requirement_a_user_with_no_second_factor_signs_in_with_the_password(client, coordinator_kita):
    sign_in(client)
    assert client.get(DASHBOARD).status_code == 200
    assert "二要素認証を設定する" in client.get(reverse("accounts:preferences")).content.decode()


def test_an_administrator_resets_a_lost_second_factor_and_it_is_audited(client, coordinator_kita, enrolled,
                                                                         administrator):
    client.force_login(administrator)
    response = client.post(reverse("admin:accounts_user_changelist"),
                           {"action": "reset_two_factor", "_selected_action": [coordinator_kita.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator_kita).exists()
    assert not StaticDevice.objects.filter(user=coordinator_kita).exists()
    event = AuditEvent.objects.get(action=Action.TWO_FACTOR, detail__event="reset")
    assert event.user == administrator and event.object_id == str(coordinator_kita.pk)
    assert event.municipality_id == coordinator_kita.municipality_id and event.detail["devices"] == 2

    client.post(reverse("accounts:logout"))
    sign_in(client)
    assert client.get(DASHBOARD).status_code == 200  # not required here: the password alone again
    with override_settings(TWO_FACTOR_REQUIRED=True):
        client.post(reverse("accounts:logout"))
        sign_in(client)
        assert client.get(DASHBOARD).url.startswith(SETUP)


def test_the_admin_login_is_held_at_the_second_factor_too(client, administrator):
    security.two_factor_enrol(user=administrator, key=security.new_totp_key())
    response = client.post(reverse("admin:login"), {"username": "admin", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).url.startswith(VERIFY)


def test_a_password_alone_cannot_put_a_new_second_factor_in_place_of_the_old_one(client, coordinator_kita, enrolled):
    device, _ = enrolled
    sign_in(client)
    response = client.get(SETUP)
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    key = security.new_totp_key()
    session = client.session
    session["two_factor_key"] = key
    session.save()
    client.post(SETUP, {"code": code_for(key)})
    assert list(TOTPDevice.objects.filter(user=coordinator_kita).values_list("key", flat=True)) == [device.key]
    assert client.get(DASHBOARD).status_code == 302


def test_a_password_alone_does_not_clear_the_failures_of_a_user_with_a_second_factor(client, coordinator_kita,
                                                                                      enrolled, settings):
    from axes.models import AccessAttempt

    device, _ = enrolled
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN, {"username": "kita_coordinator", "password": "wrong"})
    sign_in(client)
    assert AccessAttempt.objects.filter(username="kita_coordinator").exists()
    client.post(VERIFY, {"code": code_for(device.key)})
    assert not AccessAttempt.objects.filter(username="kita_coordinator").exists()
