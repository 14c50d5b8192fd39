"""Production (docker-compose): every secret comes from the environment and has no default."""

from .base import *  # noqa: F403
from .base import env, progress_database, replica_database

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
# The key of the audit trail's hash chains (audit.chain): its own secret, kept apart from the database and its
# backups, never changed. Required here; elsewhere it falls back to one derived from SECRET_KEY.
AUDIT_CHAIN_KEY = env("AUDIT_CHAIN_KEY")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["progress"] = progress_database(DATABASES["default"])
DATABASES.update(replica_database(DATABASES["default"]))  # the reports read from it (core.replica, docs/scaling.md)
READ_REPLICA = "replica" if "replica" in DATABASES else ""
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# TLS is usually terminated by the city's reverse proxy; these follow it when it says so.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
# HSTS: browsers that have once reached the app over HTTPS refuse plain HTTP to it for a year (and to its
# subdomains unless DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS=false). Set DJANGO_SECURE_HSTS_SECONDS=0 only while
# trying HTTPS out: a browser keeps the rule for the whole period even if the city takes HTTPS away.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preload asks browser makers to build the rule into browsers for the whole registered domain (e.g. city.example.lg.jp
# and every other system under it); a product on one host of the city's domain cannot promise that, so it is off,
# and `check --deploy`'s reminder about it (security.W021) is silenced unless the city turns it on.
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)

# Every role signs in with a second factor (enrolment at first login); TWO_FACTOR_REQUIRED=false turns it off.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
