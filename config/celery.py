"""The Celery app. With REDIS_URL unset, settings make every task run in-process (CELERY_TASK_ALWAYS_EAGER)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("qogam")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
