"""Queueing Celery tasks so that a broker (Redis) that is down is said plainly, never a 500 or a hang.

With a broker, publishing gives up within about two seconds (CELERY_BROKER_CONNECTION_TIMEOUT and the publish
retry policy in settings); without one (no REDIS_URL) tasks run in-process when sent. Every place that queues
work goes through here.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

log = logging.getLogger("qogam")
MSG_QUEUE_DOWN = _(
    "The task queue is not answering just now, so nothing was started and nothing changed. Try again in a few "
    "minutes; the nightly run catches up in any case."
)


def task_send(task, *args, countdown: int | None = None) -> bool:
    """Queue `task(*args)`, or run it now without a broker. False (logged) when the broker is unreachable."""
    try:
        task.apply_async(args, countdown=countdown)
    except Exception as exc:  # kombu raises OperationalError, redis ConnectionError …: all mean "not queued"
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise  # an in-process run failed: that is the task's error, not the queue's
        log.warning("%s not queued, the task queue is unreachable: %s", task.name, exc)
        return False
    return True


def task_schedule_once(task, *, key: str, seconds: int) -> bool:
    """One run of `task` `seconds` from now, however many calls come before it runs (the task deletes `key`
    when it starts). Only with a broker: in-process, a run per change would run inside each request."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    if not cache.add(key, True, seconds * 2):
        return False  # one is already waiting (or the cache is down, and the nightly run catches up)
    if task_send(task, countdown=seconds):
        return True
    cache.delete(key)
    return False
