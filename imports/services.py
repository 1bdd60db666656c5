"""Import jobs: start a dry run, apply a clean one (once), run a job, and end the ones that can not finish.

A job always ends: done, or failed with the reason in words (a task that crashed, a queue that was down, no
worker within IMPORT_QUEUED_MINUTES, a run past IMPORT_RUNNING_MINUTES). Nothing is written by a job that
did not finish: the rows and the job's "done" are committed together.
"""

from __future__ import annotations

import datetime
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.queue import task_send
from imports.engine import ENCODINGS, IMPORT_KINDS, import_allowed, run_import, size_problem
from imports.models import ImportJob
from imports.tasks import import_run
from registry.uploads import upload_too_large

MAX_STORED_PROBLEMS = 1000
log = logging.getLogger("qogam")
MSG_UNKNOWN_FORMAT = _("unknown format.")
MSG_UNKNOWN_ENCODING = _("choose one of the encodings offered.")
MSG_NOT_APPLICABLE = _("only a dry run that found no problems can be applied.")
MSG_QUEUE_DOWN = _(
    "The task queue was not answering, so the file was not read and nothing was written. Try again in a few minutes."
)
MSG_QUEUED_TOO_LONG = _(
    "No worker took this job within %(minutes)s minutes, so it was stopped before it began; nothing was written. "
    "Try again; if it happens again, tell the site's administrators (the task workers may be down)."
)
MSG_RAN_TOO_LONG = _(
    "This job ran for more than %(minutes)s minutes and was stopped; nothing was written. Split the file into "
    "smaller ones and import each."
)
MSG_CRASHED = _(
    "The job stopped on an unexpected error (%(error)s); nothing was written. The site's administrators have the "
    "details in the log."
)


def import_progress_key(job_id: int) -> str:
    return f"imports:job:{job_id}:progress"


def import_job_start(*, kind: str, file, acting_user, options: dict | None = None, encoding: str = "auto") -> ImportJob:
    """Save the file and queue its dry run; the task starts after commit. The user must be allowed the
    format with those options."""
    if kind not in IMPORT_KINDS:
        raise ValidationError({"kind": MSG_UNKNOWN_FORMAT})
    if encoding not in ENCODINGS:
        raise ValidationError({"encoding": MSG_UNKNOWN_ENCODING})
    options = dict(options or {})
    if not import_allowed(acting_user, kind, options):
        raise PermissionDenied
    if upload_too_large(file, IMPORT_KINDS[kind].max_bytes):
        raise ValidationError({"file": size_problem(file.size, IMPORT_KINDS[kind].max_bytes)})
    job = ImportJob.objects.create(
        kind=kind, options=options, file=file, encoding=encoding, dry_run=True, created_by=acting_user
    )
    _queue(job)
    return job


def import_job_apply(*, dry_run: ImportJob, acting_user) -> tuple[ImportJob, bool]:
    """Apply a clean dry run: the job that writes its rows, and whether this call made it. Idempotent: while
    one apply of this dry run is queued, running or done, every further call (a second click, a second tab)
    gets that one; after a failed apply, a new one is made. The user must be allowed the format now."""
    with transaction.atomic():
        dry = ImportJob.objects.select_for_update().get(pk=dry_run.pk)
        if not (dry.dry_run and dry.succeeded):
            raise ValidationError(MSG_NOT_APPLICABLE)
        if not import_allowed(acting_user, dry.kind, dry.options):
            raise PermissionDenied
        if live := _live_apply(dry):
            return live, False
        try:
            with transaction.atomic():
                job = ImportJob.objects.create(
                    kind=dry.kind,
                    options=dry.options,
                    file=dry.file,
                    encoding=dry.encoding,
                    dry_run=False,
                    confirms=dry,
                    created_by=acting_user,
                )
        except IntegrityError:  # another request applied it between our read and our write
            return dry.applies.exclude(status=ImportJob.Status.FAILED).get(), False
        _queue(job)
        return job, True


def _live_apply(dry: ImportJob) -> ImportJob | None:
    return dry.applies.exclude(status=ImportJob.Status.FAILED).first()


def _queue(job: ImportJob) -> None:
    """Queue the job's run once the job is committed; a queue that is down fails the job, saying so."""

    def send() -> None:
        if not task_send(import_run, job.pk):
            _fail(job.pk, str(MSG_QUEUE_DOWN))

    transaction.on_commit(send)


def _fail(job_id: int, reason: str) -> int:
    return ImportJob.objects.filter(pk=job_id, status__in=(ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)).update(
        status=ImportJob.Status.FAILED, failure=reason, finished_at=timezone.now()
    )


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued job; a job that is running, done or failed is left as it is (a redelivered task, a job
    ended by import_jobs_expire). Whatever goes wrong ends the job, failed, with the reason."""
    won = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not won:
        return job
    try:
        _run(job)
    except SoftTimeLimitExceeded:
        _fail(job.pk, str(MSG_RAN_TOO_LONG % {"minutes": settings.IMPORT_RUNNING_MINUTES}))
    except ValidationError as error:  # the format can no longer be built (an administrator's code gone)
        _fail(job.pk, " ".join(error.messages))
    except Exception as error:
        log.exception("import job %s failed", job.pk)
        _fail(job.pk, str(MSG_CRASHED % {"error": error.__class__.__name__}))
    job.refresh_from_db()
    return job


def _run(job: ImportJob) -> None:
    importer = IMPORT_KINDS[job.kind].build(job.options)
    with job.file.open("rb") as handle:
        data = handle.read()
    with transaction.atomic():
        result = run_import(
            importer,
            data,
            job.file.name,
            acting_user=job.created_by,
            dry_run=job.dry_run,
            encoding=job.encoding,
            progress=lambda done, total: cache.set(import_progress_key(job.pk), (done, total), 3600),
        )
        finished = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.DONE,
            rows=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            problems=[[p.row, p.column, p.message] for p in result.problems[:MAX_STORED_PROBLEMS]],
            problem_count=len(result.problems),
            preview=result.preview,
            finished_at=timezone.now(),
        )
        if not finished:  # ended meanwhile (import_jobs_expire): what it wrote goes too
            transaction.set_rollback(True)


def import_jobs_expire(*, now: datetime.datetime | None = None) -> int:
    """End the jobs that can no longer finish: queued past IMPORT_QUEUED_MINUTES (no worker took them) or
    running past IMPORT_RUNNING_MINUTES (a worker that died, or a run the time limit did not stop)."""
    now = now or timezone.now()
    queued, running = settings.IMPORT_QUEUED_MINUTES, settings.IMPORT_RUNNING_MINUTES
    ended = ImportJob.objects.filter(
        status=ImportJob.Status.QUEUED, created_at__lt=now - datetime.timedelta(minutes=queued)
    ).update(status=ImportJob.Status.FAILED, failure=str(MSG_QUEUED_TOO_LONG % {"minutes": queued}), finished_at=now)
    ended += ImportJob.objects.filter(
        status=ImportJob.Status.RUNNING, started_at__lt=now - datetime.timedelta(minutes=running)
    ).update(status=ImportJob.Status.FAILED, failure=str(MSG_RAN_TOO_LONG % {"minutes": running}), finished_at=now)
    return ended
