"""docker/app_role.py, which docker-compose's migrate service runs as the owner before migrate and grant_app_role
(docker/entrypoint.sh): it makes the application's role — a login that is neither superuser nor owner — and brings
it up to date when it exists. Connected as that role after grant_app_role, the app cannot empty the audit trail,
disable its triggers or create tables. (What grant_app_role grants in detail: tests/audit/test_app_role.py.)
"""

import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from core.backup import Database
from tests.test_backup import url

ROOT = Path(__file__).resolve().parents[1]
ROLE = "test_ops_app_role"
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "progress"])


@pytest.fixture
def owner():
    database = Database.from_settings(connection.settings_dict)
    yield database
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE])
        if cursor.fetchone():
            cursor.execute(f'DROP OWNED BY "{ROLE}"')
            cursor.execute(f'DROP ROLE "{ROLE}"')


def app_role(owner, password="first-password"):
    environment = {**os.environ, "DATABASE_URL": url(owner), "APP_DB_USER": ROLE, "APP_DB_PASSWORD": password}
    return subprocess.run([sys.executable, str(ROOT / "docker" / "app_role.py")], env=environment,
                          capture_output=True, text=True, timeout=60)


def test_the_app_role_is_made_then_updated_a_login_that_is_neither_superuser_nor_owner(owner):
    made = app_role(owner)
    assert made.returncode == 0, made.stderr
    assert "created" in made.stderr
    again = app_role(owner, "second-password")
    assert again.returncode == 0 and "updated" in again.stderr
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles "
                       "WHERE rolname = %s", [ROLE])
        assert cursor.fetchone() == (True, False, False, False, False)
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s", [ROLE])
        assert cursor.fetchone()[0] == 0


def test_the_owner_cannot_be_the_app_role(owner):
    environment = {**os.environ, "DATABASE_URL": url(owner), "APP_DB_USER": owner.user, "APP_DB_PASSWORD": "x"}
    result = subprocess.run([sys.executable, str(ROOT / "docker" / "app_role.py")], env=environment,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "must not be the owner" in result.stderr


@pytest.mark.parametrize("statement", [
    "TRUNCATE audit_auditevent",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    "DELETE FROM audit_auditevent",
    "CREATE TABLE test_ops_intruder (id int)",
])
def test_connected_as_the_app_role_the_trail_cannot_be_emptied_or_unguarded(owner, statement):
    assert app_role(owner).returncode == 0
    call_command("grant_app_role", ROLE)
    as_app = psycopg2.connect(**{k: v for k, v in {"dbname": owner.name, "user": ROLE, "password": "first-password",
                                                   "host": owner.host, "port": owner.port}.items() if v})
    try:
        with as_app.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM accounts_user")  # it works as the app
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cursor.execute(statement)
    finally:
        as_app.close()
