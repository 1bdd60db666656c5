"""Thin Celery tasks: load ids, call a service; safe to retry."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def import_run(job_id: int) -> None:
    from registry.services import import_job_run

    import_job_run(job_id=job_id)
