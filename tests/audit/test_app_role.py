"""The application connects as a role that is not the owner of the tables (docs/security/audit.md): it can add to the
audit trail but cannot change it, delete from it, empty it or switch its trigger off."""

from io import StringIO

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg2 import errors

from audit import chain
from audit.models import Action
from audit.services import audit_record
from audit.verify import verify_chains

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app_role():
    """A login role of its own for this test database (roles are shared by every database of the server)."""
    name = f"tsunagaru_app_{connection.settings_dict['NAME']}"[:63]
    quoted = connection.ops.quote_name(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {quoted}" if _exists(cursor, name) else "SELECT 1")
        cursor.execute(f"DROP ROLE IF EXISTS {quoted}")
        cursor.execute(f"CREATE ROLE {quoted} LOGIN")
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {quoted}")
        cursor.execute(f"DROP ROLE {quoted}")


def _exists(cursor, name) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    return cursor.fetchone() is not None


def _connect(role):
    settings = connection.settings_dict
    host = settings["OPTIONS"].get("host") or settings["HOST"] or None
    return psycopg2.connect(dbname=settings["NAME"], user=role, host=host, port=settings["PORT"] or None)


def _refused(app, statement, params=(), error=errors.InsufficientPrivilege):
    with pytest.raises(error), app.cursor() as cursor:
        cursor.execute(statement, params)
    app.rollback()


def _append_as(app, fields: dict) -> int:
    """What audit.chain does for the application, done over the role's own connection."""
    with app.cursor() as cursor:
        cursor.execute(chain.LOCK_HEAD, [fields["municipality_id"]])
        seq, previous = cursor.fetchone()
        row = {**fields, "seq": seq + 1}
        digest = chain.digest(row, previous)
        cursor.execute("INSERT INTO audit_auditevent (at, municipality_id, user_id, username, action, object_type, "
                       "object_id, object_label, ip, user_agent, path, detail, seq, hash) VALUES (%(at)s, "
                       "%(municipality_id)s, %(user_id)s, %(username)s, %(action)s, %(object_type)s, %(object_id)s, "
                       "%(object_label)s, %(ip)s, %(user_agent)s, %(path)s, '{}', %(seq)s, %(hash)s) RETURNING id",
                       {**row, "hash": digest})
        pk = cursor.fetchone()[0]
        cursor.execute("UPDATE audit_auditchainhead SET seq = %s, hash = %s WHERE chain = %s",
                       [row["seq"], digest, fields["municipality_id"]])
    app.commit()
    return pk


def test_the_application_s_role_appends_to_the_trail_but_cannot_rewrite_empty_or_unguard_it(app_role, coordinator_kita,
                                                                                              household_kita):
    from django.utils import timezone

    event = audit_record(action=Action.LOGIN, user=coordinator_kita)
    call_command("grant_app_role", app_role, stdout=StringIO())
    app = _connect(app_role)
    try:
        # Its everyday work: read and write the case tables, add to the trail.
        with app.cursor() as cursor:
            cursor.execute("UPDATE cases_household SET note = note WHERE id = %s", [household_kita.pk])
            assert cursor.rowcount == 1
        app.commit()
        _append_as(app, {"at": timezone.now(), "municipality_id": coordinator_kita.municipality_id,
                         "user_id": coordinator_kita.pk, "username": "kita_coordinator", "action": "view",
                         "object_type": "cases.household", "object_id": str(household_kita.pk),
                         "object_label": f"世帯 #{household_kita.pk}", "ip": None, "user_agent": "", "path": "",
                         "detail": {}})
        # What it may not do to the trail.
        _refused(app, "UPDATE audit_auditevent SET username = 'x' WHERE id = %s", [event.pk])
        _refused(app, "DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
        _refused(app, "TRUNCATE audit_auditevent")
        _refused(app, "TRUNCATE audit_auditchainhead")
        _refused(app, "DELETE FROM audit_auditchainhead")
        _refused(app, "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        _refused(app, "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL")
        _refused(app, "DROP TRIGGER audit_event_append_only ON audit_auditevent")
        _refused(app, "SET session_replication_role = replica")
    finally:
        app.close()
    assert [report.broken for report in verify_chains()] == [None]
    assert [report.events for report in verify_chains()] == [2]


def test_the_grants_are_refused_to_a_role_that_owns_the_tables():
    owner = connection.settings_dict["USER"]
    with pytest.raises(CommandError, match="所有者ではない"):
        call_command("grant_app_role", owner)
