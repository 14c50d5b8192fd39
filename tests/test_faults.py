"""The database going away in the middle of a write (#15 item 11, the web-request half).

A real write request — registering a household, recording a consultation — has its database connection
terminated by PostgreSQL (`pg_terminate_backend`, run from a second connection) right after its first INSERT and
before the request's transaction (ATOMIC_REQUESTS) commits. The writer sees the Japanese error page, nothing of
the write is in the database (checked through another connection), and the next request works: Django opens a
new connection.

Transactional tests (`transaction=True`): the request's transaction is real, so is the loss of it.
"""

import contextlib

import pytest
from django.db import connection, connections
from django.db.models.signals import post_save
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from cases.models import Consultation, Household

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "progress"])

ERROR_PAGE = "エラーが発生しました"
NOT_SAVED = "入力した内容は保存されていません"


def _count(sql: str) -> int:
    """Read through the second connection: what a fresh session sees, whatever state this thread's is in."""
    with connections["progress"].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


@contextlib.contextmanager
def database_lost_after_first_insert_of(model):
    """After the first row of `model` is written inside the request, another connection terminates the
    request's one (waiting up to 5 s for the backend to be gone); whatever the request does next finds no
    database. Yields a list that holds the terminated backend's pid once it has happened."""
    killed: list[int] = []

    def terminate(sender, **kwargs):
        if killed:
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with connections["progress"].cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            assert cursor.fetchone()[0] is True
        killed.append(pid)

    post_save.connect(terminate, sender=model, weak=False)
    try:
        yield killed
    finally:
        post_save.disconnect(terminate, sender=model)


def _assert_japanese_error_page(response):
    assert response.status_code in (500, 503)
    page = response.content.decode()
    assert ERROR_PAGE in page and NOT_SAVED in page and 'lang="ja"' in page
    assert "Traceback" not in page and "Server Error" not in page


def _client(user) -> Client:
    client = Client(raise_request_exception=False)  # as a browser meets it: the page, not the exception
    client.force_login(user)
    return client


@pytest.mark.parametrize("debug", [False, True], ids=["production", "DJANGO_DEBUG=1"])
def test_registering_a_household_when_the_database_goes_away_saves_nothing_and_says_so_in_japanese(
        coordinator_kita, kita, debug):
    person = {"name": "南 花子", "name_kana": "みなみ はなこ", "birth_date": "1950-01-02", "sex": "female",
              "address": "大阪市北区テスト町９－９", "phone": "06-0000-0000", "note": "初回の相談"}
    households_before = _count("SELECT count(*) FROM cases_household")
    with override_settings(DEBUG=debug):
        client = _client(coordinator_kita)
        with database_lost_after_first_insert_of(Household) as killed:
            response = client.post(reverse("cases:household_create"), person)

    assert killed, "the connection was terminated mid-request"
    _assert_japanese_error_page(response)
    assert _count("SELECT count(*) FROM cases_household") == households_before
    assert _count("SELECT count(*) FROM cases_householdmember") == 0
    assert _count("SELECT count(*) FROM cases_historicalhousehold") == 0
    assert _count("SELECT count(*) FROM audit_auditevent WHERE action = 'create'") == 0

    # The next request gets a new connection and goes through.
    response = client.post(reverse("cases:household_create"), person)
    assert response.status_code == 302
    assert Household.all_objects.get().members.get().name == "南 花子"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != killed[0]


def test_recording_a_consultation_when_the_database_goes_away_saves_nothing(coordinator_kita, case_kita,
                                                                            kita_houkatsu):
    data = {"held_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"), "method": "phone",
            "summary": "電話で相談。", "minutes": "", "next_action": "", "next_due_on": "",
            "agencies": [kita_houkatsu.pk]}
    client = _client(coordinator_kita)
    audit_before = _count("SELECT count(*) FROM audit_auditevent")
    with database_lost_after_first_insert_of(Consultation) as killed:
        response = client.post(reverse("cases:consultation_create", args=[case_kita.pk]), data)

    assert killed
    _assert_japanese_error_page(response)
    assert _count("SELECT count(*) FROM cases_consultation") == 0
    assert _count("SELECT count(*) FROM cases_consultation_agencies") == 0
    assert _count("SELECT count(*) FROM audit_auditevent") == audit_before  # not even the trail's line of it

    response = client.post(reverse("cases:consultation_create", args=[case_kita.pk]), data)
    assert response.status_code == 302
    assert Consultation.objects.get().summary == "電話で相談。"
    assert case_kita.consultations.count() == 1
