from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports import services as import_services
from imports.models import ImportJob
from registry.models import Organisation
from tests.registry.test_imports import GOOD

pytestmark = pytest.mark.django_db


def upload(client, text: str, name: str = "orgs.csv"):
    return client.post(
        reverse("imports:imports"),
        {"kind": "organisations", "file": SimpleUploadedFile(name, text.encode(), "text/csv")},
    )


def test_check_then_apply_once(client, moderator, django_capture_on_commit_callbacks):
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, GOOD)
    dry = ImportJob.objects.get()
    assert response["Location"] == reverse("imports:import_detail", args=[dry.pk])
    assert dry.dry_run and dry.succeeded and dry.created == 2 and not Organisation.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "2 rows: 2 new" in page and "Apply: write these rows" in page
    with django_capture_on_commit_callbacks(execute=True):
        applied = client.post(response["Location"])
    job = ImportJob.objects.get(confirms=dry)
    assert applied["Location"] == reverse("imports:import_detail", args=[job.pk])
    assert not job.dry_run and job.created == 2 and Organisation.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:import_detail", args=[dry.pk]))  # a second apply is refused
    assert ImportJob.objects.count() == 2


def test_problems_are_listed_by_row_and_column_and_can_not_be_applied(
    client, moderator, django_capture_on_commit_callbacks
):
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, GOOD.replace("KZ-71", "KZ-99"))
    job = ImportJob.objects.get()
    assert job.problem_count == 1 and job.problems[0][:2] == [3, "region"]
    page = client.get(reverse("imports:import_detail", args=[job.pk])).content.decode()
    assert "nothing was written" in page and "Apply" not in page
    client.post(reverse("imports:import_detail", args=[job.pk]))
    assert ImportJob.objects.count() == 1 and not Organisation.objects.exists()


def test_only_csv_and_xlsx_files_are_accepted(client, moderator):
    client.force_login(moderator)
    response = upload(client, GOOD, "orgs.txt")
    assert ".csv or .xlsx" in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


def test_running_a_finished_job_again_changes_nothing(moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dry = import_services.import_job_start(
            kind="organisations", acting_user=moderator, file=SimpleUploadedFile("o.csv", GOOD.encode())
        )
    with django_capture_on_commit_callbacks(execute=True):
        job, _new = import_services.import_job_apply(dry_run=dry, acting_user=moderator)
    import_services.import_job_run(job_id=job.pk)
    assert Organisation.objects.count() == 2


@pytest.mark.parametrize("role", ["anonymous", "signed_in_user", "owner"])
def test_imports_are_not_revealed_to_others(client, request, role, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_services.import_job_start(
            kind="organisations", acting_user=moderator, file=SimpleUploadedFile("o.csv", GOOD.encode())
        )
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    before = Organisation.objects.count()
    assert client.get(reverse("imports:imports")).status_code == 404
    assert upload(client, GOOD).status_code == 404
    assert client.get(reverse("imports:import_detail", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:import_detail", args=[job.pk])).status_code == 404
    assert ImportJob.objects.count() == 1 and Organisation.objects.count() == before
