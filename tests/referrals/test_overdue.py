"""The daily overdue command: both sides told once, however often it runs."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from referrals import services
from referrals.models import Notification, NotificationKind, Referral

pytestmark = pytest.mark.django_db


def _overdue_day(referral):
    return referral.due_on + dt.timedelta(days=1)


def test_an_unanswered_referral_past_due_is_notified_to_both_sides_once(
        referral_to_konkyu, konkyu_worker, konkyu_worker_2, coordinator_kita, django_capture_on_commit_callbacks):
    day = _overdue_day(referral_to_konkyu)
    assert services.referrals_notify_overdue(today=referral_to_konkyu.due_on) == 0  # due today is not overdue
    with django_capture_on_commit_callbacks(execute=True):
        assert services.referrals_notify_overdue(today=day) == 1
    notices = Notification.objects.filter(kind=NotificationKind.OVERDUE)
    assert sorted(n.user.username for n in notices) == sorted([konkyu_worker.username, konkyu_worker_2.username,
                                                               coordinator_kita.username])
    assert "回答期限" in notices[0].message
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.referrals_notify_overdue(today=day) == 0
        assert services.referrals_notify_overdue(today=day + dt.timedelta(days=5)) == 0
    assert notices.count() == 3 and len(mail.outbox) == sent
    assert Referral.all_objects.get(pk=referral_to_konkyu.pk).overdue_notified_at is not None


def test_answered_or_withdrawn_referrals_are_not_notified(referral_to_konkyu, konkyu_worker):
    services.referral_transition(user=konkyu_worker, referral=referral_to_konkyu, action="accept")
    assert services.referrals_notify_overdue(today=_overdue_day(referral_to_konkyu)) == 0
    assert not Notification.objects.filter(kind=NotificationKind.OVERDUE).exists()


def test_the_command_runs_the_same_and_reports_what_it_did(referral_to_konkyu):
    Referral.all_objects.filter(pk=referral_to_konkyu.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=1), sent_on=timezone.localdate() - dt.timedelta(days=8))
    out = io.StringIO()
    call_command("notify_overdue_referrals", stdout=out)
    call_command("notify_overdue_referrals", stdout=out)
    assert out.getvalue().splitlines() == ["期限超過の通知: 1件", "期限超過の通知: 0件"]
