"""Finding 5: login throttling by address and by login ID separately, the ways back in, and alerts on bursts.

Addresses are set per request (REMOTE_ADDR); AUDIT_TRUST_X_FORWARDED_FOR is off, as on a direct connection.
"""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action, AuditEvent
from tests.factories import TEST_PASSWORD

LOGIN = reverse("accounts:login")
CODE_LOGIN = reverse("accounts:login_second_factor")
ATTACKER, OFFICE = "203.0.113.66", "10.1.2.3"


def wrong(client, username, address=ATTACKER):
    return client.post(LOGIN, {"username": username, "password": "Summer2026!"}, REMOTE_ADDR=address)


def right(client, username, address=OFFICE):
    return client.post(LOGIN, {"username": username, "password": TEST_PASSWORD}, REMOTE_ADDR=address)


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


@pytest.fixture
def four_accounts(coordinator_kita, coordinator_nishinari, supervisor, bureau):
    return [u.username for u in (coordinator_kita, coordinator_nishinari, supervisor, bureau)]


@pytest.fixture
def kita_device(coordinator_kita):
    return TOTPDevice.objects.create(user=coordinator_kita, name="default", confirmed=True)


def test_spraying_sixteen_wrong_passwords_over_four_accounts_from_one_address_is_stopped_before_the_sixteenth(
    client, four_accounts, auditor
):
    statuses = [wrong(client, four_accounts[i % 4]).status_code for i in range(16)]
    assert 429 in statuses[:15], statuses
    assert statuses.index(429) == settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1
    per_login_id = [sum(AccessAttempt.objects.filter(username=name).values_list("failures_since_start", flat=True))
                    for name in four_accounts]
    assert max(per_login_id) < settings.AXES_FAILURE_LIMIT  # the address's limit stopped it, not a login ID's
    # The address is stopped for every login ID, even one never tried and with the right password…
    stopped = right(client, auditor.username, address=ATTACKER)
    assert stopped.status_code == 429
    assert "ネットワーク上の同じアドレス" in stopped.content.decode()
    # …but not for anyone else.
    assert right(client, auditor.username, address=OFFICE).status_code == 302


def test_a_few_wrong_passwords_from_one_address_over_many_login_ids_stop_nobody(client, four_accounts):
    for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        assert wrong(client, four_accounts[i % 4]).status_code == 200
    assert right(client, four_accounts[0], address=ATTACKER).status_code == 302


def test_five_wrong_passwords_from_elsewhere_stop_password_login_but_password_and_code_still_let_the_owner_in(
    client, coordinator_kita, kita_device
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        wrong(client, "kita_coordinator")
    refused = right(client, "kita_coordinator", address=OFFICE)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "このログインIDでのログインを 15 分間停止しています" in page
    assert f'href="{CODE_LOGIN}"' in page  # the way in with a second factor is offered

    response = client.post(CODE_LOGIN, {"username": "kita_coordinator", "password": TEST_PASSWORD,
                                        "code": code_for(kita_device)}, REMOTE_ADDR=OFFICE)
    assert response.status_code == 302
    assert client.get(reverse("home:dashboard"), REMOTE_ADDR=OFFICE).status_code == 200  # nothing more is owed
    assert not AccessAttempt.objects.filter(username="kita_coordinator").exists()  # the stop is lifted by the login
    verified = AuditEvent.objects.get(action=Action.TWO_FACTOR, user=coordinator_kita)
    assert verified.detail["event"] == "verified" and verified.municipality_id == coordinator_kita.municipality_id


def test_password_and_code_login_refuses_a_wrong_code_or_password_alike_and_counts_it(
    client, coordinator_kita, kita_device
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        wrong(client, "kita_coordinator")
    answers = [
        client.post(CODE_LOGIN, {"username": "kita_coordinator", "password": TEST_PASSWORD, "code": "000000"},
                    REMOTE_ADDR=OFFICE),
        client.post(CODE_LOGIN, {"username": "kita_coordinator", "password": "wrong", "code": code_for(kita_device)},
                    REMOTE_ADDR=OFFICE),
    ]
    for answer in answers:
        assert answer.status_code == 200
        assert "ログインID・パスワード・確認コードのいずれかが違います" in answer.content.decode()
        assert "_auth_user_id" not in client.session
    failures = AccessAttempt.objects.get(username="kita_coordinator", ip_address=OFFICE).failures_since_start
    assert failures == 2


def test_password_and_code_do_not_pass_a_stopped_address(client, four_accounts, coordinator_kita, kita_device):
    for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        wrong(client, four_accounts[i % 4])
    response = client.post(CODE_LOGIN, {"username": "kita_coordinator", "password": TEST_PASSWORD,
                                        "code": code_for(kita_device)}, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert f'href="{CODE_LOGIN}"' not in response.content.decode()  # a stopped address is not offered the way round


def test_a_login_id_without_a_second_factor_has_no_way_round_the_stop(client, coordinator_kita):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        wrong(client, "kita_coordinator")
    response = client.post(CODE_LOGIN, {"username": "kita_coordinator", "password": TEST_PASSWORD, "code": "123456"},
                           REMOTE_ADDR=OFFICE)
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_an_administrator_lifts_a_stop_from_the_admin_and_it_is_audited(client, coordinator_kita, administrator):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        wrong(client, "kita_coordinator")
    assert right(client, "kita_coordinator").status_code == 429

    admin = client.__class__()
    admin.force_login(administrator)
    response = admin.post(reverse("admin:accounts_user_changelist"),
                          {"action": "clear_lockout", "_selected_action": [coordinator_kita.pk]})
    assert response.status_code == 302

    assert right(client, "kita_coordinator").status_code == 302
    event = AuditEvent.objects.get(action=Action.UNLOCK)
    assert event.user == administrator and event.object_id == str(coordinator_kita.pk)
    assert event.municipality_id == coordinator_kita.municipality_id
    assert event.detail["attempts"] >= 1


def test_an_administrator_cannot_lift_a_stop_in_another_city(client, coordinator_komae, administrator):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        wrong(client, "komae_coordinator")
    client.force_login(administrator)
    client.post(reverse("admin:accounts_user_changelist"),
                {"action": "clear_lockout", "_selected_action": [coordinator_komae.pk]})
    assert AccessAttempt.objects.filter(username="komae_coordinator").exists()
    assert not AuditEvent.objects.filter(action=Action.UNLOCK).exists()


def test_a_burst_against_one_account_raises_exactly_one_alert_that_its_citys_auditor_sees(
    client, coordinator_kita, auditor, coordinator_komae
):
    for _ in range(settings.LOGIN_ALERT_FAILURES + 5):
        wrong(client, "kita_coordinator")
    alert = AuditEvent.objects.get(action=Action.ALERT)  # exactly one
    assert alert.municipality_id == coordinator_kita.municipality_id
    assert alert.detail["login_ids"] == ["kita_coordinator"] and alert.detail["address"] == ATTACKER

    client.force_login(auditor)
    page = client.get(reverse("audit:event_list"), {"action": "alert"})
    assert [event.pk for event in page.context["page"]] == [alert.pk]
    assert "ログイン失敗の連続" in page.content.decode()


def test_a_spray_over_several_accounts_raises_one_alert_for_the_address(client, four_accounts):
    for i in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT + 1):
        wrong(client, four_accounts[i % 4])
    alert = AuditEvent.objects.get(action=Action.ALERT)
    assert alert.detail["address"] == ATTACKER and "login_id" not in alert.detail
    assert sorted(alert.detail["login_ids"]) == sorted(four_accounts)


def test_a_burst_of_made_up_login_ids_alerts_every_city_once(client, osaka, komae):
    for i in range(settings.LOGIN_ALERT_FAILURES):
        wrong(client, f"nobody{i}")
    alerts = AuditEvent.objects.filter(action=Action.ALERT)
    assert sorted(alerts.values_list("municipality_id", flat=True)) == sorted([osaka.pk, komae.pk])
    assert all(alert.detail["login_ids"] == [] and alert.detail["other_login_ids"] == 10 for alert in alerts)


def test_failures_below_the_alert_threshold_raise_no_alert(client, four_accounts):
    for i in range(settings.LOGIN_ALERT_FAILURES - 1):
        wrong(client, four_accounts[i % 4])
    assert not AuditEvent.objects.filter(action=Action.ALERT).exists()


def test_the_failure_counts_live_in_the_database_that_every_worker_shares(client, coordinator_kita):
    wrong(client, "kita_coordinator")
    wrong(client, "kita_coordinator")
    row = AccessAttempt.objects.get(username="kita_coordinator", ip_address=ATTACKER)
    assert row.failures_since_start == 2
    assert settings.AXES_HANDLER == "accounts.security.LoginThrottle"  # a subclass of axes' database handler


def test_password_and_code_login_with_a_field_left_empty_is_answered_in_japanese(client, coordinator_kita):
    response = client.post(CODE_LOGIN, {"username": "kita_coordinator", "password": "", "code": ""})
    assert response.status_code == 200
    assert "この項目は必須です" in response.content.decode()
