"""The trail's indexes that its hot reads rely on (#16): the plan PostgreSQL chooses, not a time."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def test_the_failed_login_burst_check_reads_the_action_and_time_index():
    # audit.alerts counts one action over the last minutes on every failed login, from one address or login ID.
    since = timezone.now() - dt.timedelta(minutes=10)
    for failures in (AuditEvent.objects.filter(action=Action.LOGIN_FAILED, at__gte=since, ip="192.0.2.1"),
                     AuditEvent.objects.filter(action=Action.LOGIN_FAILED, at__gte=since, username="kita")):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # an empty table would be scanned whatever its indexes
        assert "audit_action_at_idx" in failures.explain()
