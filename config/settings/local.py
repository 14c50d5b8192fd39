"""Development: `make run`. An embedded PostgreSQL under .data/ unless DATABASE_URL is set."""

import os

from config.devdb import embedded_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, STORAGES, env, progress_database

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-development-key-not-for-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

if not os.environ.get("DATABASE_URL"):
    DATABASES["default"].update(env.db_url_config(embedded_database_url(BASE_DIR / ".data" / "pg")))
    DATABASES["default"]["ATOMIC_REQUESTS"] = True
    DATABASES["progress"] = progress_database(DATABASES["default"])

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Static files come straight from the source folders (no collectstatic in development or tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

DEMO_DATA_ALLOWED = True
