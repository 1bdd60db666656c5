"""The test suite: SQLite in memory unless DATABASE_URL points at PostgreSQL."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from config.env import env

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
IMPORTS_IN_THREAD = False  # tasks run eagerly in the request; tests/imports tries the thread path itself
SECRET_KEY = "test-only-insecure-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Tasks run in-process in the suite, Redis or not; tests that need a real worker start one themselves. The
# Redis-down pass (QOGAM_REDIS_DOWN, tests/resilience) queues them as production does, to a broker that is gone.
CELERY_TASK_ALWAYS_EAGER = not env("QOGAM_REDIS_DOWN")
CELERY_TASK_EAGER_PROPAGATES = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never used outside tests
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
API_ANONYMOUS_RATE = "100000/minute"  # the throttle's own test sets a small rate
if not env("DATABASE_URL"):
    # A file, not SQLite's shared in-memory database: that one answers "table is locked" to a second writer
    # instead of waiting for it, unlike the WAL file the site runs on, and the concurrency tests need the
    # real behaviour. One file per test run, removed by the test runner at the end.
    _name = str(Path(tempfile.gettempdir()) / f"qogam-test-{os.getpid()}.sqlite3")
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": _name,
        "TEST": {"NAME": _name},
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;",
        },
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None  # collectstatic is for production; WhiteNoise serves from the finders here
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
