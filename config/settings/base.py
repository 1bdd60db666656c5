"""Settings shared by every environment. Environment-specific files import * from here."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.env import env, env_bool, env_int

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "api",
    "registry",
    "funding",
    "scoring",
    "imports",
    "opendata",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

# Object-level permissions live in one place, each app's rules.py (django-rules); django-axes locks an
# account out after repeated failed logins.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "registry.auth.EmailOrUsernameBackend",  # Django's ModelBackend, with the e-mail address as a user name too
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "registry:my_organisations"
LOGOUT_REDIRECT_URL = "registry:home"
DEFAULT_FROM_EMAIL = "Qogam <no-reply@qogam.kz>"
# Uploaded documents: never under the static or web root; served by a view that checks and sets headers.
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# No upload is kept past this size (registry.uploads): the largest limit of any kind of file (an import's is
# imports.engine.IMPORT_MAX_BYTES). A request body bigger than any form needs is refused before that by the
# front proxy (nginx client_max_body_size, docs/security.md).
UPLOAD_MAX_BYTES = 20 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "registry.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "registry.context_processors.site",
            ],
        },
    },
]

# SQLite is the embedded default so a newcomer needs no services; PostgreSQL in production via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the site's queries are short, and a misestimated plan crossing jit_above_cost paid
    # 20-30 ms (and up to 0.6 s) compiling per request in the benchmark at ten times the national size.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while seed_demo or an import writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # Kept open between requests as on PostgreSQL (DATABASE_CONN_MAX_AGE): reopening the file re-reads the
    # schema, about 7 ms a request, most of a cached page's cost.

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Whole public pages kept for anonymous readers in the shared cache under the data version (api.caching).
# The test suite turns it off except where it is tested (tests/test_page_caching.py, tests/resilience): tests
# write with factories whose announcements never run, so a kept page would outlive their changes.
QOGAM_PAGE_CACHE = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English is the source language; Kazakh and Russian catalogues live in locale/.
LANGUAGE_CODE = "en"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One number and date format per language (config/formats): thousands grouped only where a template asks for
# it (registry_tags: num, kzt, money), so years and codes never read "2 024".
FORMAT_MODULE_PATH = ["config.formats"]
USE_THOUSAND_SEPARATOR = False
TIME_ZONE = "Asia/Almaty"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env("MEDIA_ROOT") or BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Redis accelerates, never gates reading (docs/security.md): with REDIS_URL set, "default" caches pages and
# reference data and treats an unreachable Redis as an empty cache (django-redis IGNORE_EXCEPTIONS, short socket
# timeouts); "counters" holds the API throttle's and sign-in protection's counts and does raise, so those count
# in the process instead (api.common.AnonymousThrottle, registry.signin) rather than not at all.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "counters": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "counters"},
}
REDIS_SOCKET_TIMEOUT = 0.5  # seconds: a Redis that does not answer in this long is treated as down


def _redis_cache(*, ignore_exceptions: bool) -> dict:
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
            "IGNORE_EXCEPTIONS": ignore_exceptions,
        },
    }


# Celery: Redis when REDIS_URL is set; otherwise tasks run in-process so `make run` needs no services.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CACHES = {"default": _redis_cache(ignore_exceptions=True), "counters": _redis_cache(ignore_exceptions=False)}
    # Not logged per operation (a traceback each): the counters and the queue log one line each when Redis is away.
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
# Without a broker, an import's check and apply run in a thread of the development server so the upload returns
# at once (docs/imports.md); off in tests, where tasks run eagerly in the request.
IMPORTS_IN_THREAD = env_bool("IMPORTS_IN_THREAD", False)  # dev.py turns it on
# Nothing reads a task's return value, so no result backend: a queued task touches the broker alone. Publishing
# gives up within about two seconds when the broker is down (the page then says so: api.queue.task_send).
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "exports-nightly": {"task": "opendata.tasks.exports_regenerate", "schedule": crontab(hour=2, minute=30)},
    "summaries-nightly": {"task": "scoring.tasks.summaries_regenerate", "schedule": crontab(hour=2, minute=0)},
    "imports-expire": {"task": "imports.tasks.import_jobs_expire", "schedule": crontab(minute="*/5")},
}
# An import job that no worker takes within this long, or that runs longer, is ended, failed, with the reason
# (imports.services.import_jobs_expire): a job never stays "queued" or "running" for good.
IMPORT_QUEUED_MINUTES = env_int("IMPORT_QUEUED_MINUTES", 15)
IMPORT_RUNNING_MINUTES = env_int("IMPORT_RUNNING_MINUTES", 60)

# The publisher prefix for identifiers we mint ourselves (360Giving: 360G-<prefix>-<local id>).
QOGAM_PUBLISHER_PREFIX = env("QOGAM_PUBLISHER_PREFIX") or "qogam"
# Where the site is served: absolute links in downloads, which are built without a request.
QOGAM_SITE_URL = env("QOGAM_SITE_URL") or "http://127.0.0.1:8000"
# OCDS: the prefix registered with the Open Contracting Partnership (ocds-<6 characters>).
QOGAM_OCID_PREFIX = env("QOGAM_OCID_PREFIX") or "ocds-qogam1"
QOGAM_DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
# Full downloads (/exports/): a directory every web process reads (a shared volume when there are several
# machines); regenerated a while after data changes (debounced) and nightly.
EXPORTS_ROOT = Path(env("EXPORTS_ROOT") or BASE_DIR / "var" / "exports")
EXPORTS_DEBOUNCE_SECONDS = env_int("EXPORTS_DEBOUNCE_SECONDS", 600)
# Scores and sector summaries: stale organisation-years are refreshed this long after a change (debounced).
SUMMARIES_DEBOUNCE_SECONDS = env_int("SUMMARIES_DEBOUNCE_SECONDS", 60)
# Red flags compare records across the whole data set, so they are recomputed whole, less eagerly.
FLAGS_DEBOUNCE_SECONDS = env_int("FLAGS_DEBOUNCE_SECONDS", 600)
DIRECTORY_PAGE_SIZE = 25
# A search for a word that at least this many listed organisations' names contain (at most this many such words,
# the commonest) has its counts kept by the count cube (registry.cube, FacetWordCell) instead of counted per request.
FACET_WORD_MIN_MATCHES = 2000
FACET_WORDS_AT_MOST = 48

# The API (docs/api.md): read anonymously, write with a session or a token, through the pages' permissions.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",  # first: an anonymous write gets 401, not 403
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Reading is open; writing needs an account (each write then checks its record, as the pages do).
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.common.Cursor",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],  # writes take JSON (docs/api.md)
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["api.common.AnonymousThrottle"],
    "EXCEPTION_HANDLER": "api.common.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_ANONYMOUS_RATE = env("API_ANONYMOUS_RATE") or "600/minute"
# How many reverse proxies of ours a request passes (nginx, a load balancer …): the client's address is the
# one the outermost of them appended to X-Forwarded-For (api.common.client_address). 0: none; the header is
# then ignored, as anyone can send it.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "api.common.client_address"
SPECTACULAR_SETTINGS = {
    "TITLE": "Qogam API",
    "DESCRIPTION": "Kazakhstan's civil society organisations and the state money they receive. docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # assets served from this site, never a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
        "api.schema.describe_query_parameters",
        "registry.api.reference_code_enums",
    ],
}

# Every page's Content-Security-Policy (django-csp): our own scripts and styles only, no inline ones (bars are
# SVG attributes, the API docs load their setup from a file), nothing framing us. Downloads of uploaded files
# set a stricter one of their own ("default-src 'none'; sandbox"), which the middleware leaves in place.
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
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"qogam": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

DEBUG_TOOLBAR = env_bool("DEBUG_TOOLBAR", False)
