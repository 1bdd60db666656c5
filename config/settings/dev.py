"""Local development: `make run`. Needs no environment variables and no services."""

from __future__ import annotations

from config.env import env, env_bool, env_list

from .base import *  # noqa: F403

DEBUG = True
IMPORTS_IN_THREAD = env_bool("IMPORTS_IN_THREAD", True)  # the upload returns at once under make run
SECRET_KEY = env("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"  # password-reset mails print to the console
STATIC_ROOT = None  # collectstatic is for production; WhiteNoise serves from the finders here
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
