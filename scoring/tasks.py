"""Celery tasks: the full regeneration (nightly and on demand) and the debounced incremental refresh."""

from __future__ import annotations

import contextlib
import logging

from celery import shared_task

REFRESH_SCHEDULED_KEY = "scoring:refresh:scheduled"
FLAGS_SCHEDULED_KEY = "scoring:flags:scheduled"
log = logging.getLogger("qogam")


@shared_task(acks_late=True)
def summaries_regenerate() -> int:
    """Everything, into a new run swapped in whole. Safe to redeliver: a killed run is never current."""
    from scoring.services import regenerate_full

    return regenerate_full().pk


@shared_task(acks_late=True)
def summaries_refresh() -> int:
    """The stale organisation-years and their segments only."""
    from django.core.cache import cache

    from scoring.services import regenerate_stale

    cache.delete(REFRESH_SCHEDULED_KEY)
    return regenerate_stale()


@shared_task(acks_late=True)
def flags_refresh() -> int:
    """Every red flag and the concentration figures, recomputed in the current run."""
    from django.core.cache import cache

    from scoring.services import refresh_flags

    cache.delete(FLAGS_SCHEDULED_KEY)
    return refresh_flags()


def schedule_refresh() -> bool:
    """After a change: one refresh SUMMARIES_DEBOUNCE_SECONDS later however many changes come (real broker
    only; in-process tasks would do the work inside the request, so there the change waits for the nightly
    run or the staff button). A broker that is down is logged, never raised: the edit must not fail."""
    from django.conf import settings
    from django.core.cache import cache

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    try:
        if cache.add(FLAGS_SCHEDULED_KEY, True, settings.FLAGS_DEBOUNCE_SECONDS * 2):
            flags_refresh.apply_async(countdown=settings.FLAGS_DEBOUNCE_SECONDS)
        if not cache.add(REFRESH_SCHEDULED_KEY, True, settings.SUMMARIES_DEBOUNCE_SECONDS * 2):
            return False
        summaries_refresh.apply_async(countdown=settings.SUMMARIES_DEBOUNCE_SECONDS)
    except Exception:
        log.warning("summary refresh not scheduled: the task queue is unreachable")
        with contextlib.suppress(Exception):  # the cache is the same Redis; nothing more to do
            cache.delete_many([REFRESH_SCHEDULED_KEY, FLAGS_SCHEDULED_KEY])
        return False
    return True


def queue_full_regeneration() -> str | None:
    """For the staff button: queue a full run, or say why it could not be queued."""
    from django.conf import settings

    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            summaries_regenerate.apply()
        else:
            summaries_regenerate.apply_async()
    except Exception as exc:
        log.warning("summary regeneration not queued: %s", exc)
        return str(exc) or exc.__class__.__name__
    return None
