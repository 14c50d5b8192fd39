"""Settings shared by every environment. Values come from the environment through one environ.Env()."""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# Off unless a developer asks (DJANGO_DEBUG=1), `make run` included. Even then the error pages stay Japanese
# (core.middleware.ErrorPagesMiddleware) unless DJANGO_DEBUG_TECHNICAL=1 asks for Django's technical pages.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
DEBUG_TECHNICAL = env.bool("DJANGO_DEBUG_TECHNICAL", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "core",
    "accounts",
    "audit",
    "agencies",
    "cases",
    "meetings",
    "referrals",
    "ledger",
    "reports",
    "retention",
    "api",
    "home",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.JapaneseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.RefusalAuditMiddleware",
    "core.middleware.DateStyleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.AccountGatesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.NoStoreForAuthenticatedMiddleware",
    "axes.middleware.AxesMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.ErrorPagesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "home.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default="postgres:///tsunagaru")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def progress_database(default: dict) -> dict:
    """A second connection to the same database, outside any request's or import's transaction: the ledger
    import worker reports its progress through it while its own transaction is still open."""
    return {**default, "ATOMIC_REQUESTS": False, "TEST": {"MIRROR": "default"}}


DATABASES["progress"] = progress_database(DATABASES["default"])


def replica_database(default: dict) -> dict:
    """DATABASE_REPLICA_URL: a read replica of the primary (PostgreSQL streaming replication), or none. Inside
    core.replica.replica_reads() the reports read from it; nothing is ever written or migrated there."""
    url = env("DATABASE_REPLICA_URL", default="")
    if not url:
        return {}
    return {"replica": {**env.db_url_config(url), "ATOMIC_REQUESTS": False, "CONN_MAX_AGE": default["CONN_MAX_AGE"]}}


DATABASES.update(replica_database(DATABASES["default"]))
READ_REPLICA = "replica" if "replica" in DATABASES else ""  # core.replica: the alias report reads go to, or none
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]

# One cache shared by every web process and the worker: login throttling, API rate limits and the duplicate
# probe count across all of them, not per process. The tables are made by `manage.py createcachetable`
# (`make run`, the container's entrypoint; the test runner makes its own). Drawings (eco-maps, report charts) have a
# table of their own, under keys that change with what they show (an entry is never stale): a database cache counts
# its table on every write, so the counters' table stays small while the drawings' holds many (about 50 KB an
# eco-map: 20,000 is ≈1 GB at most).
_DATABASE_CACHE = "django.core.cache.backends.db.DatabaseCache"
CACHES = {
    "default": {"BACKEND": _DATABASE_CACHE, "LOCATION": "django_cache", "OPTIONS": {"MAX_ENTRIES": 5_000}},
    "drawings": {"BACKEND": _DATABASE_CACHE, "LOCATION": "django_cache_drawings",
                 "OPTIONS": {"MAX_ENTRIES": env.int("CACHE_MAX_ENTRIES", default=20_000), "CULL_FREQUENCY": 4}},
}

# Background work (ledger imports) through Django's task API, queued in PostgreSQL: `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes; attempts are counted in PostgreSQL, so every web process sees the same count).
# Two separate limits, each for AXES_COOLOFF_TIME: a login ID is stopped after 5 failures from any address, and an
# address after 15 failures over any login IDs (spraying one password over many IDs). A stopped login ID is not a
# denial of service: its owner signs in with password + second factor (accounts:login_second_factor, which is held
# by the address limit only) or an administrator lifts the stop (accounts.security.lockout_clear, audited).
AXES_HANDLER = "accounts.security.LoginThrottle"
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)  # per login ID
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=15)  # per address
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True  # a successful login clears that login ID's failures (not the address's)
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "audit.services.client_ip"
AXES_VERBOSE = False
# The auditor is alerted (one audit event 「警告」 per burst) when this many logins fail from one address or
# against one login ID within the window.
LOGIN_ALERT_FAILURES = env.int("LOGIN_ALERT_FAILURES", default=10)
LOGIN_ALERT_WINDOW = timedelta(minutes=env.int("LOGIN_ALERT_WINDOW_MINUTES", default=10))

# Second factor (django-otp: TOTP apps and single-use recovery codes). Production requires it of every role;
# development (`make run`) and tests leave it optional (a user enrols from 表示設定).
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=False)
TWO_FACTOR_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="つながる支援ケース管理")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a second factor's secret key
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end when the browser closes and after 30 idle minutes: shared office PCs are the norm.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and requests from this origin only,
# and no inline script or style anywhere: templates load static files, the server-drawn SVG carries presentation
# attributes (core.svg), and the API docs load their start script from a URL of their own (api.urls). A page that
# broke the rule would show "Refused to …" in the browser console: tests/browser/test_csp.py walks the pages.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Swagger UI's and the admin's small icons are data: URLs
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
# Permissions-Policy (core.middleware.PermissionsPolicyMiddleware): no page uses a camera, microphone, location,
# payment or device, so none may, nor anything the pages embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in ("accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation",
                    "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment",
                    "picture-in-picture", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking")
}

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("英語"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded ledger files wait here for the background worker (which must see the same folder: docker-compose
# gives app and worker one volume). Never served over HTTP; only the owner may read them.
UPLOAD_ROOT = Path(env("UPLOAD_ROOT", default=str(BASE_DIR / ".data" / "uploads")))
# `manage.py backup` (`make backup`) writes here: dumps and their manifests, readable by their owner only. Copy them
# off the server; PG_BIN_DIR (read by core.backup) names the folder of pg_dump/pg_restore if not on PATH.
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "backups")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "ledger": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": UPLOAD_ROOT / "ledger", "base_url": None, "file_permissions_mode": 0o600,
                    "directory_permissions_mode": 0o700},
    },
}
# What a ledger file may be (ledger.parsing.Limits), checked before anything parses it and while it is read; a
# city's real ledger has a few thousand rows of nine columns. An uploaded file the import did not end with (a
# rejected, failed or never-confirmed job) is deleted this many days after: `manage.py purge_uploads`, daily.
LEDGER_MAX_UPLOAD_BYTES = env.int("LEDGER_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)
LEDGER_MAX_UNCOMPRESSED_BYTES = env.int("LEDGER_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024)
LEDGER_MAX_XLSX_PART_BYTES = env.int("LEDGER_MAX_XLSX_PART_BYTES", default=20 * 1024 * 1024)
LEDGER_MAX_COMPRESSION_RATIO = env.int("LEDGER_MAX_COMPRESSION_RATIO", default=100)
LEDGER_MAX_ZIP_MEMBERS = env.int("LEDGER_MAX_ZIP_MEMBERS", default=200)
LEDGER_MAX_ROWS = env.int("LEDGER_MAX_ROWS", default=100_000)
LEDGER_MAX_COLUMNS = env.int("LEDGER_MAX_COLUMNS", default=100)
LEDGER_MAX_CELL_CHARS = env.int("LEDGER_MAX_CELL_CHARS", default=1_000)
LEDGER_MAX_STORED_ERRORS = env.int("LEDGER_MAX_STORED_ERRORS", default=100)
LEDGER_REJECTED_UPLOAD_DAYS = env.int("LEDGER_REJECTED_UPLOAD_DAYS", default=30)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="tsunagaru@localhost")
# The address users reach the product at, for links in notification e-mails.
SITE_URL = env("SITE_URL", default="http://localhost:8000")

# Behind a reverse proxy that sets X-Forwarded-For, set AUDIT_TRUST_X_FORWARDED_FOR=true so that the
# audit trail records the client's address rather than the proxy's.
AUDIT_TRUST_X_FORWARDED_FOR = env.bool("AUDIT_TRUST_X_FORWARDED_FOR", default=False)
# The key of the audit trail's hash chains (audit.chain); empty means one derived from SECRET_KEY. Production
# requires it (production.py). Never change it: events chained under the old key would no longer verify.
AUDIT_CHAIN_KEY = env("AUDIT_CHAIN_KEY", default="")

REST_FRAMEWORK = {
    # Token first: an anonymous request is answered 401 with `WWW-Authenticate: Token` (not a bare 403).
    # Tokens are stored hashed, expire and are issued with `manage.py issue_token <login ID>` (api.tokens).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["api.filters.ScopedFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": "1200/minute"},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}

# Days an API token is valid from its issue (`manage.py issue_token --days N` for another period, at most 366).
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)

SPECTACULAR_SETTINGS = {
    "TITLE": _("つながる支援ケース管理 REST API"),
    "VERSION": "1.0.0",
    "DESCRIPTION": _(
        "世帯・事例・課題・相談記録・会議・つなぎ・活動と集計の API です。画面と同じ範囲制限（担当区・関わる機関）と"
        "監査ログが適用されます。認証はトークン（`Authorization: Token <トークン>`）またはログイン中のセッションです。"
        "福祉局・システム管理者は集計（/api/v1/reports/）だけを利用でき、個人情報の API は 403 になります。\n\n"
        "エラーはすべて次の形の JSON です: "
        '`{"error": {"status": 404, "code": "not_found", "message": "見つかりません。", "fields": {}}}`。'
        "`fields` は入力の誤りがある項目ごとのメッセージの一覧です（誤りがなければ空）。"
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # The municipal network is closed: Swagger UI comes from our own static files, and never asks
    # validator.swagger.io about the schema.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": False, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.CaseStatus",
        "IntakeChannelEnum": "cases.models.IntakeChannel",
        "ConsultationMethodEnum": "cases.models.ConsultationMethod",
        "ConsentPurposeEnum": "cases.models.ConsentPurpose",
        "SexEnum": "cases.models.Sex",
        "TaskStatusEnum": "cases.models.TaskStatus",
        "MeetingStatusEnum": "meetings.models.MeetingStatus",
        "ActivityKindEnum": "meetings.models.ActivityKind",
        "ConfidentialityEnum": "meetings.models.Confidentiality",
        "ReferralStatusEnum": "referrals.models.ReferralStatus",
        "ReferralPurposeEnum": "referrals.models.ReferralPurpose",
        "SharedItemEnum": "referrals.models.SharedItem",
        "SharingBasisEnum": "referrals.models.SharingBasis",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_error_responses"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refusal (403/404) is an ordinary answer, audited as such: one line in the log, no traceback.
    "filters": {"no_traceback_for_client_errors": {"()": "core.logging.NoTracebackForClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_traceback_for_client_errors"]}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# seed_demo creates logins with a known password; only development and tests may run it.
DEMO_DATA_ALLOWED = False
