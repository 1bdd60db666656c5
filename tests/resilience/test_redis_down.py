"""Found 8 (issue 14): with Redis unreachable every HTML page failed, login included (the context processor
reads the cache); anonymous API reads failed (the throttle); an upload 500'd after 19 s and its job stayed
"queued". Redis accelerates, never gates reading: with it down, pages, sign-in and anonymous API reads work,
writes save, and what needs the queue says so plainly and leaves nothing stuck."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportJob
from registry import signin
from registry.models import Organisation
from tests.registry.test_imports import GOOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(org, award, department):
    return [
        reverse("registry:home"),
        reverse("registry:organisation_list") + "?q=trust",
        org.get_absolute_url(),
        reverse("registry:organisation_history", args=[org.org_id]),
        reverse("registry:organisation_documents", args=[org.org_id]),
        reverse("funding:explorer"),
        award.get_absolute_url(),
        reverse("funding:funder_detail", args=[department.code]),
        reverse("scoring:sector"),
        reverse("scoring:transparency"),
        reverse("scoring:methodology"),
        reverse("opendata:exports"),
        reverse("opendata:organisation_list_csv"),
        reverse("login"),
        reverse("registry:sign_up"),
        reverse("password_reset"),
    ]


def test_every_page_is_served(client, pages):
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url


def test_pages_for_signed_in_people_are_served(client, pages, owner, moderator):
    anonymous_only = {reverse("login"), reverse("registry:sign_up")}  # a signed-in person is sent on from these
    for person, extra in ((owner, []), (moderator, [reverse("imports:imports")])):
        client.force_login(person)
        for url in [*(p for p in pages if p not in anonymous_only), reverse("registry:my_organisations"), *extra]:
            assert client.get(url).status_code == 200, (person, url)


def test_sign_in_works_and_its_protection_counts_in_the_process(client, owner):
    response = client.post(reverse("login"), {"username": "owner", "password": "a long pass phrase 2026"})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    client.logout()
    for n in range(signin.ADDRESS_CAP):
        client.post(reverse("login"), {"username": f"guess{n}", "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    capped = client.post(
        reverse("login"), {"username": "owner", "password": "a long pass phrase 2026"}, REMOTE_ADDR="203.0.113.9"
    )
    assert "Too many failed sign-ins from your network" in capped.content.decode()


def test_anonymous_api_reads_work_and_are_still_throttled(client, org, settings):
    settings.API_ANONYMOUS_RATE = "3/min"
    url = "/api/v1/organisations/"
    codes = [client.get(url).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # counted in this process while the shared counters are away
    assert client.get(f"/api/v1/organisations/{org.org_id}/", REMOTE_ADDR="198.51.100.1").status_code == 200


def test_writes_save(client, org, owner):
    client.force_login(owner)
    response = client.post(
        reverse("registry:organisation_edit", args=[org.org_id]),
        {"version": 1, "phone": "+7 7172 99 99 99", "fields": ["health"]},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.phone == "+7 7172 99 99 99"


def test_an_upload_says_the_queue_is_down_and_leaves_no_job_waiting(
    client, moderator, django_capture_on_commit_callbacks
):
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):  # as the request's commit would
        response = client.post(
            reverse("imports:imports"), {"kind": "organisations", "file": SimpleUploadedFile("o.csv", GOOD.encode())}
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "failed" and "task queue was not answering" in job.failure
    assert "task queue was not answering" in client.get(response["Location"]).content.decode()
    assert not Organisation.objects.filter(bin__in=[line.split(",")[0] for line in GOOD.splitlines()[1:]]).exists()


def test_the_regenerate_buttons_say_the_queue_is_down(client, moderator):
    client.force_login(moderator)
    for url in (reverse("scoring:sector"), reverse("opendata:exports")):
        page = client.post(url, follow=True).content.decode()
        assert "task queue is not answering" in page, url
