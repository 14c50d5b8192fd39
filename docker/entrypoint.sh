#!/bin/sh
# Container start: wait for PostgreSQL, apply migrations, then run the CMD (gunicorn by default).
# docker-compose.yml already waits for the db healthcheck; this covers a database that restarts or
# is slow to accept connections after reporting ready.
set -eu

python - <<'PY'
import sys
import time

import django
from django.db import connection
from django.db.utils import OperationalError

django.setup()
ATTEMPTS = 30
for attempt in range(1, ATTEMPTS + 1):
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        print(f"entrypoint: database not ready ({attempt}/{ATTEMPTS}): {exc}".strip(), file=sys.stderr, flush=True)
        time.sleep(2)
    else:
        connection.close()
        sys.exit(0)
sys.exit("entrypoint: the database did not accept connections; giving up")
PY

# Migrations run where RUN_MIGRATIONS is true: docker-compose's one-shot `migrate` service, which connects as the
# owner of the tables. With APP_DB_USER set it also makes (or updates) the application's role and grants it what
# the app needs after every migrate; the app and worker (RUN_MIGRATIONS=false) connect as that role and never
# hold the owner's password.
if [ "${RUN_MIGRATIONS:-true}" = "true" ]; then
    if [ -n "${APP_DB_USER:-}" ]; then
        python /app/docker/app_role.py
    fi
    python manage.py migrate --noinput
    python manage.py createcachetable
    if [ -n "${APP_DB_USER:-}" ]; then
        python manage.py grant_app_role "$APP_DB_USER"
    fi
fi

exec "$@"
