"""Thin Celery tasks: load ids, call a service; safe to retry."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from imports import services  # a module reference: services queues this task, so neither reads the other at import

# A run is stopped (SoftTimeLimitExceeded: the job fails, saying why) a minute before it would be killed.
RUN_LIMIT = settings.IMPORT_RUNNING_MINUTES * 60


@shared_task(acks_late=True, soft_time_limit=RUN_LIMIT - 60, time_limit=RUN_LIMIT)
def import_run(job_id: int) -> None:
    services.import_job_run(job_id=job_id)


@shared_task
def import_jobs_expire() -> int:
    return services.import_jobs_expire()
