"""Officers import their administrator's awards on the imports page: dry run, apply, and who may do what."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding.models import Award
from imports import services as import_services
from imports.models import ImportJob
from tests.funding.conftest import ALLOWED, ROLES
from tests.funding.test_imports import HEADER
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def awards_file(department):
    ngo = make_organisation(fields=("children_youth",), registered_on=datetime.date(2010, 5, 1))
    line = f"A-1,state_grant,department,{ngo.bin},Youth centres,,children_youth,KZ-55,2500000,KZT,2021-03-01,,,,,,"
    return f"{HEADER}\n{line}\n"


def upload(client, text: str, administrator: str = "department"):
    data = {"kind": "awards", "administrator": administrator, "file": SimpleUploadedFile("a.csv", text.encode())}
    return client.post(reverse("imports:imports"), data)


def test_an_officer_checks_then_applies_an_awards_file(
    client, officer, awards_file, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    page = client.get(reverse("imports:imports")).content.decode()
    assert 'value="awards"' in page and 'value="organisations"' not in page  # only their own format
    assert 'value="department"' in page and 'value="elsewhere"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, awards_file)
    dry = ImportJob.objects.get()
    assert dry.options == {"administrator": "department"} and dry.succeeded and dry.created == 1
    assert not Award.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"])
    award = Award.objects.get()
    assert award.administrator.code == "department" and award.title == "Youth centres"
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, awards_file)  # the same file again: a dry run that would change nothing
    assert ImportJob.objects.order_by("-pk").first().unchanged == 1 and Award.objects.count() == 1


def test_the_administrator_is_required_for_awards(client, officer, awards_file):
    client.force_login(officer)
    response = upload(client, awards_file, administrator="")
    assert "choose one for this format" in " ".join(response.context["form"].errors["administrator"])
    assert not ImportJob.objects.exists()


def test_an_officer_can_not_import_for_another_administrator(client, other_officer, awards_file):
    client.force_login(other_officer)
    response = upload(client, awards_file, administrator="department")
    assert response.status_code == 200 and "administrator" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_rows_for_another_administrator_are_reported_on_their_column(
    client, officer, awards_file, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, awards_file.replace(",department,", ",akimat,"))
    job = ImportJob.objects.get()
    assert job.problems[0][:2] == [2, "administrator"] and not Award.objects.exists()


def test_departments_are_offered_to_an_officer_granted_them(client, akimat_officer_with_departments, department):
    client.force_login(akimat_officer_with_departments)
    page = client.get(reverse("imports:imports")).content.decode()
    assert 'value="akimat"' in page and 'value="department"' in page


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_an_awards_import(
    client, request, role, officer, awards_file, django_capture_on_commit_callbacks
):
    """Every role: see the officer's dry run, start one, apply it. Only the department's officers may."""
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, awards_file)
    dry = ImportJob.objects.get()
    client.logout()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    awards_before = Award.objects.count()  # the CSO manager's persona brings an award of its own
    detail = reverse("imports:import_detail", args=[dry.pk])
    with django_capture_on_commit_callbacks(execute=True):
        seen, started, applied = client.get(detail), upload(client, awards_file), client.post(detail)
    if role in ALLOWED:
        assert seen.status_code == 200 and started.status_code == applied.status_code == 302
        assert Award.objects.count() == awards_before + 1
        return
    assert seen.status_code == applied.status_code == 404  # another administrator's import is not revealed
    assert started.status_code in (200, 404)  # a form error (not their administrator) or no imports page
    assert ImportJob.objects.count() == 1 and Award.objects.count() == awards_before


def test_an_officer_does_not_see_registry_imports(client, officer, moderator, django_capture_on_commit_callbacks):
    from tests.registry.test_imports import GOOD

    with django_capture_on_commit_callbacks(execute=True):
        job = import_services.import_job_start(
            kind="organisations", acting_user=moderator, file=SimpleUploadedFile("o.csv", GOOD.encode())
        )
    client.force_login(officer)
    assert client.get(reverse("imports:import_detail", args=[job.pk])).status_code == 404
    response = client.post(
        reverse("imports:imports"), {"kind": "organisations", "file": SimpleUploadedFile("o.csv", GOOD.encode())}
    )
    assert "kind" in response.context["form"].errors and ImportJob.objects.count() == 1


def test_the_awards_template_has_the_exact_columns(client):
    response = client.get(reverse("opendata:import_template", args=["awards"]))
    assert b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0] == HEADER
