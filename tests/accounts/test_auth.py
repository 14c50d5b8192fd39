import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import override_settings
from django.urls import reverse

from audit.models import Action, AuditEvent
from config.settings import base
from tests.factories import TEST_PASSWORD


def test_the_login_page_is_japanese_even_for_an_english_browser(client, db):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert '<html lang="ja">' in page
    assert "ログインID" in page and "パスワード" in page


def test_english_is_available_when_the_user_chooses_it(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page and "Login ID" in page


def test_a_wrong_password_is_answered_in_japanese(client, coordinator_kita):
    response = client.post(reverse("accounts:login"), {"username": "kita_coordinator", "password": "nope"})
    assert response.status_code == 200
    assert "ログインIDまたはパスワードが違います" in response.content.decode()


def test_production_hashes_passwords_with_argon2():
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        assert make_password("correct horse battery staple").startswith("argon2$argon2id$")


def test_sessions_end_with_the_browser_and_after_thirty_idle_minutes():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_logout_needs_a_post(client, coordinator_kita):
    client.force_login(coordinator_kita)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert client.get(reverse("home:dashboard")).status_code == 302


def test_changing_the_password_works_and_is_audited(client, coordinator_kita):
    client.force_login(coordinator_kita)
    new = "Sakura-no-hana-2026"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    coordinator_kita.refresh_from_db()
    assert coordinator_kita.check_password(new)
    assert AuditEvent.objects.filter(action=Action.PASSWORD_CHANGE, user=coordinator_kita).count() == 1


def test_a_weak_new_password_is_refused_in_japanese_and_nothing_changes(client, coordinator_kita):
    client.force_login(coordinator_kita)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200
    assert "このパスワードは短すぎます" in response.content.decode()
    coordinator_kita.refresh_from_db()
    assert coordinator_kita.check_password(TEST_PASSWORD)
    assert not AuditEvent.objects.filter(action=Action.PASSWORD_CHANGE).exists()


def test_a_user_can_choose_western_dates_and_the_choice_is_audited(client, coordinator_kita):
    client.force_login(coordinator_kita)
    client.post(reverse("accounts:preferences"), {"date_style": "seireki"})
    coordinator_kita.refresh_from_db()
    assert coordinator_kita.date_style == "seireki"
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_type="accounts.user").exists()


def test_an_unknown_date_style_is_refused(client, coordinator_kita):
    client.force_login(coordinator_kita)
    response = client.post(reverse("accounts:preferences"), {"date_style": "mayan"})
    assert "正しく選択してください" in response.content.decode()
    coordinator_kita.refresh_from_db()
    assert coordinator_kita.date_style == "wareki"


EXPECTED_NAVIGATION = {
    "coordinator_kita": ["ダッシュボード", "世帯", "事例", "会議", "つなぎ", "活動", "台帳の取り込み"],
    "agency_worker": ["ダッシュボード", "会議", "つなぎ"],  # no case files (docs/access-policy.md)
    "supervisor": ["ダッシュボード", "世帯", "事例", "会議", "つなぎ", "活動"],
    "bureau": ["ダッシュボード", "統計", "年次集計", "活動と相談", "つなぎの集計"],
    "administrator": ["ダッシュボード", "統計", "年次集計", "活動と相談", "つなぎの集計", "台帳の取り込み", "削除請求", "マスタ管理"],
    "auditor": ["ダッシュボード", "監査ログ", "削除請求"],
}


@pytest.mark.parametrize("role", sorted(EXPECTED_NAVIGATION))
def test_each_role_sees_its_own_navigation(client, cast, role):
    client.force_login(cast[role])
    response = client.get(reverse("home:dashboard"))
    assert [str(item["label"]) for item in response.context["navigation"]] == EXPECTED_NAVIGATION[role]


def test_five_wrong_passwords_lock_the_login_id_for_a_while(client, coordinator_kita):
    login = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(login, {"username": "kita_coordinator", "password": "wrong"}).status_code == 200
    locked = client.post(login, {"username": "kita_coordinator", "password": "wrong"})
    assert locked.status_code == 429
    assert "ログインを一時停止しています" in locked.content.decode()
    assert "15 分間" in locked.content.decode()
    # Even the right password is refused until the cool-off ends.
    again = client.post(login, {"username": "kita_coordinator", "password": TEST_PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT, username="kita_coordinator").exists()


def test_a_lockout_holds_one_login_id_only(client, coordinator_kita, coordinator_nishinari):
    login = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"username": "kita_coordinator", "password": "wrong"})
    response = client.post(login, {"username": "nishinari_coordinator", "password": TEST_PASSWORD})
    assert response.status_code == 302
