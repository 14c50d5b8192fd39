"""Two requests write audit events at once: the chain does not fork (audit.chain's head lock).

Real PostgreSQL transactions on two connections (one per thread): the second writer waits on the chain head's row
lock until the first commits, then chains its event to the first one's.
"""

import threading

import pytest
from django.db import connection, connections, transaction

from audit.models import Action, AuditEvent
from audit.services import audit_record
from audit.verify import verify_chains

pytestmark = pytest.mark.django_db(transaction=True)


def _blocked_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def test_the_second_writer_waits_for_the_first_and_chains_to_its_event(coordinator_kita, coordinator_nishinari):
    results, errors = {}, []
    holding, release = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                results["first"] = audit_record(action=Action.VIEW, user=coordinator_kita)
                holding.set()
                assert release.wait(30), "the second writer never reached the lock"
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    def second():
        try:
            results["second"] = audit_record(action=Action.VIEW, user=coordinator_nishinari)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert holding.wait(30)
    two = threading.Thread(target=second)
    two.start()
    waited = threading.Event()
    for _attempt in range(3000):  # poll PostgreSQL until the second writer is waiting on the lock
        if _blocked_backends():
            break
        waited.wait(0.01)
    blocked = _blocked_backends()
    release.set()
    one.join()
    two.join()
    assert not errors
    assert blocked == 1
    assert (results["first"].seq, results["second"].seq) == (1, 2)
    assert [report.broken for report in verify_chains()] == [None]


def test_many_writers_at_once_leave_one_unbroken_chain(coordinator_kita, coordinator_nishinari):
    start = threading.Barrier(4)
    errors = []

    def write(user):
        try:
            start.wait()
            for _ in range(15):
                with transaction.atomic():
                    audit_record(action=Action.VIEW, user=user)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(user,))
               for user in (coordinator_kita, coordinator_nishinari, coordinator_kita, coordinator_nishinari)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 61))
    assert [report.broken for report in verify_chains()] == [None]
