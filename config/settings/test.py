"""The test suite: SQLite in memory unless DATABASE_URL points at PostgreSQL."""

from __future__ import annotations

from config.env import env

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
SECRET_KEY = "test-only-insecure-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never used outside tests
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if not env("DATABASE_URL"):
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None  # collectstatic is for production; WhiteNoise serves from the finders here
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
