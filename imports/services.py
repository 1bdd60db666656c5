"""Import jobs: start one (a dry run, or the import confirmed from a clean dry run) and run it."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from imports.engine import IMPORT_KINDS, import_allowed, run_import
from imports.models import ImportJob
from imports.tasks import import_run

MAX_STORED_PROBLEMS = 1000
MSG_UNKNOWN_FORMAT = _("unknown format.")


def import_progress_key(job_id: int) -> str:
    return f"imports:job:{job_id}:progress"


def import_job_start(
    *, kind: str, file, acting_user, options: dict | None = None, confirms: ImportJob | None = None
) -> ImportJob:
    """Save the file and queue the run (a dry run unless it confirms one); the task starts after commit.

    The user must be allowed that format with those options now, also when confirming a dry run they or
    someone else started.
    """
    if kind not in IMPORT_KINDS:
        raise ValidationError({"kind": MSG_UNKNOWN_FORMAT})
    options = dict(confirms.options if confirms is not None else options or {})
    if not import_allowed(acting_user, kind, options):
        raise PermissionDenied
    job = ImportJob.objects.create(
        kind=kind,
        options=options,
        file=file if confirms is None else confirms.file,
        dry_run=confirms is None,
        confirms=confirms,
        created_by=acting_user,
    )
    transaction.on_commit(lambda: import_run.delay(job.pk))
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued job. Idempotent: a job that already finished is left as it is."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status == ImportJob.Status.DONE:
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    importer = IMPORT_KINDS[job.kind].build(job.options)
    with job.file.open("rb") as handle:
        data = handle.read()
    result = run_import(
        importer,
        data,
        job.file.name,
        acting_user=job.created_by,
        dry_run=job.dry_run,
        progress=lambda done, total: cache.set(import_progress_key(job.pk), (done, total), 3600),
    )
    job.status = ImportJob.Status.DONE
    job.rows, job.created, job.updated, job.unchanged = result.rows, result.created, result.updated, result.unchanged
    job.problems = [[p.row, p.column, p.message] for p in result.problems[:MAX_STORED_PROBLEMS]]
    job.problem_count = len(result.problems)
    job.finished_at = timezone.now()
    job.save()
    return job
