"""Every way an organisation's region, legal form or fields can change (the edit form, the API, an import, a
merge, a status event) announces it after commit: scoring marks the summaries of the old and the new segments
stale and schedules a refresh, and the full downloads are marked stale and their regeneration scheduled.

Before the services announced their changes, the profile form and merges wrote with update() and .set(),
which send no post_save, and nothing was refreshed until the nightly run."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from imports.engine import run_import
from opendata import tasks as opendata_tasks
from opendata.models import ExportFile
from registry.importers import OrganisationImporter
from registry.models import YearlyReport
from scoring import services as scoring_services
from scoring import tasks as scoring_tasks
from scoring.models import StaleSegment, StaleSummary
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db
YEAR = 2023


@pytest.fixture
def org():
    """A public association in Astana working for health, with a filed report, in a computed run."""
    organisation = make_organisation(legal_form="public_association", region="KZ-71", fields=("health",))
    YearlyReport.objects.create(organisation=organisation, year=YEAR, submitted_on=datetime.date(YEAR + 1, 3, 1))
    scoring_services.summaries_regenerate()
    ExportFile.objects.create(
        kind="organisations", filename="qogam-organisations.csv", generated_at=timezone.now(), size=1, rows=1, seconds=0
    )
    return organisation


@pytest.fixture
def queue(settings):
    """A broker as in production: what is scheduled is recorded instead of sent."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with (
        mock.patch.object(scoring_tasks.summaries_refresh, "apply_async") as summaries,
        mock.patch.object(scoring_tasks.flags_refresh, "apply_async") as flags,
        mock.patch.object(opendata_tasks.exports_regenerate, "apply_async") as exports,
    ):
        yield {"summaries": summaries, "flags": flags, "exports": exports}


def assert_announced(org, queue, segments: set[str]) -> None:
    assert StaleSummary.objects.filter(organisation=org, year=YEAR).exists()
    assert segments <= set(StaleSegment.objects.values_list("segment", flat=True))
    assert ExportFile.objects.get(kind="organisations").stale_since is not None
    for task in ("summaries", "flags", "exports"):
        assert queue[task].called, task


MOVED = {"region:KZ-71", "region:KZ-75", "legal_form:public_association", "legal_form:foundation"}
MOVED |= {"field:health", "field:women"}


def test_the_moderators_edit_form(client, moderator, org, queue, django_capture_on_commit_callbacks):
    client.force_login(moderator)
    form = client.get(reverse("registry:organisation_edit", args=[org.org_id])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name != "fields"}
    data |= {"region": "KZ-75", "legal_form": "foundation", "fields": ["women"], "registered_on": "2010-05-01"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:organisation_edit", args=[org.org_id]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert_announced(org, queue, MOVED)


def test_the_api(client, moderator, org, queue, django_capture_on_commit_callbacks):
    client.force_login(moderator)
    url = reverse("api:organisation", args=[org.org_id])
    body = {"region": "KZ-75", "legal_form": "foundation", "fields": ["women"]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(url, body, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.json()
    assert_announced(org, queue, MOVED)


def test_an_import(moderator, org, queue, django_capture_on_commit_callbacks):
    header = "bin,name_kk,name_ru,name_en,legal_form,region,registered_on,status,fields,address,phone,email,website"
    row = f"{org.bin},{org.name_kk},{org.name_ru},Renamed,foundation,KZ-75,2010-05-01,active,women,,,,"
    with django_capture_on_commit_callbacks(execute=True):
        result = run_import(OrganisationImporter(), f"{header}\n{row}\n".encode(), "o.csv", acting_user=moderator)
    assert result.applied and result.updated == 1, result.problems
    assert_announced(org, queue, MOVED)


def test_a_merge(client, moderator, org, queue, django_capture_on_commit_callbacks):
    duplicate = make_organisation(legal_form="foundation", region="KZ-75", fields=("women",))
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry:organisation_merge", args=[org.org_id]),
            {"duplicate": duplicate.org_id, "reason": "the same organisation"},
        )
    assert response.status_code == 302
    assert_announced(org, queue, {"all", "region:KZ-71", "legal_form:public_association", "field:health"})
    assert {"region:KZ-75", "legal_form:foundation", "field:women"} <= set(
        StaleSegment.objects.values_list("segment", flat=True)
    )


def test_a_status_event(client, moderator, org, queue, django_capture_on_commit_callbacks):
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry:organisation_status_event", args=[org.org_id]),
            {"kind": "liquidated", "occurred_on": "2024-06-01", "legal_basis": "Court decision No. 12"},
        )
    assert response.status_code == 302
    # the active counts of every segment it is in change
    assert_announced(org, queue, {"all", "region:KZ-71", "legal_form:public_association", "field:health"})


def test_nothing_is_announced_for_a_rolled_back_change(moderator, org, queue, django_capture_on_commit_callbacks):
    header = "bin,name_kk,name_ru,name_en,legal_form,region,registered_on,status,fields,address,phone,email,website"
    row = f"{org.bin},,,Renamed,foundation,KZ-75,2010-05-01,active,women,,,,"
    with django_capture_on_commit_callbacks(execute=True):
        result = run_import(
            OrganisationImporter(), f"{header}\n{row}\n".encode(), "o.csv", acting_user=moderator, dry_run=True
        )
    assert not result.applied
    assert not StaleSummary.objects.exists() and not StaleSegment.objects.exists()
    assert ExportFile.objects.get(kind="organisations").stale_since is None
    assert not queue["summaries"].called and not queue["exports"].called


def test_with_no_services_a_field_added_through_the_api_reaches_the_summaries(
    client, moderator, django_capture_on_commit_callbacks
):
    """The embedded default (make run: no broker, tasks in-process): the next read of the summaries brings
    them up to date, so the change is there at once, Redis or worker or not."""
    orgs = [make_organisation(fields=("health",), region="KZ-71") for _ in range(12)]
    for org in orgs:
        YearlyReport.objects.create(organisation=org, year=YEAR, submitted_on=datetime.date(YEAR + 1, 3, 1))
    scoring_services.summaries_regenerate()
    women = {"segment": "field:women", "year": YEAR}
    assert client.get("/api/v1/summaries/", women).status_code == 404  # nobody works for women yet
    health = client.get("/api/v1/summaries/", {"segment": "field:health", "year": YEAR}).json()
    assert health["n_organisations"] == 12
    for org in orgs[:10]:
        client.force_login(moderator)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.patch(
                reverse("api:organisation", args=[org.org_id]),
                {"fields": ["health", "women"]},
                content_type="application/json",
                HTTP_IF_MATCH='"1"',
            )
        assert response.status_code == 200
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        body = client.get("/api/v1/summaries/", women).json()
    assert body["n_organisations"] == 10 and body["registered"] == 10 and not body["suppressed"]
    assert client.get("/api/v1/summaries/", {"segment": "field:health", "year": YEAR}).json()["n_organisations"] == 12
