"""An upload returns at once: with a broker the worker runs the check; without one, on the development server,
a thread of the server runs the same task. Either way a job always ends (issue 14)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from imports import services as import_services
from imports import tasks
from imports.models import ImportJob
from registry.models import Organisation
from tests.registry.test_imports import GOOD


def upload(client):
    return client.post(
        reverse("imports:imports"),
        {"kind": "organisations", "file": SimpleUploadedFile("orgs.csv", GOOD.encode(), "text/csv")},
    )


@pytest.mark.django_db
def test_with_a_broker_the_upload_returns_to_its_queued_job_before_any_row_is_read(
    client, moderator, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr(import_services, "task_send", lambda task, *args: sent.append((task, args)) or True)
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:import_detail", args=[job.pk])
    assert sent == [(tasks.import_run, (job.pk,))]
    assert job.status == "queued" and job.rows == 0 and job.preview == {} and job.started_at is None
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and "waiting for a worker" in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the thread reads the job the request committed
def test_without_a_broker_the_dev_server_checks_the_file_in_a_thread_after_the_response(
    client, moderator, settings, monkeypatch
):
    settings.IMPORTS_IN_THREAD = True
    assert settings.CELERY_TASK_ALWAYS_EAGER  # no broker: Celery would run the task inside the request
    gate = threading.Event()
    task = import_services.import_run

    def held_task(job_id: int) -> None:
        assert gate.wait(30)
        task(job_id)

    monkeypatch.setattr(import_services, "import_run", held_task)
    client.force_login(moderator)
    response = upload(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "queued" and job.rows == 0  # returned before the check
    gate.set()
    _join(job)
    job.refresh_from_db()
    assert job.status == "done" and job.dry_run and job.created == 2 and not job.problems
    assert not Organisation.objects.exists()  # a dry run


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_whose_thread_crashes_ends_failed_saying_why(client, moderator, settings, monkeypatch):
    settings.IMPORTS_IN_THREAD = True

    def broken(job):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(import_services, "_run", broken)
    client.force_login(moderator)
    upload(client)
    job = ImportJob.objects.get()
    _join(job)
    job.refresh_from_db()
    assert job.status == "failed" and "unexpected error (RuntimeError)" in job.failure and job.finished_at


def _join(job: ImportJob) -> None:
    for thread in threading.enumerate():
        if thread.name == f"import-job-{job.pk}":
            thread.join(60)
            assert not thread.is_alive()


@pytest.mark.django_db
@pytest.mark.parametrize("in_thread", [True, False])
def test_jobs_from_before_the_dev_server_restarted_are_ended(moderator, settings, monkeypatch, in_thread):
    """On the development server a job's thread dies with its process; a Celery worker's job is its own."""
    settings.IMPORTS_IN_THREAD = in_thread
    now = timezone.now()
    running = ImportJob.objects.create(kind="organisations", file="x.csv", created_by=moderator, status="running")
    ImportJob.objects.filter(pk=running.pk).update(started_at=now)
    monkeypatch.setattr(import_services, "PROCESS_STARTED", now + datetime.timedelta(seconds=1))
    assert import_services.import_jobs_expire(now=now) == (1 if in_thread else 0)
    running.refresh_from_db()
    if in_thread:
        assert running.status == "failed" and running.failure == str(import_services.MSG_PROCESS_ENDED)
    else:
        assert running.status == "running"


@pytest.mark.django_db
def test_ending_jobs_writes_nothing_when_no_job_is_to_end(moderator):
    """Pages call it while an import runs; on SQLite a write would wait for that import's transaction."""
    ImportJob.objects.create(kind="organisations", file="x.csv", created_by=moderator, status="running")
    with CaptureQueriesContext(connection) as queries:
        assert import_services.import_jobs_expire() == 0
    assert queries and not [q for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
