"""Thin Celery tasks: load ids, call a service; safe to retry."""

from __future__ import annotations

import contextlib
import logging

from celery import shared_task


@shared_task(acks_late=True)
def import_run(job_id: int) -> None:
    from registry.services import import_job_run

    import_job_run(job_id=job_id)


EXPORTS_SCHEDULED_KEY = "registry:exports:scheduled"


@shared_task(acks_late=True)
def exports_regenerate(kinds: list[str] | None = None) -> dict[str, int]:
    """Regenerate the full downloads (all, or the named ones). Each file is swapped in whole."""
    from django.core.cache import cache

    from registry.exports import EXPORT_KINDS, export_regenerate

    cache.delete(EXPORTS_SCHEDULED_KEY)  # changes from now on schedule the next run
    return {code: export_regenerate(code).rows for code in (kinds or list(EXPORT_KINDS))}


def exports_schedule() -> bool:
    """After a data change: one regeneration EXPORTS_DEBOUNCE_SECONDS later, however many changes come.

    Only with a real broker: with tasks run in-process (no REDIS_URL, and the test suite) a change would
    regenerate every file inside the request; there the nightly run, the staff button and the command do it.
    """
    from django.conf import settings
    from django.core.cache import cache

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    try:
        if not cache.add(EXPORTS_SCHEDULED_KEY, True, settings.EXPORTS_DEBOUNCE_SECONDS * 2):
            return False  # one is already waiting
        exports_regenerate.apply_async(countdown=settings.EXPORTS_DEBOUNCE_SECONDS)
    except Exception:  # Redis (broker and cache) unreachable: the nightly run catches up; the edit must not fail
        logging.getLogger("qogam").warning("exports not scheduled: the task queue is unreachable")
        with contextlib.suppress(Exception):
            cache.delete(EXPORTS_SCHEDULED_KEY)
        return False
    return True
