"""A dry run lists what each row will change: a new record, or each field's old and new value, in words."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from funding.importers import AwardImporter
from imports import services as import_services
from imports.engine import run_import
from imports.models import ImportJob
from registry.importers import OrganisationImporter
from registry.models import Region
from tests.funding.factories import clerk
from tests.funding.test_imports import run as run_awards
from tests.funding.test_imports import setting  # noqa: F401 - a fixture
from tests.registry.factories import make_bin
from tests.registry.test_imports import BIN_A, BIN_B, GOOD, HEADER

pytestmark = pytest.mark.django_db


def dry_run(moderator, text: str, capture) -> ImportJob:
    with capture(execute=True):
        job = import_services.import_job_start(
            kind="organisations", acting_user=moderator, file=SimpleUploadedFile("o.csv", text.encode())
        )
    job.refresh_from_db()
    return job


def organisations(moderator) -> None:
    run_import(OrganisationImporter(), GOOD.encode(), "o.csv", acting_user=moderator)


def new_rows(count: int) -> str:
    lines = [f"{make_bin(datetime.date(2015, 1, 1))},,ОО «Ряд {n}»,,public_association,,,,,,,," for n in range(count)]
    return "\n".join(lines)


def test_a_changed_field_shows_its_old_and_new_value_and_a_new_row_shows_new(
    client, moderator, django_capture_on_commit_callbacks
):
    organisations(moderator)
    changed = GOOD.replace("+7 7182 11 22 33", "+7 7182 99 99 99").replace(",KZ-55,", ",KZ-71,")
    job = dry_run(moderator, f"{changed}{new_rows(1)}\n", django_capture_on_commit_callbacks)
    assert (job.created, job.updated, job.unchanged) == (1, 1, 1)
    client.force_login(moderator)
    page = client.get(reverse("imports:import_detail", args=[job.pk])).content.decode()
    pavlodar, astana = Region.objects.get(code="KZ-55").name, Region.objects.get(code="KZ-71").name
    assert "<del>+7 7182 11 22 33</del> → <ins>+7 7182 99 99 99</ins>" in page
    assert f"<del>{pavlodar}</del> → <ins>{astana}</ins>" in page  # names, not codes
    assert "Region</span>" in page and "Phone</span>" in page  # the columns' labels
    assert page.count("<strong>new record</strong>") == 1 and BIN_A in page
    assert "1 row changes nothing and is not listed." in page


def test_the_changes_are_stored_with_the_job_and_the_apply_writes_them(moderator, django_capture_on_commit_callbacks):
    organisations(moderator)
    job = dry_run(moderator, GOOD.replace("community", "community;health"), django_capture_on_commit_callbacks)
    [(row, title, changes)] = job.changes
    assert (row, title) == (3, BIN_B) and changes[0][0] == "fields"
    assert changes[0][1].count(";") == 0 and changes[0][2].count(";") == 1  # labels of one field, then two
    with django_capture_on_commit_callbacks(execute=True):
        applied, _new = import_services.import_job_apply(dry_run=job, acting_user=moderator)
    applied.refresh_from_db()
    assert applied.status == "done" and applied.changes == job.changes


def test_values_are_in_the_language_of_the_person_who_started_the_job(moderator, django_capture_on_commit_callbacks):
    organisations(moderator)
    with translation.override("ru"):
        job = dry_run(moderator, GOOD.replace(",KZ-55,", ",KZ-71,"), django_capture_on_commit_callbacks)
        astana = Region.objects.get(code="KZ-71").name
    assert job.language == "ru" and job.changes[0][2][0][2] == astana != Region.objects.get(code="KZ-71").name


def test_an_award_amendment_shows_the_amounts_in_words(setting):  # noqa: F811
    run_awards(setting["text"])
    result = run_import(
        AwardImporter("akimat"),
        setting["text"].replace("4500000", "4800000").encode(),
        "a.csv",
        acting_user=clerk(),
        dry_run=True,
    )
    assert result.changes == [[2, "SO-1", [["amount", "4,500,000.00", "4,800,000.00"]]]]


def test_the_changes_are_paged_fifty_rows_a_page(client, moderator, django_capture_on_commit_callbacks):
    job = dry_run(moderator, f"{HEADER}\n{new_rows(120)}\n", django_capture_on_commit_callbacks)
    assert job.created == 120 and len(job.changes) == 120
    client.force_login(moderator)
    url = reverse("imports:import_detail", args=[job.pk])
    first, last = client.get(url).content.decode(), client.get(f"{url}?page=3").content.decode()
    assert first.count("<strong>new record</strong>") == 50 and "page 1 of 3" in first and "?page=2#changes" in first
    assert last.count("<strong>new record</strong>") == 20 and "page 3 of 3" in last
    assert ">2<" in first and ">102<" in last  # the rows' own numbers in the file (the header is row 1)


def test_the_job_page_makes_as_many_queries_whatever_the_number_of_rows(
    client, moderator, django_capture_on_commit_callbacks
):
    small = dry_run(moderator, f"{HEADER}\n{new_rows(3)}\n", django_capture_on_commit_callbacks)
    large = dry_run(moderator, f"{HEADER}\n{new_rows(150)}\n", django_capture_on_commit_callbacks)
    client.force_login(moderator)
    client.get(reverse("imports:import_detail", args=[small.pk]))  # what a first request caches (reference data)
    counts = []
    for job in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("imports:import_detail", args=[job.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12
