"""Two people answer the same referral at once: exactly one answer is kept, the other is told.

Real PostgreSQL transactions on two connections (one per thread), not a simulation: the action locks the
referral row, so the second answer waits for the first to commit and then finds the referral answered.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from referrals import services
from referrals.models import DeclineReason, Referral, ReferralEvent, ReferralStatus

pytestmark = pytest.mark.django_db(transaction=True)


def _decline_reason():
    return DeclineReason.objects.get(municipality=None, name="所管外（対象とならない）")


def _answer(user, referral_pk, action, results, start=None, **kwargs):
    try:
        if start is not None:
            start.wait()
        referral = Referral.all_objects.get(pk=referral_pk)
        results[user.username] = services.referral_transition(user=user, referral=referral, action=action, **kwargs).status
    except ValidationError as error:
        results[user.username] = error
    finally:
        connections.close_all()


def test_of_two_answers_at_the_same_moment_exactly_one_wins(referral_to_konkyu, konkyu_worker, konkyu_worker_2):
    start = threading.Barrier(2)
    results = {}
    reason = _decline_reason()
    threads = [
        threading.Thread(target=_answer, args=(konkyu_worker, referral_to_konkyu.pk, "accept", results, start)),
        threading.Thread(target=_answer, args=(konkyu_worker_2, referral_to_konkyu.pk, "decline", results, start),
                         kwargs={"decline_reason": reason}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [r for r in results.values() if isinstance(r, ValidationError)]
    kept = [r for r in results.values() if not isinstance(r, ValidationError)]
    assert len(refused) == 1 and len(kept) == 1
    assert refused[0].code == "already_answered"
    referral = Referral.all_objects.get(pk=referral_to_konkyu.pk)
    assert referral.status == kept[0]
    assert ReferralEvent.objects.filter(referral=referral).exclude(action="send").count() == 1


def _blocked_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def test_the_second_answer_waits_for_the_first_and_is_told_who_answered(referral_to_konkyu, konkyu_worker, konkyu_worker_2):
    """Deterministic order: the first answer holds its transaction open until the second is seen waiting on the
    row lock in PostgreSQL; then the first commits and the second is refused, naming who answered."""
    results = {}
    holding, release = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                referral = Referral.all_objects.get(pk=referral_to_konkyu.pk)
                results["first"] = services.referral_transition(user=konkyu_worker, referral=referral, action="accept").status
                holding.set()
                assert release.wait(30), "the second answer never reached the lock"
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert holding.wait(30)
    two = threading.Thread(target=_answer, args=(konkyu_worker_2, referral_to_konkyu.pk, "decline", results),
                           kwargs={"decline_reason": _decline_reason()})
    two.start()
    waited = threading.Event()
    for _attempt in range(3000):  # poll PostgreSQL until the second transaction is waiting on the row lock
        if _blocked_backends():
            break
        waited.wait(0.01)
    blocked = _blocked_backends()
    release.set()
    one.join()
    two.join()
    assert blocked == 1
    assert results["first"] == ReferralStatus.ACCEPTED
    error = results[konkyu_worker_2.username]
    assert isinstance(error, ValidationError) and error.code == "already_answered"
    assert konkyu_worker.display_name in error.messages[0] and "受理" in error.messages[0]
    assert Referral.all_objects.get(pk=referral_to_konkyu.pk).status == ReferralStatus.ACCEPTED
