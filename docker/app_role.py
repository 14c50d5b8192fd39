"""The application's database role, made or brought up to date before every migrate (docker/entrypoint.sh).

docker-compose's `migrate` service connects as the owner of the tables (POSTGRES_USER, DATABASE_URL there) and
runs this, then migrate, createcachetable and `grant_app_role APP_DB_USER`. The app and worker services connect as
APP_DB_USER: not a superuser, not the owner of any table, so it can neither TRUNCATE the audit trail nor disable
its triggers (docs/security/operations.md). Runs on a database made before this role existed too; a changed
APP_DB_PASSWORD takes effect here.
"""

import os
import sys

import environ
import psycopg2
from psycopg2 import sql

owner = environ.Env.db_url_config(os.environ["DATABASE_URL"])
role, password = os.environ["APP_DB_USER"], os.environ.get("APP_DB_PASSWORD", "")
if not password:
    sys.exit("app_role: APP_DB_PASSWORD is empty")
if role == owner["USER"]:
    sys.exit("app_role: APP_DB_USER must not be the owner of the tables (POSTGRES_USER)")

parameters = {"dbname": owner["NAME"], "user": owner["USER"], "password": owner["PASSWORD"], "host": owner["HOST"],
              "port": owner["PORT"], **owner.get("OPTIONS", {})}
connection = psycopg2.connect(**{key: value for key, value in parameters.items() if value})
connection.autocommit = True
with connection.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    verb = "ALTER" if cursor.fetchone() else "CREATE"
    cursor.execute(sql.SQL(verb + " ROLE {} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
                           " PASSWORD %s").format(sql.Identifier(role)), [password])
    # Only the owner creates tables (PostgreSQL 15+ already revokes this from PUBLIC; older databases did not).
    cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
connection.close()
sys.stderr.write(f"app_role: {'updated' if verb == 'ALTER' else 'created'} role {role}\n")
