"""Import jobs: start a dry run, apply a clean one (once), run a job, and end the ones that can not finish.

A job always ends: done, or failed with the reason in words (a task that crashed, a queue that was down, no
worker within IMPORT_QUEUED_MINUTES, a run past IMPORT_RUNNING_MINUTES, a development server that stopped
while its job ran). Nothing is written by a job that did not finish: the rows and the job's "done" are
committed together.

Where a job runs (docs/architecture.md): with a broker (REDIS_URL), in a Celery worker. Without one, Celery
runs tasks in-process, inside the request that sends them; so on the development server (`make run`: no
broker, DEBUG) the job's task runs instead in a thread of the server process, started after commit: the
upload returns at once, as it does with a worker. This is the embedded fallback for one process, not a queue:
the thread runs the same task function, ends the job as the task does, and a job whose process stopped is
ended by import_jobs_expire (IMPORTS_IN_THREAD turns it on or off; the test suite runs tasks eagerly).
"""

from __future__ import annotations

import datetime
import logging
import threading

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from api.planner import planner_statistics_refresh
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
MSG_PROCESS_ENDED = _(
    "The server process running this job stopped (a restart of the development server) before it finished, so "
    "nothing was written. Check the file again."
)
MSG_CRASHED = _(
    "The job stopped on an unexpected error (%(error)s); nothing was written. The site's administrators have the "
    "details in the log."
)


# When this process started: on the development server a job queued or running from before it has no thread.
PROCESS_STARTED = timezone.now()


def import_progress_key(job_id: int) -> str:
    return f"imports:job:{job_id}:progress"


def import_progress(job: ImportJob) -> tuple[int, int]:
    """(rows done, of total) of a running job: kept in the cache, as the job's own row is written only when it
    ends (its rows and its "done" are one transaction); (0, 0) before the first report or with the cache down."""
    return cache.get(import_progress_key(job.pk)) or (0, 0)


def import_runs_in_thread() -> bool:
    """The embedded fallback: no broker (tasks run in-process) and IMPORTS_IN_THREAD, which the development
    settings turn on and the test settings off (tests run tasks eagerly, in the request)."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER and settings.IMPORTS_IN_THREAD)


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
        kind=kind,
        options=options,
        file=file,
        encoding=encoding,
        dry_run=True,
        created_by=acting_user,
        language=translation.get_language() or "",
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
                    language=translation.get_language() or "",
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
        if import_runs_in_thread():
            import_thread_start(job.pk)
        elif not task_send(import_run, job.pk):
            _fail(job.pk, str(MSG_QUEUE_DOWN))

    transaction.on_commit(send)


def import_thread_start(job_id: int) -> threading.Thread:
    """Run the job's task in a thread of this process (the embedded fallback, see the module's docstring)."""
    thread = threading.Thread(target=_thread_run, args=(job_id,), name=f"import-job-{job_id}", daemon=True)
    thread.start()
    return thread


def _thread_run(job_id: int) -> None:
    try:
        import_run(job_id)  # the task's own function, called directly
    except Exception:  # import_job_run ends the job on any error; this is only what it could not reach
        log.exception("import job %s: its thread stopped", job_id)
        _fail(job_id, str(MSG_CRASHED % {"error": "thread"}))
    finally:
        connections.close_all()  # this thread's connections only


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
        with translation.override(job.language or settings.LANGUAGE_CODE):  # its messages and values in words
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


# Applied imports of at least this many written rows refresh the planner statistics of their table.
PLANNER_REFRESH_ROWS = 500


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
            changes=result.changes,
            finished_at=timezone.now(),
        )
        if not finished:  # ended meanwhile (import_jobs_expire): what it wrote goes too
            transaction.set_rollback(True)
    model = getattr(importer, "model", None)
    if finished and model is not None and not job.dry_run and result.created + result.updated >= PLANNER_REFRESH_ROWS:
        planner_statistics_refresh([model])  # a bulk load: fresh planner statistics for its table


def import_jobs_expire(*, now: datetime.datetime | None = None) -> int:
    """End the jobs that can no longer finish: queued past IMPORT_QUEUED_MINUTES (no worker took them) or
    running past IMPORT_RUNNING_MINUTES (a worker that died, or a run the time limit did not stop); with the
    embedded fallback, also those from before this process started (their thread went with the old process).

    Pages call this as they are shown, so it writes only when a job is to be ended: on SQLite (the development
    server) a write waits for a running import's transaction, a read does not."""
    now = now or timezone.now()
    queued, running = settings.IMPORT_QUEUED_MINUTES, settings.IMPORT_RUNNING_MINUTES
    ending = [
        (
            ImportJob.objects.filter(
                status=ImportJob.Status.QUEUED, created_at__lt=now - datetime.timedelta(minutes=queued)
            ),
            str(MSG_QUEUED_TOO_LONG % {"minutes": queued}),
        ),
        (
            ImportJob.objects.filter(
                status=ImportJob.Status.RUNNING, started_at__lt=now - datetime.timedelta(minutes=running)
            ),
            str(MSG_RAN_TOO_LONG % {"minutes": running}),
        ),
    ]
    if import_runs_in_thread():
        orphans = ImportJob.objects.filter(
            status__in=(ImportJob.Status.QUEUED, ImportJob.Status.RUNNING), created_at__lt=PROCESS_STARTED
        )
        ending.append((orphans, str(MSG_PROCESS_ENDED)))
    ended = 0
    for jobs, reason in ending:
        if jobs.exists():
            ended += jobs.update(status=ImportJob.Status.FAILED, failure=reason, finished_at=now)
    return ended
