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

# The app container migrates; the worker container (RUN_MIGRATIONS=false) only waits for the database.
if [ "${RUN_MIGRATIONS:-true}" = "true" ]; then
    python manage.py migrate --noinput
    python manage.py createcachetable
fi

exec "$@"
