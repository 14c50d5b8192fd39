"""The notices' list reads a user's newest notices down an index (#16): the plan PostgreSQL chooses, not a time."""

import pytest
from django.db import connection

from referrals import selectors

pytestmark = pytest.mark.django_db


def test_a_user_s_notices_newest_first_are_read_down_the_recent_index(konkyu_worker):
    user = konkyu_worker
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # an empty table would be scanned whatever its indexes
    plan = selectors.notification_list(user=user)[:50].explain()
    assert "notification_recent_idx" in plan and "Sort" not in plan
