# Production image: gunicorn serves the app, whitenoise its static files. See docs/deployment.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    WEB_CONCURRENCY=3

WORKDIR /app

# pg_dump / pg_restore of the database's major version for `manage.py backup` / `restore` (core.backup): from
# PostgreSQL's own Debian repository, as Debian's client is another major version (15 cannot dump a 16 server).
# A closed network: --build-arg PGDG_URL=https://…/apt (a mirror of apt.postgresql.org).
ARG PG_MAJOR=16
ARG PGDG_URL=https://apt.postgresql.org/pub/repos/apt
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && . /etc/os-release \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] ${PGDG_URL} ${VERSION_CODENAME}-pgdg main" \
       > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-${PG_MAJOR} \
    && apt-get purge -y curl && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
ENV PG_BIN_DIR=/usr/lib/postgresql/${PG_MAJOR}/bin

# Dependencies before the code, so that a code change reuses this layer. pyproject.toml has
# `packages = []`: this installs the dependencies only; the code runs from /app.
COPY pyproject.toml ./
# A local PyPI mirror on a closed network: docker compose build --build-arg PIP_INDEX_URL=https://…/simple
ARG PIP_INDEX_URL=https://pypi.org/simple
RUN pip install . \
    && rm -rf build *.egg-info

COPY . .

# Production settings refuse to load without these; the values exist for this one command only and
# are not kept in the image's environment. collectstatic touches no database.
RUN DJANGO_SECRET_KEY=build-only-not-a-secret \
    AUDIT_CHAIN_KEY=build-only-not-a-secret \
    DATABASE_URL=postgres://build:build@localhost:5432/build \
    DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

# The code and static files stay owned by root: the app can read them but not change them.
RUN groupadd --system app \
    && useradd --system --gid app --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin app
# Uploaded ledgers wait here for the worker: the one folder the app writes. docker-compose mounts a volume
# shared by app and worker (a new named volume takes this folder's owner and mode).
ENV UPLOAD_ROOT=/var/lib/tsunagaru/uploads
RUN mkdir -p /var/lib/tsunagaru/uploads && chown app:app /var/lib/tsunagaru/uploads && chmod 700 /var/lib/tsunagaru/uploads
# Backups (manage.py backup) are written here; docker-compose mounts the `backups` volume. Copy them off the server.
ENV BACKUP_DIR=/var/lib/tsunagaru/backups
RUN mkdir -p /var/lib/tsunagaru/backups && chown app:app /var/lib/tsunagaru/backups && chmod 700 /var/lib/tsunagaru/backups
USER app

EXPOSE 8000

# /healthz checks the app and its database. The request carries a Host from DJANGO_ALLOWED_HOSTS
# (otherwise 400) and X-Forwarded-Proto: https (otherwise SECURE_SSL_REDIRECT answers 301).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import json, os, sys, urllib.request as r; h = os.environ.get('DJANGO_ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; q = r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h, 'X-Forwarded-Proto': 'https'}); sys.exit(0 if json.load(r.urlopen(q, timeout=5)).get('status') == 'ok' else 1)"]

# Invoked through sh so that the script needs no executable bit (checkouts on Windows lose it).
ENTRYPOINT ["sh", "/app/docker/entrypoint.sh"]
# Workers: WEB_CONCURRENCY (above; docker-compose.yml passes it through), about 2 × CPU cores + 1.
# --no-control-socket: gunicorn would otherwise create ~/.gunicorn/, and the app user has no home.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", "--timeout", "60", "--access-logfile", "-", "--no-control-socket"]
