"""Account and organisation administration leaves an audit trail the city's auditor reads (#15, finding 1).

Driven through the admin with the test client, as the cast's administrator of 大阪市 (and as the system operator).
"""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role, User
from agencies.models import Agency, Municipality, Ward
from audit.models import Action, AuditEvent
from tests.factories import TEST_PASSWORD, UserFactory

USER_ADD = reverse("admin:accounts_user_add")
USER_LIST = reverse("admin:accounts_user_changelist")


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def form_data(client, url, **changes):
    """What the change page would send back unchanged, with `changes` made."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = getattr(value, "pk", value)
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return data


def run_action(client, action, *objects, url=USER_LIST):
    return client.post(url, {"action": action, "index": 0, "_selected_action": [o.pk for o in objects]})


def events(action, **filters):
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("pk"))


class TestUsers:
    def test_a_new_user_is_audited_by_who_made_it_with_the_fields_named_and_no_password(self, admin_client, administrator, osaka):
        response = admin_client.post(USER_ADD, {"username": "new_bureau", "last_name": "新井", "role": Role.BUREAU})
        assert response.status_code == 200, response.context["adminform"].form.errors if response.context else response
        user = User.objects.get(username="new_bureau")
        [event] = events(Action.CREATE, object_type="accounts.user")
        assert (event.user, event.municipality, event.object_id) == (administrator, osaka, str(user.pk))
        assert {"username", "role", "municipality", "last_name"} <= set(event.detail["fields"])
        assert "password" not in event.detail["fields"] and user.password not in str(event.detail)

    def test_the_add_form_has_no_password_to_type_and_a_one_time_password_is_shown_once(self, admin_client):
        assert not {"password1", "password2", "usable_password"} & set(admin_client.get(USER_ADD).context["adminform"].form.fields)
        response = admin_client.post(USER_ADD, {"username": "new_bureau", "last_name": "新井", "role": Role.BUREAU,
                                                "password1": "Chosen-by-admin-1", "password2": "Chosen-by-admin-1"})
        [row] = response.context["rows"]
        user = User.objects.get(username="new_bureau")
        assert len(row["password"]) == 16 and row["password"] in response.content.decode()
        assert user.check_password(row["password"]) and not user.check_password("Chosen-by-admin-1")
        assert user.must_change_password and user.is_active  # 福祉局 sees no personal data: no approval needed
        assert "no-store" in response["Cache-Control"]
        assert row["password"] not in admin_client.get(change_url(user)).content.decode()

    def test_the_administrator_cannot_set_another_users_password(self, admin_client, coordinator_kita):
        django_page = f"/admin/accounts/user/{coordinator_kita.pk}/password/"  # Django's own 「パスワードの変更」
        assert admin_client.get(django_page).status_code != 200
        page = admin_client.get(change_url(coordinator_kita))
        assert "password" not in page.context["adminform"].form.fields and "password/" not in page.content.decode()
        admin_client.post(change_url(coordinator_kita), form_data(admin_client, change_url(coordinator_kita), password="x"))
        admin_client.post(django_page, {"usable_password": "true", "password1": "Taken-over-123", "password2": "Taken-over-123"})
        coordinator_kita.refresh_from_db()
        assert coordinator_kita.check_password(TEST_PASSWORD)

    def test_the_administrators_own_password_is_changed_on_the_audited_page(self, admin_client):
        response = admin_client.get(reverse("admin:password_change"))
        assert response.status_code == 302 and response.url == reverse("accounts:password_change")

    def test_a_one_time_password_is_audited_and_must_be_changed_at_the_next_login(self, admin_client, administrator, coordinator_kita, osaka, client):
        response = run_action(admin_client, "issue_one_time_password", coordinator_kita)
        [row] = response.context["rows"]
        coordinator_kita.refresh_from_db()
        assert coordinator_kita.must_change_password and coordinator_kita.check_password(row["password"])
        assert not coordinator_kita.check_password(TEST_PASSWORD)
        [event] = events(Action.PASSWORD_RESET)
        assert (event.user, event.municipality, event.object_id) == (administrator, osaka, str(coordinator_kita.pk))
        assert row["password"] not in str(event.detail)

    def test_an_administrator_cannot_issue_their_own_one_time_password(self, admin_client, administrator):
        response = run_action(admin_client, "issue_one_time_password", administrator)
        assert response.status_code == 302 and not events(Action.PASSWORD_RESET)
        administrator.refresh_from_db()
        assert administrator.check_password(TEST_PASSWORD)

    def test_a_change_names_the_fields_changed(self, admin_client, administrator, bureau):
        admin_client.post(change_url(bureau), form_data(admin_client, change_url(bureau), last_name="福田", email="f@example.jp"))
        [event] = events(Action.UPDATE, object_type="accounts.user")
        assert (event.user, event.object_id, sorted(event.detail["fields"])) == (administrator, str(bureau.pk), ["email", "last_name"])

    def test_a_deleted_user_is_audited(self, admin_client, administrator, osaka):
        user = UserFactory(username="leaving", role=Role.BUREAU, municipality=osaka)
        response = admin_client.post(reverse("admin:accounts_user_delete", args=[user.pk]), {"post": "yes"})
        assert response.status_code == 302 and not User.objects.filter(pk=user.pk).exists()
        [event] = events(Action.DELETE, object_type="accounts.user")
        assert (event.user, event.municipality, event.detail["username"]) == (administrator, osaka, "leaving")

    def test_the_operators_changes_are_seen_by_the_citys_auditor(self, client, osaka, kita, auditor):
        operator = UserFactory(username="operator", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True, municipality=None)
        client.force_login(operator)
        client.post(USER_ADD, {"username": "new_kita", "last_name": "北", "role": Role.COORDINATOR,
                               "municipality": osaka.pk, "ward": kita.pk})
        assert events(Action.CREATE, object_type="accounts.user")[0].municipality == osaka
        assert events(Action.REQUEST)[0].municipality == osaka


    def test_an_event_belongs_to_the_city_of_the_account_changed_not_the_actors(self, client, osaka, komae, komae_area):
        operator = UserFactory(username="operator", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True, municipality=osaka)
        client.force_login(operator)
        client.post(USER_ADD, {"username": "komae_bureau", "last_name": "狛", "role": Role.BUREAU, "municipality": komae.pk})
        [event] = events(Action.CREATE, object_type="accounts.user")
        assert (event.user, event.municipality) == (operator, komae)


class TestTheAuditor:
    def test_the_auditor_sees_account_events_on_the_audit_page(self, admin_client, client, coordinator_kita, auditor):
        admin_client.post(USER_ADD, {"username": "new_bureau", "last_name": "新井", "role": Role.BUREAU})
        run_action(admin_client, "issue_one_time_password", coordinator_kita)
        client.force_login(auditor)
        listed = client.get(reverse("audit:event_list")).context["page"].object_list
        assert {Action.CREATE, Action.PASSWORD_RESET} <= {e.action for e in listed}

    def test_another_citys_auditor_does_not(self, admin_client, client, coordinator_kita, komae):
        run_action(admin_client, "issue_one_time_password", coordinator_kita)
        client.force_login(UserFactory(username="komae_auditor", role=Role.AUDITOR, municipality=komae))
        listed = client.get(reverse("audit:event_list")).context["page"].object_list
        assert Action.PASSWORD_RESET not in {e.action for e in listed}


class TestOrganisation:
    def test_a_new_ward_is_audited_in_its_city(self, admin_client, administrator, osaka):
        admin_client.post(reverse("admin:agencies_ward_add"), {"name": "都島区", "sort_order": 2})
        ward = Ward.objects.get(name="都島区")
        [event] = events(Action.CREATE, object_type="agencies.ward")
        assert (event.user, event.municipality, event.object_id, event.detail["name"]) == (administrator, osaka, str(ward.pk), "都島区")

    def test_a_changed_agency_names_the_fields(self, admin_client, kita_houkatsu):
        url = reverse("admin:agencies_agency_change", args=[kita_houkatsu.pk])
        admin_client.post(url, form_data(admin_client, url, name="北区包括（改称）"))
        [event] = events(Action.UPDATE, object_type="agencies.agency")
        assert event.detail["fields"] == ["name"] and event.municipality == kita_houkatsu.municipality

    def test_a_deleted_ward_is_audited(self, admin_client, osaka):
        ward = Ward.objects.create(municipality=osaka, name="消える区")
        admin_client.post(reverse("admin:agencies_ward_delete", args=[ward.pk]), {"post": "yes"})
        assert not Ward.objects.filter(pk=ward.pk).exists()
        [event] = events(Action.DELETE, object_type="agencies.ward")
        assert (event.object_id, event.municipality) == (str(ward.pk), osaka)

    def test_a_municipality_changed_in_the_admin_is_audited(self, admin_client, osaka, kita):
        url = reverse("admin:agencies_municipality_change", args=[osaka.pk])
        admin_client.post(url, form_data(admin_client, url, area_label="行政区", ward_names="此花区"))
        [update] = events(Action.UPDATE, object_type="agencies.municipality", detail__fields=["area_label"])
        added = events(Action.UPDATE, object_type="agencies.municipality", detail__wards_created=["此花区"])
        assert update.municipality == osaka and len(added) == 1 and Agency.objects.filter(ward__name="此花区").exists()

    def test_the_set_up_command_is_audited_once_and_a_rerun_that_changes_nothing_not_at_all(self, db):
        arguments = ["狛江市", "--code", "132195", "--wards", "第一圏域,第二圏域"]
        call_command("setup_municipality", *arguments)
        komae = Municipality.objects.get(code="132195")
        [event] = events(Action.CREATE, object_type="agencies.municipality")
        assert (event.municipality, event.user, event.detail["wards_created"]) == (komae, None, ["第一圏域", "第二圏域"])
        call_command("setup_municipality", *arguments)
        assert len(events(Action.CREATE)) + len(events(Action.UPDATE)) == 1
