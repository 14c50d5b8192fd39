"""Where report reads go: the primary, or a read replica when one is configured (docs/scaling.md).

settings.READ_REPLICA names the replica's alias ("replica" when DATABASE_REPLICA_URL is set, else empty: none).
Inside `replica_reads()` — the report pages, the reports API and the annual_report command — `ReplicaRouter`
sends plain reads there and `reports_alias()` names it for raw report SQL. Everything else goes to the
primary: every write (a report's cached tables and its audit event included), `select_for_update` and
`get_or_create`, and every read outside the context.

A replica replays the primary's commits a little late: a report read there may miss the last moments'
writes, never shows a half-written one (docs/scaling.md).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

_reading = ContextVar("replica_reads", default=False)


def replica_alias() -> str:
    """The configured replica's alias, or "" when there is none."""
    return getattr(settings, "READ_REPLICA", "")


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside go to the replica when one is configured. Also a decorator (a view, a command's handle)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reports_alias() -> str:
    """The connection the yearly tables and other aggregates read from: the replica inside `replica_reads()`
    when one is configured, else the primary."""
    replica = replica_alias()
    return replica if replica and _reading.get() else DEFAULT_DB_ALIAS


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads inside `replica_reads()` to the replica; no opinion otherwise, so
    Django's own rule (the primary, or the alias an object came from) applies."""

    def db_for_read(self, model, **hints):
        replica = replica_alias()
        return replica if replica and _reading.get() else None

    def db_for_write(self, model, **hints):
        # An object read from the replica (or a new one related to it) is saved on the primary.
        instance = hints.get("instance")
        replica = replica_alias()
        return DEFAULT_DB_ALIAS if replica and instance is not None and instance._state.db == replica else None

    def allow_relation(self, obj1, obj2, **hints):
        replica = replica_alias()
        if replica and {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, replica}:
            return True  # one database: the replica is a copy of the primary
        return None

    def allow_migrate(self, db, app_label, **hints):
        return False if db == "replica" or db == replica_alias() else None  # a replica replays the primary's schema
