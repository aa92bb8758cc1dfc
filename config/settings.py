"""Settings, all deployment-specific values read from the environment (see README)."""

import datetime
import os
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.env import (
    database_config,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_optional_int,
    owner_credentials,
    profile,
    secret_key,
    strong_secret_key,
)
from operations.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DEBUG", default=False)
# DJANGO_ENV=production: the hardened profile (README "Deploying"), at the end of this file.
PRODUCTION = profile(os.environ.get("DJANGO_ENV", "development"), debug=DEBUG)
SECRET_KEY = secret_key(debug=DEBUG, key_file=VAR_DIR / "secret_key")
if PRODUCTION:
    strong_secret_key(SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# A connection is kept DB_CONN_MAX_AGE seconds for the next request instead of opened for each
# one (a PostgreSQL connection costs a TCP and authentication round trip, issue 14).
DATABASES = {
    "default": database_config(
        os.environ.get("DATABASE_URL"),
        default_sqlite=VAR_DIR / "db.sqlite3",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        prepare_threshold=env_optional_int("DB_PREPARE_THRESHOLD", 5),
    )
}
# The owner of the tables (PostgreSQL): `manage.py migrate` runs as this role, then grants the
# application's role (DATABASE_URL) what it may do; see README, "Database roles".
MIGRATE_DATABASE = owner_credentials(os.environ.get("MIGRATE_DATABASE_URL"), DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "config.staticfiles.StaticFiles",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "viewflow",
    "viewflow.workflow",
    "dossiers",
    "audit",
    "outbox",
    "workflow",
    "council",
    "decisions",
    "auditing",
    "api",
    "emulation",
    "evaluation",
    "fairness",
    "spreadsheets",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "signin",
    "operations",
]

MIDDLEWARE = [
    "operations.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the web process, compressed and cached forever when hashed.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before the CSRF check, which reads the body: limits are checked from the headers.
    "operations.limits.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dossiers.sessions.IdleTimeoutMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dossiers.middleware.CurrentPersonMiddleware",
    "dossiers.middleware.NoStoreMiddleware",
    "signin.middleware.SecondFactorMiddleware",
    "auditing.middleware.AuditorReadOnlyMiddleware",
    "workflow.responses.DomainErrorMiddleware",
    # Last, as django-axes asks: turns a sign-in refused by the lockout into its page.
    "axes.middleware.AxesMiddleware",
]
# viewflow's SiteMiddleware/Turbo are for its own frontend, which we do not use.
VIEWFLOW = {"AUTOREGISTER": False}

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
                "workflow.context_processors.inbox",
            ],
        },
    },
]

PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 10)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The README's demo password is public: refused for any account unless DEBUG is on.
    {"NAME": "signin.validators.DemoPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "signin.backends.LockoutBackend",  # first: a locked account is refused before its password
    "dossiers.backends.PersonModelBackend",
    "workflow.backends.StepPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login protection (signin/, README "Signing in"): after LOGIN_FAILURE_LIMIT wrong passwords in a
# row an account is refused, even with the right password, for LOGIN_LOCKOUT_MINUTES (django-axes).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
# Per account, not per address: a school's staff often share one address behind its router,
# where one person's typing would lock out everyone else (hence axes.W006 silenced below).
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True  # the limit counts wrong passwords in a row
# The lock lifts LOGIN_LOCKOUT_MINUTES after it began, however often it is knocked on meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "signin.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit trail
AXES_VERBOSE = False  # no banner on every start of a command
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# The second factor (django-otp, TOTP): an institution may require it of these roles.
TWO_FACTOR_ROLES = env_list(
    "TWO_FACTOR_ROLES", ["principal", "council_secretary", "reviewer", "lead_reviewer"]
)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "TĐKT")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # an administrator never sees a person's secret key

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Uploads: documents of a dossier (checked by content, see dossiers/uploads.py).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# A spreadsheet imported by the personnel office: its size and its number of rows.
SPREADSHEET_IMPORT_MAX_BYTES = env_int("SPREADSHEET_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
SPREADSHEET_IMPORT_MAX_ROWS = env_int("SPREADSHEET_IMPORT_MAX_ROWS", 2000)
FILE_UPLOAD_PERMISSIONS = 0o640
# Request bodies (dossiers/limits.py): a view that takes no file takes at most this; the new
# dossier form takes its first documents at once.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 2 * 1024 * 1024)
NEW_DOSSIER_MAX_BYTES = env_int("NEW_DOSSIER_MAX_BYTES", 5 * UPLOAD_MAX_BYTES)

# The institution's system key, which signs the audit checkpoints: a PKCS#12 file for the demo,
# a PKCS#11 token in production. Decisions are signed with each signer's own certificate
# (decisions.SigningCredential, `manage.py signing_credential`).
SIGNING_PKCS12_PATH = os.environ.get("SIGNING_PKCS12_PATH", str(VAR_DIR / "demo-signer.p12"))
SIGNING_PKCS12_PASSPHRASE = os.environ.get("SIGNING_PKCS12_PASSPHRASE", "")
# "pkcs12" (a certificate file) or "pkcs11" (a USB token of a licensed CA, or SoftHSM2 in tests).
DECISION_SIGNER = os.environ.get("DECISION_SIGNER", "pkcs12")
SIGNING_PKCS11_LIBRARY = os.environ.get("SIGNING_PKCS11_LIBRARY", "")
SIGNING_PKCS11_TOKEN_LABEL = os.environ.get("SIGNING_PKCS11_TOKEN_LABEL", "")
SIGNING_PKCS11_PIN = os.environ.get("SIGNING_PKCS11_PIN", "")
SIGNING_PKCS11_KEY_LABEL = os.environ.get("SIGNING_PKCS11_KEY_LABEL", "")
SIGNING_PKCS11_CERT_LABEL = os.environ.get("SIGNING_PKCS11_CERT_LABEL", "")
# A timestamp authority (RFC 3161) makes decision signatures PAdES B-T; empty: no timestamp.
SIGNING_TSA_URL = os.environ.get("SIGNING_TSA_URL", "")
SIGNING_TSA_TIMEOUT = env_int("SIGNING_TSA_TIMEOUT", 10)
# Bytes reserved in a decision prepared for signing at the signer's computer, for the CMS the
# signer's tool returns (its certificate chain and, with a TSA, the timestamp included).
SIGNING_RESERVED_BYTES = env_int("SIGNING_RESERVED_BYTES", 32768)
# Printed on every signed decision: where anyone can check it (the public verification page).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Ballot secrecy: each open meeting's ballot key lives outside the database and is destroyed
# after the tally. "file" keeps one 0600 file per meeting under BALLOT_KEY_DIR; "redis" keeps it
# in Redis at BALLOT_KEY_REDIS_URL (for several web servers), or any dotted KeyStore class.
BALLOT_KEY_STORE = os.environ.get("BALLOT_KEY_STORE", "file")
BALLOT_KEY_DIR = Path(os.environ.get("BALLOT_KEY_DIR", VAR_DIR / "ballot-keys"))
BALLOT_KEY_REDIS_URL = os.environ.get("BALLOT_KEY_REDIS_URL", "")

# A PDF report renders in memory (about 35 ms per event): larger trails go to CSV or JSONL.
AUDIT_PDF_EXPORT_LIMIT = env_int("AUDIT_PDF_EXPORT_LIMIT", 1000)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Where django.core.mail.backends.filebased.EmailBackend writes messages.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "thidua@localhost")

# Background work: Celery on Redis when a broker is configured, in-process otherwise.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TIMEZONE = TIME_ZONE
# A worker outlives the broker: it waits for Redis at startup and after losing it, for as long
# as it takes (backing off to one attempt each 30 s). Celery's default gives up after 100
# attempts, about 45 minutes, and the worker exits: mail then waits until someone restarts it.
# Only the worker and beat read these; the web process's nudge never waits (outbox/services.py).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BEAT_SCHEDULE = {
    "send-reminders": {
        "task": "workflow.background.send_reminders_task",
        "schedule": crontab(hour=7, minute=0),  # in CELERY_TIMEZONE (Asia/Ho_Chi_Minh)
    },
    "sign-checkpoints": {
        "task": "decisions.background.sign_checkpoints_task",
        "schedule": crontab(hour=0, minute=5),  # each chain head that moved, signed daily
    },
    # The safety net of the outbox: rows whose nudge was lost, and retries that fell due.
    "drain-outbox": {"task": "outbox.background.drain_outbox", "schedule": 60.0},
    "sweep-signing-leftovers": {
        "task": "decisions.background.sweep_orphans_task",
        "schedule": crontab(minute=17),
    },
    # Beat queues it and a worker runs it: /healthz tells when it last did.
    "heartbeat": {"task": "operations.background.heartbeat", "schedule": 60.0},
}
# The worker logs through LOGGING (LOG_FORMAT), not Celery's own handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The outbox (outbox/): how often a failed mail or check is tried, and how soon.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 30)  # the first wait; doubled after each
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600)
# Long work (an integrity check) is run again when its worker has not reported after this long.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 3600)
# A row still pending after this long is listed for the council secretary.
OUTBOX_STALE_MINUTES = env_int("OUTBOX_STALE_MINUTES", 15)
# Signing writes its PDF under a temporary name until commit; leftovers older than this are swept.
SIGNING_LEFTOVER_MINUTES = env_int("SIGNING_LEFTOVER_MINUTES", 30)

# The cache shared by every web process: API throttles and rendered PDFs. One process keeps it
# in memory; several (gunicorn workers, more machines) need CACHE_URL, a Redis URL (a deploy
# check warns without it, dossiers/checks.py).
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# The client address behind this many reverse proxies (X-Forwarded-For); 0: REMOTE_ADDR, and the
# header is never read (dossiers/client.py). API_NUM_PROXIES is its former name.
NUM_PROXIES = env_int("NUM_PROXIES", env_int("API_NUM_PROXIES", 0))

# The JSON API (api/, README "API"): tokens or the session; errors as problem details.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.base.HasStaffRecord"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.PerTokenThrottle",
        "api.throttling.PerAddressThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("API_RATE_PER_TOKEN", "1200/min"),
        "anonymous": os.environ.get("API_RATE_ANONYMOUS", "60/min"),
        # The public verification page and its API, together, and the checkpoint files.
        "verify": os.environ.get("RATE_VERIFY", "20/min"),
        "public_files": os.environ.get("RATE_PUBLIC_FILES", "60/min"),
    },
    "NUM_PROXIES": NUM_PROXIES,
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Thi đua, khen thưởng API",
    "DESCRIPTION": "Dossiers, their lifecycle, council ballots, decisions and the audit trail.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Choice sets that share a field name with another resource's (`state`, `kind`), named once,
    # one entry a line.
    "ENUM_NAME_OVERRIDES": {
        "DossierStateEnum": "dossiers.models.State",
        "MeetingStateEnum": "council.models.Meeting.State",
        "ComparisonEnum": "dossiers.models.AwardType.Comparison",
        "VoteBaseEnum": "dossiers.models.AwardType.VoteBase",
        "DecisionStateEnum": "decisions.models.Decision.State",
        "DecisionKindEnum": "decisions.models.Decision.Kind",
        "IntegrityCheckStateEnum": "auditing.models.IntegrityCheck.State",
        "OutboxMessageStateEnum": "outbox.models.OutboxMessage.State",
    },
}
# Personal API tokens: the longest a person may ask for.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)

# Django's database sessions, read by a query compiled once (dossiers.sessions). A session ends
# after SESSION_IDLE_MINUTES without a request (dossiers.sessions.IdleTimeoutMiddleware) and,
# whatever the activity, SESSION_MAX_HOURS after it began.
SESSION_ENGINE = "dossiers.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = env_int("SESSION_MAX_HOURS", 12) * 3600
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Security headers in every profile. No inline script or style anywhere: the policy allows
# only this site's own files (and a per-response nonce for the few <style> blocks Django's
# admin and the process diagram need), no framing, no plugins.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# WhiteNoise serves STATIC_ROOT (`collectstatic`, done by `make serve`); in DEBUG it serves the
# apps' files as they change.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- The production profile (DJANGO_ENV=production) ---------------------------------------------
# HTTPS only: behind a reverse proxy that terminates TLS, set TRUST_PROXY_HEADERS=true so that
# X-Forwarded-Proto tells Django the request was HTTPS (never without such a proxy in front: a
# client could then claim it). `manage.py check --deploy` is clean under this profile.
TRUST_PROXY_HEADERS = env_bool("TRUST_PROXY_HEADERS", default=False)
if TRUST_PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # A load balancer probes the health check over plain HTTP, inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Log lines: "text" for a terminal, "json" (one object per line) for a log collector.
LOG_FORMAT = env_choice("LOG_FORMAT", ("text", "json"), default="text")
LOGGING = logging_config(log_format=LOG_FORMAT, level=os.environ.get("LOG_LEVEL", "INFO"))
# Take a request's id from the reverse proxy's X-Request-ID header (else each gets a new one).
REQUEST_ID_TRUSTED = env_bool("REQUEST_ID_TRUSTED", default=False)

# /healthz: the worker's heartbeat is stale after this long (checked when a broker is set), and
# more than HEALTH_OUTBOX_BACKLOG_MAX outbox rows pending for HEALTH_OUTBOX_BACKLOG_MINUTES fail it.
HEALTH_HEARTBEAT_MAX_AGE_SECONDS = env_int("HEALTH_HEARTBEAT_MAX_AGE_SECONDS", 300)
HEALTH_OUTBOX_BACKLOG_MINUTES = env_int("HEALTH_OUTBOX_BACKLOG_MINUTES", OUTBOX_STALE_MINUTES)
HEALTH_OUTBOX_BACKLOG_MAX = env_int("HEALTH_OUTBOX_BACKLOG_MAX", 0)
