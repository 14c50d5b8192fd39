"""The throwaway bench database: dropped and created afresh, migrated, dropped again at the end (BENCH_KEEP=1 keeps it)."""

import psycopg2
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections


def _admin_connection():
    db = settings.DATABASES["default"]
    params = {"dbname": "postgres", "user": db["USER"], "password": db["PASSWORD"], "host": db["HOST"] or None,
              "port": db["PORT"] or None, **db.get("OPTIONS", {})}
    conn = psycopg2.connect(**{key: value for key, value in params.items() if value})
    conn.autocommit = True
    return conn


def recreate() -> None:
    connections.close_all()
    name = settings.DATABASES["default"]["NAME"]
    conn = _admin_connection()
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)


def drop() -> None:
    connections.close_all()
    conn = _admin_connection()
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{settings.DATABASES["default"]["NAME"]}" WITH (FORCE)')
    conn.close()


def size_bytes() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


def table_counts() -> dict[str, int]:
    """Exact row counts of every table of the product (after ANALYZE; counted, not estimated)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts
