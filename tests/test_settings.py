from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 64 + "-a-long-random-production-secret",
    "ALLOWED_HOSTS": "qogam.example.kz",
    "DATABASE_URL": "postgres://qogam:qogam@127.0.0.1:5432/qogam",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_passes_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_its_secret():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.production"})
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_production_refuses_sqlite():
    env = {**PRODUCTION_ENV, "DATABASE_URL": "sqlite:///tmp/x.sqlite3"}
    result = manage("check", env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.production"})
    assert result.returncode != 0 and "PostgreSQL" in result.stderr


def test_a_boolean_setting_that_is_not_a_boolean_fails_loudly():
    env = {**PRODUCTION_ENV, "SECURE_SSL_REDIRECT": "maybe"}
    result = manage("check", env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.production"})
    assert result.returncode != 0 and "SECURE_SSL_REDIRECT='maybe' is not a boolean" in result.stderr


def test_celery_uses_redis_when_it_is_configured():
    if settings.REDIS_URL:
        assert celery_app.conf.broker_url == settings.REDIS_URL
    else:
        assert celery_app.conf.broker_url == "memory://"


def test_without_redis_tasks_run_in_process():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)",
        env={"DJANGO_SETTINGS_MODULE": "config.settings.dev"},
    )
    assert result.stdout.strip().endswith("True"), result.stderr
    with_redis = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)",
        env={"DJANGO_SETTINGS_MODULE": "config.settings.dev", "REDIS_URL": "redis://127.0.0.1:6379/0"},
    )
    assert with_redis.stdout.strip().endswith("False"), with_redis.stderr


def test_postgresql_connections_compile_no_queries():
    """JIT off on every PostgreSQL connection the site opens (the production settings read the same base)."""
    result = manage(
        "shell",
        "-c",
        "from django.db import connection; print(connection.settings_dict['OPTIONS'].get('options'))",
        env={**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "-c jit=off"


@pytest.mark.django_db
def test_the_connection_in_use_has_jit_off_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: .ci/run runs the suite on it")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
