"""The job page in Chromium: htmx polls the progress under the strict CSP, and the page shows the result
when the job ends."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client

from imports.models import ImportJob
from imports.services import import_progress_key
from tests.e2e.conftest import browser_page, chromium_path  # noqa: F401 - fixtures


def _in_a_thread(work) -> None:
    """The ORM refuses Playwright's event-loop thread: the job ends from a thread of its own, as a worker's."""

    def run() -> None:
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)


pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def signed_in_job(moderator):
    job = ImportJob.objects.create(kind="organisations", file="o.csv", created_by=moderator, status="running")
    cache.set(import_progress_key(job.pk), (300, 600), 600)
    client = Client()
    client.force_login(moderator)
    return job, client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_progress_is_polled_under_the_csp_and_the_result_shows_when_the_job_ends(
    signed_in_job,
    browser_page,  # noqa: F811
    live_server,
):
    job, session = signed_in_job
    page = browser_page
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: console.append(str(error)))
    page.goto(f"/imports/{job.pk}/")
    assert page.locator("progress").get_attribute("value") == "300"
    with page.expect_response(lambda response: response.url.endswith(f"/imports/{job.pk}/progress/")):
        pass  # htmx's first poll, two seconds in
    _in_a_thread(lambda: ImportJob.objects.filter(pk=job.pk).update(status="done", rows=2, created=2))
    page.wait_for_selector("text=2 rows: 2 new", timeout=10_000)  # HX-Refresh: the page reloads with the result
    assert page.locator("progress").count() == 0
    assert not [line for line in console if "Content Security Policy" in line or "Refused" in line], console
