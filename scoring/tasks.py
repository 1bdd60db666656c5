"""Celery tasks: the full regeneration (nightly and on demand), the debounced incremental refresh, and the
flags' recomputation. Thin: each calls a service."""

from __future__ import annotations

import contextlib
import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from scoring import services  # a module reference: the services' receivers schedule these tasks

REFRESH_SCHEDULED_KEY = "scoring:refresh:scheduled"
FLAGS_SCHEDULED_KEY = "scoring:flags:scheduled"
log = logging.getLogger("qogam")


@shared_task(acks_late=True)
def summaries_regenerate() -> int:
    """Everything, into a new run swapped in whole. Safe to redeliver: a killed run is never current."""
    return services.summaries_regenerate().pk


@shared_task(acks_late=True)
def summaries_refresh() -> int:
    """The stale organisation-years and segments only."""
    with contextlib.suppress(Exception):  # a cache that is down only costs an extra run later
        cache.delete(REFRESH_SCHEDULED_KEY)
    return services.summaries_refresh()


@shared_task(acks_late=True)
def flags_refresh() -> int:
    """Every red flag and the concentration figures, recomputed in the current run."""
    with contextlib.suppress(Exception):
        cache.delete(FLAGS_SCHEDULED_KEY)
    return services.flags_refresh()


def _schedule(task, key: str, seconds: int) -> bool:
    """One run `seconds` after the first change, however many follow (real broker only). A broker that is
    down is logged, never raised: the edit that caused it must not fail."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return False  # no worker: summaries refresh when next read (services.summaries_refresh_if_stale)
    try:
        if not cache.add(key, True, seconds * 2):
            return False  # one is already waiting
        task.apply_async(countdown=seconds)
    except Exception:
        log.warning("%s not scheduled: the task queue is unreachable", task.name)
        with contextlib.suppress(Exception):
            cache.delete(key)
        return False
    return True


def summaries_refresh_schedule() -> bool:
    return _schedule(summaries_refresh, REFRESH_SCHEDULED_KEY, settings.SUMMARIES_DEBOUNCE_SECONDS)


def flags_refresh_schedule() -> bool:
    return _schedule(flags_refresh, FLAGS_SCHEDULED_KEY, settings.FLAGS_DEBOUNCE_SECONDS)


def summaries_regenerate_queue() -> str | None:
    """For the staff button: queue a full run (run it now without a broker), or say why it could not be."""
    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            summaries_regenerate.apply()
        else:
            summaries_regenerate.apply_async()
    except Exception as exc:
        log.warning("summary regeneration not queued: %s", exc)
        return str(exc) or exc.__class__.__name__
    return None
