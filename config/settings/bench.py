"""`make bench` (scripts/benchmark): its own throwaway database, the shell page's URL conf, DEBUG off.

Production settings are left alone: this module is what the benchmark's in-process client and its gunicorn use.
The second factor is not forced (TWO_FACTOR_REQUIRED off, as in development), so bench users reach every page
with a session; the database is the embedded PostgreSQL of tests (or DATABASE_URL's server) under its own name.
"""

import os

from config.devdb import embedded_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, STORAGES, env, progress_database

SECRET_KEY = "bench-only-secret-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
TWO_FACTOR_REQUIRED = False

BENCH_DATABASE_NAME = env("BENCH_DATABASE_NAME", default="bench_city")
if os.environ.get("DATABASE_URL"):
    DATABASES["default"]["NAME"] = BENCH_DATABASE_NAME
else:
    DATABASES["default"].update(env.db_url_config(embedded_database_url(BASE_DIR / ".data" / "pg", BENCH_DATABASE_NAME)))
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["progress"] = progress_database(DATABASES["default"])

ROOT_URLCONF = "config.urls_bench"
# Bench users are created and logged in by the harness; hashing quickly keeps set-up short.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["ledger"]["OPTIONS"]["location"] = BASE_DIR / ".data" / "bench-uploads" / BENCH_DATABASE_NAME
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
