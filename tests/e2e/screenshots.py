"""`make screenshots`: the ten main pages at 390 px in Kazakh, written to docs/screenshots/ (issue 16).

Not part of `make test` (pytest collects test_*.py only); run by name, it seeds the same small demo as the
browser test, serves it, and photographs each page's first screen as a phone shows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.e2e.conftest import CHROMIUM_ARGS
from tests.e2e.test_every_page import _empty

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}


def _main_pages() -> list[tuple[str, str]]:
    from funding.models import Award

    award = Award.objects.filter(lot__isnull=False).select_related("recipient", "administrator", "lot").first()
    org = award.recipient.org_id
    return [
        ("01-home", "/"),
        ("02-directory", "/organisations/"),
        ("03-profile", f"/organisations/{org}/"),
        ("04-profile-funding", f"/organisations/{org}/funding/"),
        ("05-funding", "/funding/"),
        ("06-funder", f"/funders/{award.administrator.code}/"),
        ("07-award", f"/funding/awards/{award.public_id}/"),
        ("08-civil-society-index", "/sector/"),
        ("09-transparency", "/transparency/"),
        ("10-exports", "/exports/"),
    ]


@pytest.fixture(scope="module")
def written(django_db_setup, django_db_blocker, chromium_path) -> list[str]:
    """Seed and photograph in a module fixture: committed before the test's own transaction, so the server sees it."""
    from django.conf import settings
    from django.core.cache import caches
    from playwright.sync_api import sync_playwright
    from pytest_django.live_server_helper import LiveServer

    from registry.selectors import reference_data_clear
    from scoring.services import summaries_regenerate

    OUT.mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock():
        call_command("seed_demo", orgs=300, seed=16, verbosity=0)
        summaries_regenerate()
        pages = _main_pages()
        for alias in settings.CACHES:
            caches[alias].clear()
        reference_data_clear()
        server = LiveServer("localhost")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
                context = browser.new_context(base_url=server.url, viewport=PHONE, device_scale_factor=1)
                context.add_cookies([{"name": "django_language", "value": "kk", "url": server.url}])
                page = context.new_page()
                for name, path in pages:
                    response = page.goto(path)
                    assert response.status == 200, (path, response.status)
                    page.screenshot(path=str(OUT / f"{name}.png"))
                browser.close()
        finally:
            server.stop()
            _empty()
    return [name for name, _path in pages]


def test_the_ten_main_pages_are_photographed(written):
    assert sorted(p.stem for p in OUT.glob("*.png")) == sorted(written)
