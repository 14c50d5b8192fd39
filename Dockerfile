# Production image: gunicorn serves the app, whitenoise its static files. See docs/deployment.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    WEB_CONCURRENCY=3

WORKDIR /app

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
