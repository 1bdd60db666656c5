"""Celery tasks: the full regeneration (nightly and on demand), the debounced incremental refresh, and the
flags' recomputation. Thin: each calls a service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from api.queue import task_schedule_once, task_send
from scoring import services  # a module reference: the services' receivers schedule these tasks

REFRESH_SCHEDULED_KEY = "scoring:refresh:scheduled"
FLAGS_SCHEDULED_KEY = "scoring:flags:scheduled"


@shared_task(acks_late=True)
def summaries_regenerate() -> int:
    """Everything, into a new run swapped in whole. Safe to redeliver: a killed run is never current."""
    return services.summaries_regenerate().pk


@shared_task(acks_late=True)
def summaries_refresh() -> int:
    """The stale organisation-years and segments only."""
    cache.delete(REFRESH_SCHEDULED_KEY)  # changes from now on schedule the next run
    return services.summaries_refresh()


@shared_task(acks_late=True)
def flags_refresh() -> int:
    """Every red flag and the concentration figures, recomputed in the current run."""
    cache.delete(FLAGS_SCHEDULED_KEY)
    return services.flags_refresh()


def summaries_refresh_schedule() -> bool:
    """Without a broker, summaries refresh when next read instead (services.summaries_refresh_if_stale)."""
    return task_schedule_once(summaries_refresh, key=REFRESH_SCHEDULED_KEY, seconds=settings.SUMMARIES_DEBOUNCE_SECONDS)


def flags_refresh_schedule() -> bool:
    return task_schedule_once(flags_refresh, key=FLAGS_SCHEDULED_KEY, seconds=settings.FLAGS_DEBOUNCE_SECONDS)


def summaries_regenerate_queue() -> bool:
    """For the staff button: queue a full run (run it now without a broker). False when the queue is down."""
    return task_send(summaries_regenerate)
