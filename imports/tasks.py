"""Thin Celery tasks: load ids, call a service; safe to retry."""

from __future__ import annotations

from celery import shared_task

from imports import services  # a module reference: services queues this task, so neither reads the other at import


@shared_task(acks_late=True)
def import_run(job_id: int) -> None:
    services.import_job_run(job_id=job_id)
