"""Celery tasks for the full downloads: regenerate them, and schedule one run a while after data changes."""

from __future__ import annotations

import contextlib
import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from opendata import exports  # a module reference: the receivers that schedule runs load before the formats

EXPORTS_SCHEDULED_KEY = "opendata:exports:scheduled"
log = logging.getLogger("qogam")


@shared_task(acks_late=True)
def exports_regenerate(kinds: list[str] | None = None) -> dict[str, int]:
    """Regenerate the full downloads (all, or the named ones). Each file is swapped in whole."""
    with contextlib.suppress(Exception):  # a cache that is down only costs an extra run later
        cache.delete(EXPORTS_SCHEDULED_KEY)  # changes from now on schedule the next run
    return {code: exports.export_file_regenerate(kind=code).rows for code in (kinds or list(exports.EXPORT_KINDS))}


def exports_schedule() -> bool:
    """After a data change: one regeneration EXPORTS_DEBOUNCE_SECONDS later, however many changes come.

    Only with a real broker: with tasks run in-process (no REDIS_URL) a change would regenerate every file
    inside the request; there the files stay marked stale until the nightly run or a moderator's button.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    try:
        if not cache.add(EXPORTS_SCHEDULED_KEY, True, settings.EXPORTS_DEBOUNCE_SECONDS * 2):
            return False  # one is already waiting
        exports_regenerate.apply_async(countdown=settings.EXPORTS_DEBOUNCE_SECONDS)
    except Exception:  # Redis (broker and cache) unreachable: the nightly run catches up; the edit must not fail
        log.warning("exports not scheduled: the task queue is unreachable")
        with contextlib.suppress(Exception):
            cache.delete(EXPORTS_SCHEDULED_KEY)
        return False
    return True
