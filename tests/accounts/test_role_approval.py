"""A role that sees residents' data (and the administrator's own) is granted only with a second administrator's
approval (#15, finding 1). Driven through the admin as the cast's administrator of 大阪市 and a second one."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import GrantStatus, Role, RoleGrant, User
from accounts.services import role_grant_approve
from audit.models import Action, AuditEvent
from tests.accounts.test_admin_trail import USER_ADD, change_url, form_data, run_action
from tests.factories import TEST_PASSWORD, UserFactory

GRANTS = reverse("admin:accounts_rolegrant_changelist")


@pytest.fixture
def second_administrator(osaka):
    return UserFactory(username="admin2", role=Role.ADMINISTRATOR, municipality=osaka, is_staff=True, last_name="副管理")


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def as_user(client, user):
    client.force_login(user)
    return client


def add_coordinator(client, ward, username="new_kita"):
    client.post(USER_ADD, {"username": username, "last_name": "北山", "role": Role.COORDINATOR, "ward": ward.pk})
    return User.objects.get(username=username)


def logs_in(client, username, password) -> bool:
    client.logout()
    client.post(reverse("accounts:login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


def decide(client, action, grant):
    return run_action(client, action, grant, url=GRANTS)


class TestANewCaseWorker:
    def test_is_created_inactive_with_its_role_waiting_for_approval(self, admin_client, administrator, kita, client):
        user = add_coordinator(admin_client, kita)
        grant = user.role_grants.get()
        assert not user.is_active
        assert (grant.status, grant.role, grant.ward, grant.requested_by) == (GrantStatus.PENDING, Role.COORDINATOR, kita, administrator)
        event = AuditEvent.objects.get(action=Action.REQUEST)
        assert (event.user, event.municipality, event.object_id) == (administrator, kita.municipality, str(grant.pk))

    def test_cannot_log_in_before_approval(self, admin_client, kita, client):
        password = admin_client.post(USER_ADD, {"username": "new_kita", "last_name": "北山", "role": Role.COORDINATOR,
                                                "ward": kita.pk}).context["rows"][0]["password"]
        assert not logs_in(client, "new_kita", password)

    def test_the_requester_cannot_approve_their_own_request(self, admin_client, kita):
        user = add_coordinator(admin_client, kita)
        response = decide(admin_client, "approve", user.role_grants.get())
        assert response.status_code == 302
        user.refresh_from_db()
        assert not user.is_active and user.role_grants.get().status == GrantStatus.PENDING
        assert not AuditEvent.objects.filter(action=Action.APPROVE).exists()

    def test_the_database_refuses_a_grant_decided_by_its_requester(self, admin_client, administrator, kita):
        grant = add_coordinator(admin_client, kita).role_grants.get()
        with pytest.raises(IntegrityError), transaction.atomic():
            RoleGrant.objects.filter(pk=grant.pk).update(decided_by=administrator)

    def test_a_second_administrator_approves_and_the_access_applies(self, admin_client, client, kita, second_administrator, osaka):
        user = add_coordinator(admin_client, kita)
        decide(as_user(client, second_administrator), "approve", user.role_grants.get())
        user.refresh_from_db()
        grant = user.role_grants.get()
        assert user.is_active and (user.role, user.ward) == (Role.COORDINATOR, kita)
        assert (grant.status, grant.decided_by) == (GrantStatus.APPROVED, second_administrator)
        event = AuditEvent.objects.get(action=Action.APPROVE)
        assert (event.user, event.municipality, event.detail["username"]) == (second_administrator, osaka, "new_kita")

    def test_a_rejected_user_stays_without_access(self, admin_client, client, kita, second_administrator):
        user = add_coordinator(admin_client, kita)
        decide(as_user(client, second_administrator), "reject", user.role_grants.get())
        user.refresh_from_db()
        assert not user.is_active and user.role_grants.get().status == GrantStatus.REJECTED
        assert AuditEvent.objects.get(action=Action.REJECT).user == second_administrator

    def test_another_citys_administrator_neither_sees_nor_approves_the_request(self, admin_client, client, kita, komae):
        grant = add_coordinator(admin_client, kita).role_grants.get()
        komae_admin = UserFactory(username="komae_admin", role=Role.ADMINISTRATOR, municipality=komae, is_staff=True)
        other = as_user(client, komae_admin)
        assert grant not in other.get(GRANTS).context["cl"].result_list
        decide(other, "approve", grant)
        grant.refresh_from_db()
        assert grant.status == GrantStatus.PENDING
        with pytest.raises(Exception, match="別のシステム管理者"):
            role_grant_approve(actor=komae_admin, grant=grant)


class TestAChangeOfAccess:
    def test_a_coordinators_move_to_another_ward_is_held_until_approved(self, admin_client, client, coordinator_kita, nishinari, kita, second_administrator):
        url = change_url(coordinator_kita)
        admin_client.post(url, form_data(admin_client, url, ward=nishinari.pk))
        coordinator_kita.refresh_from_db()
        assert coordinator_kita.ward == kita and coordinator_kita.is_active
        decide(as_user(client, second_administrator), "approve", coordinator_kita.role_grants.get())
        coordinator_kita.refresh_from_db()
        assert coordinator_kita.ward == nishinari
        assert AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(coordinator_kita.pk), detail__fields=["ward"],
                                         user=second_administrator).exists()

    def test_becoming_a_coordinator_is_held(self, admin_client, bureau, kita):
        url = change_url(bureau)
        admin_client.post(url, form_data(admin_client, url, role=Role.COORDINATOR, ward=kita.pk))
        bureau.refresh_from_db()
        assert bureau.role == Role.BUREAU and bureau.role_grants.get().role == Role.COORDINATOR

    def test_re_activating_a_case_worker_is_held(self, admin_client, supervisor):
        User.objects.filter(pk=supervisor.pk).update(is_active=False)
        url = change_url(supervisor)
        admin_client.post(url, form_data(admin_client, url, is_active=True))
        supervisor.refresh_from_db()
        assert not supervisor.is_active and supervisor.role_grants.get().status == GrantStatus.PENDING

    def test_taking_access_away_applies_at_once_and_cancels_what_waited(self, admin_client, coordinator_kita, nishinari):
        url = change_url(coordinator_kita)
        admin_client.post(url, form_data(admin_client, url, ward=nishinari.pk))
        admin_client.post(url, form_data(admin_client, url, is_active=False))
        coordinator_kita.refresh_from_db()
        assert not coordinator_kita.is_active and coordinator_kita.role_grants.get().status == GrantStatus.CANCELLED

    def test_a_role_without_personal_data_applies_at_once(self, admin_client, coordinator_kita):
        url = change_url(coordinator_kita)
        admin_client.post(url, form_data(admin_client, url, role=Role.BUREAU))
        coordinator_kita.refresh_from_db()
        assert coordinator_kita.role == Role.BUREAU and not coordinator_kita.role_grants.exists()

    def test_the_user_a_grant_is_for_cannot_approve_it(self, admin_client, client, second_administrator, nishinari, osaka):
        url = change_url(second_administrator)
        admin_client.post(url, form_data(admin_client, url, role=Role.COORDINATOR, ward=nishinari.pk))
        decide(as_user(client, second_administrator), "approve", second_administrator.role_grants.get())
        assert second_administrator.role_grants.get().status == GrantStatus.PENDING


class TestAdministrators:
    def test_a_new_administrator_needs_a_second_administrator_too(self, admin_client):
        admin_client.post(USER_ADD, {"username": "admin3", "last_name": "三", "role": Role.ADMINISTRATOR, "is_staff": "on"})
        user = User.objects.get(username="admin3")
        assert not user.is_active and user.role_grants.get().role == Role.ADMINISTRATOR

    def test_the_operator_sets_up_a_citys_first_administrator_at_once(self, client, komae):
        operator = UserFactory(username="operator", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True, municipality=None)
        as_user(client, operator).post(USER_ADD, {"username": "komae_admin", "last_name": "狛", "role": Role.ADMINISTRATOR,
                                                  "municipality": komae.pk, "is_staff": "on"})
        first = User.objects.get(username="komae_admin")
        assert first.is_active and not first.role_grants.exists()
        client.post(USER_ADD, {"username": "komae_admin2", "last_name": "狛", "role": Role.ADMINISTRATOR,
                               "municipality": komae.pk, "is_staff": "on"})
        second = User.objects.get(username="komae_admin2")
        assert not second.is_active and second.role_grants.get().status == GrantStatus.PENDING

    def test_the_pending_change_shows_on_the_users_page(self, admin_client, kita):
        user = add_coordinator(admin_client, kita)
        assert "承認待ち" in admin_client.get(GRANTS).content.decode()
        assert "つながる体制推進員 北区（申請: admin）" in admin_client.get(change_url(user)).content.decode()


def test_approved_users_log_in_with_the_one_time_password_once(admin_client, client, kita, second_administrator):
    password = admin_client.post(USER_ADD, {"username": "new_kita", "last_name": "北山", "role": Role.COORDINATOR,
                                            "ward": kita.pk}).context["rows"][0]["password"]
    decide(as_user(client, second_administrator), "approve", RoleGrant.objects.get())
    assert not logs_in(client, "new_kita", TEST_PASSWORD)
    assert logs_in(client, "new_kita", password)
    assert User.objects.get(username="new_kita").must_change_password
