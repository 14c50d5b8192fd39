"""API tokens are stored hashed, expire, are refused once revoked, serve only the roles the API serves, and their
issue and revocation are audited (#15, item 9)."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role, User
from api.models import ApiToken, token_hash
from api.tokens import token_issue, token_revoke
from audit.models import Action, AuditEvent

CASES = reverse("api:case_list")


def with_key(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def refused(response, code):
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    error = response.json()["error"]
    assert (error["status"], error["code"], error["fields"]) == (401, code, {})
    return error["message"]


def test_the_command_shows_the_key_once_and_stores_only_its_hash(coordinator_kita):
    out = io.StringIO()
    call_command("issue_token", "kita_coordinator", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=coordinator_kita)
    assert len(key) >= 40 and token.key_hash == token_hash(key) and token.prefix == key[:6]
    stored = " ".join(str(v) for v in ApiToken.objects.values_list().get())
    assert key not in stored
    assert with_key(key).get(CASES).status_code == 200


def test_a_token_expires_after_api_token_days_or_the_days_asked(coordinator_kita):
    token, _key = token_issue(user=coordinator_kita)
    assert token.expires_at - token.created_at == dt.timedelta(days=settings.API_TOKEN_DAYS) == dt.timedelta(days=90)
    call_command("issue_token", "kita_coordinator", "--days", "7", stdout=io.StringIO(), stderr=io.StringIO())
    assert ApiToken.objects.latest("pk").expires_at - ApiToken.objects.latest("pk").created_at == dt.timedelta(days=7)


def test_an_expired_token_is_refused_with_the_apis_error(coordinator_kita):
    token, key = token_issue(user=coordinator_kita)
    ApiToken.objects.filter(pk=token.pk).update(created_at=timezone.now() - dt.timedelta(days=91),
                                                expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert "有効期限" in refused(with_key(key).get(CASES), "token_expired")


def test_a_revoked_token_is_refused_and_the_revocation_audited(coordinator_kita, administrator, osaka):
    token, key = token_issue(user=coordinator_kita)
    token_revoke(token=token, actor=administrator)
    assert "失効" in refused(with_key(key).get(CASES), "token_revoked")
    event = AuditEvent.objects.get(action=Action.TOKEN, detail__event="revoked")
    assert (event.user, event.municipality, event.detail["prefix"]) == (administrator, osaka, token.prefix)


def test_an_unknown_key_or_an_old_plain_key_is_refused(coordinator_kita):
    token_issue(user=coordinator_kita)
    refused(with_key("0" * 40).get(CASES), "authentication_failed")
    refused(with_key(ApiToken.objects.get().key_hash).get(CASES), "authentication_failed")  # the hash is not a key


def test_the_issue_is_audited_in_the_users_city_without_the_key(coordinator_kita, osaka):
    call_command("issue_token", "kita_coordinator", stdout=(out := io.StringIO()), stderr=io.StringIO())
    event = AuditEvent.objects.get(action=Action.TOKEN)
    assert (event.municipality, event.object_type, event.detail["event"], event.detail["username"]) == (
        osaka, "api.apitoken", "issued", "kita_coordinator")
    assert out.getvalue().strip() not in str(event.detail)


def test_the_last_use_is_recorded(coordinator_kita):
    token, key = token_issue(user=coordinator_kita)
    assert token.last_used_at is None
    with_key(key).get(CASES)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_an_auditor_gets_no_token(auditor):
    with pytest.raises(CommandError, match="個人情報保護担当"):
        call_command("issue_token", "auditor", stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("change", [{"role": Role.AUDITOR}, {"is_active": False}])
def test_a_token_stops_when_its_user_is_deactivated_or_no_longer_in_an_api_role(coordinator_kita, change):
    _token, key = token_issue(user=coordinator_kita)
    User.objects.filter(pk=coordinator_kita.pk).update(**change)
    refused(with_key(key).get(CASES), "authentication_failed")


def test_the_plain_token_app_is_gone(db):
    assert "rest_framework.authtoken" not in settings.INSTALLED_APPS
    assert settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"][0] == "api.authentication.HashedTokenAuthentication"


def test_the_admin_lists_a_citys_tokens_and_revokes_them_audited(client, administrator, coordinator_kita, coordinator_komae):
    kita_token, key = token_issue(user=coordinator_kita)
    komae_token, _ = token_issue(user=coordinator_komae)
    client.force_login(administrator)
    url = reverse("admin:api_apitoken_changelist")
    assert list(client.get(url).context["cl"].result_list) == [kita_token]
    assert client.get(reverse("admin:api_apitoken_add")).status_code == 403  # issued by the command only
    client.post(url, {"action": "revoke", "index": 0, "_selected_action": [kita_token.pk, komae_token.pk]})
    kita_token.refresh_from_db(), komae_token.refresh_from_db()
    assert kita_token.revoked_by == administrator and komae_token.revoked_at is None
    refused(with_key(key).get(CASES), "token_revoked")
    assert AuditEvent.objects.get(action=Action.TOKEN, detail__event="revoked").user == administrator


def test_the_migration_drops_the_plain_keys(db):
    import importlib

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint)")
        cursor.execute("INSERT INTO authtoken_token VALUES ('plainkey', 1)")
    step = importlib.import_module("api.migrations.0001_hashed_tokens").drop_plain_tokens
    with connection.schema_editor() as editor:
        step(None, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
