"""The benchmark harness (bench/run.py): production-like request handling on a database of its own."""

from __future__ import annotations

from .dev import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
API_ANONYMOUS_RATE = "100000000/minute"  # the throttle still runs (its cost counts), but never refuses
