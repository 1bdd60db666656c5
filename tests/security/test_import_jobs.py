"""Found 7 (issue 14): a failing import task left its job "running" forever; two simultaneous Apply clicks gave
a 500 (IntegrityError). Now every job ends, failed with its reason when it must, and Apply is idempotent."""

from __future__ import annotations

import datetime
import threading
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from imports import services
from imports.models import ImportJob
from registry.models import Organisation
from tests.registry.test_imports import GOOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def dry(moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_start(
            kind="organisations", acting_user=moderator, file=SimpleUploadedFile("o.csv", GOOD.encode())
        )
    job.refresh_from_db()
    assert job.succeeded
    return job


def test_a_task_that_crashes_fails_its_job_with_the_reason_shown(
    client, moderator, dry, django_capture_on_commit_callbacks
):
    with (
        mock.patch("imports.services.run_import", side_effect=MemoryError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job, _new = services.import_job_apply(dry_run=dry, acting_user=moderator)
    job.refresh_from_db()
    assert job.status == "failed" and "unexpected error (MemoryError)" in job.failure and job.finished_at
    client.force_login(moderator)
    page = client.get(reverse("imports:import_detail", args=[job.pk])).content.decode()
    assert "unexpected error (MemoryError); nothing was written" in page and 'http-equiv="refresh"' not in page
    assert not Organisation.objects.exists()


def test_an_unknown_administrator_fails_the_job_with_the_formats_own_words(moderator, dry):
    ImportJob.objects.filter(pk=dry.pk).update(kind="awards", options={"administrator": "gone"}, status="queued")
    job = services.import_job_run(job_id=dry.pk)
    assert job.status == "failed" and "no administrator has the code “gone”" in job.failure


def test_with_the_queue_down_the_upload_says_so_and_leaves_nothing_queued(
    client, moderator, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client.force_login(moderator)
    with (
        mock.patch("imports.tasks.import_run.apply_async", side_effect=OperationalError("Connection refused")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("imports:imports"), {"kind": "organisations", "file": SimpleUploadedFile("o.csv", GOOD.encode())}
        )
    job = ImportJob.objects.get()
    assert job.status == "failed" and "task queue was not answering" in job.failure
    assert "task queue was not answering" in client.get(response["Location"]).content.decode()


def test_a_job_no_worker_takes_is_ended_and_the_person_told(
    client, moderator, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch("imports.tasks.import_run.apply_async"), django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_start(
            kind="organisations", acting_user=moderator, file=SimpleUploadedFile("o.csv", GOOD.encode())
        )
    client.force_login(moderator)
    url = reverse("imports:import_detail", args=[job.pk])
    assert "waiting for a worker" in client.get(url).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=16))
    page = client.get(url).content.decode()
    job.refresh_from_db()
    assert job.status == "failed" and "No worker took this job within 15 minutes" in page
    assert services.import_job_run(job_id=job.pk).status == "failed"  # a worker coming late does nothing


def test_a_run_past_its_time_is_ended_and_what_it_wrote_goes_too(moderator, dry):
    job, _new = services.import_job_apply(dry_run=dry, acting_user=moderator)
    real_run_import = services.run_import

    def slow(*args, **kwargs):
        result = real_run_import(*args, **kwargs)  # the rows are written …
        later = timezone.now() + datetime.timedelta(minutes=61)
        assert services.import_jobs_expire(now=later) == 1  # … and the job is ended before it finishes
        return result

    with mock.patch("imports.services.run_import", side_effect=slow):
        services.import_job_run(job_id=job.pk)
    assert not Organisation.objects.exists()
    # Here the ending shared the run's transaction and went back with it; from another process it stays, and
    # the next sweep ends the job in any case.
    services.import_jobs_expire(now=timezone.now() + datetime.timedelta(minutes=61))
    job.refresh_from_db()
    assert job.status == "failed" and "more than 60 minutes" in job.failure


def test_the_time_limit_stops_a_run_and_says_why(moderator, dry):
    from celery.exceptions import SoftTimeLimitExceeded

    job, _new = services.import_job_apply(dry_run=dry, acting_user=moderator)
    with mock.patch("imports.services.run_import", side_effect=SoftTimeLimitExceeded):
        job = services.import_job_run(job_id=job.pk)
    assert job.status == "failed" and "Split the file" in job.failure


def test_a_second_apply_shows_the_first_ones_result(client, moderator, dry, django_capture_on_commit_callbacks):
    client.force_login(moderator)
    url = reverse("imports:import_detail", args=[dry.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
        second = client.post(url, follow=True)
    applied = ImportJob.objects.get(confirms=dry)
    assert first["Location"] == second.redirect_chain[0][0] == reverse("imports:import_detail", args=[applied.pk])
    assert "applied already, as import #" in second.content.decode()
    assert Organisation.objects.count() == 2


def test_after_a_failed_apply_it_can_be_applied_again(moderator, dry, django_capture_on_commit_callbacks):
    with (
        mock.patch("imports.services.run_import", side_effect=RuntimeError),
        django_capture_on_commit_callbacks(execute=True),
    ):
        failed, _new = services.import_job_apply(dry_run=dry, acting_user=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        again, new = services.import_job_apply(dry_run=dry, acting_user=moderator)
    assert new and again.pk != failed.pk
    again.refresh_from_db()
    assert again.status == "done" and Organisation.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_applies_make_one_job_and_no_error(moderator, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch("imports.tasks.import_run.apply_async"):
        dry = services.import_job_start(
            kind="organisations", acting_user=moderator, file=SimpleUploadedFile("o.csv", GOOD.encode())
        )
        services.import_job_run(job_id=dry.pk)
        barrier, results, errors = threading.Barrier(4), [], []

        def click():
            try:
                barrier.wait()
                results.append(services.import_job_apply(dry_run=dry, acting_user=moderator)[0].pk)
            except Exception as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=click) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors and len(set(results)) == 1 and ImportJob.objects.filter(confirms=dry).count() == 1
