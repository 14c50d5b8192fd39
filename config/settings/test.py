"""Tests: PostgreSQL always (embedded unless DATABASE_URL is set); pytest-django makes a throwaway database."""

import os

from config.devdb import embedded_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, STORAGES, env, progress_database

SECRET_KEY = "test-only-secret-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

if not os.environ.get("DATABASE_URL"):
    DATABASES["default"].update(env.db_url_config(embedded_database_url(BASE_DIR / ".data" / "pg")))
    DATABASES["default"]["ATOMIC_REQUESTS"] = True
    DATABASES["progress"] = progress_database(DATABASES["default"])

# Argon2 is the production hasher (base.py, tested); tests create many users, so they hash quickly.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Uploaded ledgers of a test run go to a folder of their own, emptied by the next run.
STORAGES["ledger"]["OPTIONS"]["location"] = BASE_DIR / ".data" / "test-uploads" / env("TEST_DATABASE_NAME", default="test_tsunagaru")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Static files come straight from the source folders (no collectstatic in development or tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# pytest-django creates this database for the run and drops it afterwards (one left over by an
# interrupted run is recreated). Two runs side by side need different names: TEST_DATABASE_NAME.
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_tsunagaru")}
# A replica alias that is the test database itself (like "progress"), so tests/reports/test_replica.py can show report
# reads routed to it. Off unless a test turns it on (override_settings(READ_REPLICA="replica")): a mirror is its
# own connection and does not see an open test transaction, and a test must name it in its databases.
DATABASES["replica"] = {**DATABASES["default"], "ATOMIC_REQUESTS": False, "TEST": {"MIRROR": "default"}}
READ_REPLICA = ""

DEMO_DATA_ALLOWED = True
