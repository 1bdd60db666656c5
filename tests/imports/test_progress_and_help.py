"""The job page's progress (htmx, and a plain refresh without JavaScript) and each format's column help."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.text import capfirst

from imports.engine import IMPORT_KINDS, column_label
from imports.models import ImportJob
from imports.services import import_progress_key
from registry.models import Organisation, Region

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "signed_in_user", "owner", "officer", "moderator"]  # owner: an organisation's manager


@pytest.fixture
def running(moderator):
    job = ImportJob.objects.create(kind="organisations", file="o.csv", created_by=moderator, status="running")
    cache.set(import_progress_key(job.pk), (150, 600), 60)
    return job


@pytest.fixture
def officers_job(officer):
    return ImportJob.objects.create(
        kind="awards", options={"administrator": "department"}, file="a.csv", created_by=officer, status="running"
    )


def test_the_progress_fragment_shows_the_bar_and_keeps_polling_while_the_job_runs(client, moderator, running):
    client.force_login(moderator)
    fragment = client.get(reverse("imports:import_progress", args=[running.pk])).content.decode()
    assert '<progress id="progress" max="600" value="150">' in fragment and "25%" in fragment
    assert f'hx-get="{reverse("imports:import_progress", args=[running.pk])}"' in fragment
    assert 'hx-trigger="every 2s"' in fragment and "<html" not in fragment


def test_an_ended_job_tells_htmx_to_reload_the_page(client, moderator, running):
    ImportJob.objects.filter(pk=running.pk).update(status="done")
    client.force_login(moderator)
    response = client.get(reverse("imports:import_progress", args=[running.pk]))
    assert response["HX-Refresh"] == "true"


def test_the_job_page_polls_with_htmx_and_refreshes_itself_without_javascript(client, moderator, running):
    client.force_login(moderator)
    page = client.get(reverse("imports:import_detail", args=[running.pk])).content.decode()
    assert re.search(r'<script src="/static/vendor/htmx-2\.0\.11\.min\.js" defer></script>', page)
    assert '"includeIndicatorStyles": false' in page  # no inline style for the CSP to refuse
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert 'value="150"' in page and 'hx-trigger="every 2s"' in page


def test_a_finished_job_page_neither_polls_nor_refreshes(client, moderator, running):
    ImportJob.objects.filter(pk=running.pk).update(status="done")
    client.force_login(moderator)
    page = client.get(reverse("imports:import_detail", args=[running.pk])).content.decode()
    assert "htmx" not in page and "http-equiv" not in page and "<progress" not in page


@pytest.mark.parametrize("role", ROLES)
def test_a_jobs_progress_is_seen_only_by_those_who_may_see_the_job(
    client, request, role, running, officers_job, settings
):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    statuses = {
        job.kind: (
            client.get(reverse("imports:import_progress", args=[job.pk])).status_code,
            client.get(reverse("imports:import_detail", args=[job.pk]), {"page": 2}).status_code,
            client.post(reverse("imports:import_progress", args=[job.pk])).status_code,
        )
        for job in (running, officers_job)
    }
    mine = {"moderator": "organisations", "officer": "awards"}.get(role)
    for kind, (progress, detail, post) in statuses.items():
        assert (progress, detail) == ((200, 200) if kind == mine else (404, 404))
        assert post in (404, 405)  # the progress is read-only


@pytest.mark.parametrize("role", ROLES)
def test_the_column_help_is_public_like_the_template_file(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for code in IMPORT_KINDS:
        assert client.get(reverse("imports:import_help", args=[code])).status_code == 200
        assert client.post(reverse("imports:import_help", args=[code])).status_code == 405
    assert client.get(reverse("imports:import_help", args=["nothing"])).status_code == 404


def test_the_help_lists_every_column_of_every_format_with_its_template(client):
    for code, kind in IMPORT_KINDS.items():
        page = client.get(reverse("imports:import_help", args=[code])).content.decode()
        listed = re.findall(r'<tr id="column-([a-z_]+)">', page)
        assert listed == list(kind.importer.columns), code
        for column in kind.importer.columns:
            assert escape(capfirst(str(column_label(kind.importer, column)))) in page
        assert f'href="{reverse("opendata:import_template", args=[code])}" download' in page


def test_the_help_names_the_values_a_column_takes_and_which_columns_are_required(client):
    page = client.get(reverse("imports:import_help", args=["organisations"])).content.decode()
    bin_row = page.split('<tr id="column-bin">')[1].split("</tr>")[0]
    phone_row = page.split('<tr id="column-phone">')[1].split("</tr>")[0]
    assert "required" in bin_row and "optional" in phone_row
    region_row = page.split('<tr id="column-region">')[1].split("</tr>")[0]
    assert f"<code>KZ-71</code>: {Region.objects.get(code='KZ-71').name}" in region_row
    status_row = page.split('<tr id="column-status">')[1].split("</tr>")[0]
    assert f"<code>inactive</code>: {Organisation.Status.INACTIVE.label}" in status_row


def test_the_help_is_in_the_readers_language(client):
    client.cookies["django_language"] = "ru"
    page = client.get(reverse("imports:import_help", args=["organisations"])).content.decode()
    with translation.override("ru"):
        legal_form = str(Organisation._meta.get_field("legal_form").verbose_name)
    assert legal_form != "legal form" and capfirst(legal_form) in page


def test_the_imports_page_links_each_format_to_its_help_and_template(client, moderator):
    client.force_login(moderator)
    page = client.get(reverse("imports:imports")).content.decode()
    for code in ("organisations", "reports"):
        assert reverse("imports:import_help", args=[code]) in page
        assert reverse("opendata:import_template", args=[code]) in page
    assert reverse("imports:import_help", args=["awards"]) not in page  # not a moderator's format
