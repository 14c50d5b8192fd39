"""Item 13: every rate limit counts across all workers — the API's throttle in the shared database cache, the
login throttle in PostgreSQL (tests/accounts/test_lockout.py reads its rows)."""

import time

from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory

URL = reverse("api:reports_annual") + "?fy=2020"


def another_workers_cache() -> DatabaseCache:
    """A cache client of its own, as another web process or the worker would have."""
    return DatabaseCache("django_cache", {})


def test_the_api_throttle_counts_in_the_database_table_every_worker_reads(client, bureau):
    client.force_login(bureau)
    assert client.get(URL).status_code == 200
    assert client.get(URL).status_code == 200
    assert len(another_workers_cache().get(f"throttle_user_{bureau.pk}")) == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_cache WHERE cache_key LIKE %s", [f"%throttle_user_{bureau.pk}"])
        assert cursor.fetchone()[0] == 1


def test_requests_counted_by_another_worker_use_up_the_same_allowance(client, bureau, settings):
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["user"].split("/")[0])
    another_workers_cache().set(f"throttle_user_{bureau.pk}", [time.time()] * rate, 60)
    client.force_login(bureau)
    assert client.get(URL).status_code == 429
    other = UserFactory(username="bureau2", role=Role.BUREAU, municipality=bureau.municipality)
    client.force_login(other)
    assert client.get(URL).status_code == 200  # per user, not for everyone
