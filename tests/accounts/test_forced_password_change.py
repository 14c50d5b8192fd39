"""A one-time password (issued by an administrator, must_change_password) is replaced at the first login."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from tests.factories import TEST_PASSWORD

CHANGE = reverse("accounts:password_change")
NEW = "Sakura-no-hana-2026"


@pytest.fixture
def newcomer(coordinator_kita):
    coordinator_kita.must_change_password = True
    coordinator_kita.save(update_fields=["must_change_password"])
    return coordinator_kita


def test_every_page_but_the_password_change_sends_the_user_to_it(client, newcomer):
    assert client.post(reverse("accounts:login"), {"username": "kita_coordinator", "password": TEST_PASSWORD}).status_code == 302
    for url in (reverse("home:dashboard"), reverse("cases:case_list"), reverse("accounts:preferences"),
                reverse("accounts:two_factor_setup"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(CHANGE), url
    assert client.get(CHANGE).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_choosing_a_password_opens_the_pages_and_is_audited(client, newcomer):
    client.force_login(newcomer)
    response = client.post(CHANGE, {"old_password": TEST_PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.must_change_password is False and newcomer.check_password(NEW)
    assert client.get(reverse("home:dashboard")).status_code == 200  # the session goes on
    assert AuditEvent.objects.filter(action=Action.PASSWORD_CHANGE, user=newcomer).count() == 1


def test_the_one_time_password_cannot_be_kept(client, newcomer):
    client.force_login(newcomer)
    response = client.post(CHANGE, {"old_password": TEST_PASSWORD, "new_password1": TEST_PASSWORD,
                                    "new_password2": TEST_PASSWORD})
    assert response.status_code == 200
    assert "今のパスワードとは違うパスワードにしてください" in response.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.must_change_password is True
