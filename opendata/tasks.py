"""Celery tasks for the full downloads: regenerate them, and schedule one run a while after data changes."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from api.queue import task_schedule_once, task_send
from opendata import exports  # a module reference: the receivers that schedule runs load before the formats

EXPORTS_SCHEDULED_KEY = "opendata:exports:scheduled"


@shared_task(acks_late=True)
def exports_regenerate(kinds: list[str] | None = None) -> dict[str, int]:
    """Regenerate the full downloads (all, or the named ones). Each file is swapped in whole."""
    cache.delete(EXPORTS_SCHEDULED_KEY)  # changes from now on schedule the next run
    return {code: exports.export_file_regenerate(kind=code).rows for code in (kinds or list(exports.EXPORT_KINDS))}


def exports_schedule() -> bool:
    """After a data change: one regeneration EXPORTS_DEBOUNCE_SECONDS later, however many changes come.

    Only with a real broker: with tasks run in-process (no REDIS_URL) a change would regenerate every file
    inside the request; there the files stay marked stale until the nightly run or a moderator's button.
    """
    return task_schedule_once(exports_regenerate, key=EXPORTS_SCHEDULED_KEY, seconds=settings.EXPORTS_DEBOUNCE_SECONDS)


def exports_regenerate_queue() -> bool:
    """For the moderators' button: queue a run (run it now without a broker). False when the queue is down."""
    return task_send(exports_regenerate)
