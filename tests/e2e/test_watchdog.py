"""A watchdog's path in a real browser: the index dashboard, then a flag from /transparency/ to its record."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from funding.reference import split_threshold
from registry.models import YearlyReport
from scoring import services
from tests.funding.factories import make_administrator, make_award
from tests.registry.factories import make_organisation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def watched():
    admin = make_administrator(code="district")
    recipient = make_organisation(name_en="Split Works", registered_on=datetime.date(2010, 1, 1))
    threshold = split_threshold(2024)
    for k in range(3):
        make_award(
            recipient=recipient,
            administrator=admin,
            amount=str((threshold * Decimal("0.96")).quantize(Decimal(1))),
            awarded_on=datetime.date(2024, 6, 1 + 7 * k),
            title=f"Community events, part {k + 1}",
        )
    for i in range(12):
        org = make_organisation(region="KZ-71")
        YearlyReport.objects.create(
            organisation=org, year=2023, submitted_on=datetime.date(2024, 3, 1), has_board=i < 9, network_member=True
        )
    services.summaries_regenerate()


def test_from_the_dashboard_to_a_flagged_award(watched, browser_page):
    page = browser_page
    page.goto("/sector/")
    assert "Level of Organisation" in page.locator("main").inner_text()
    assert page.locator("main svg polygon").count() >= 2
    page.select_option("#segment", "region:KZ-71")
    page.click("form.search-row button[type=submit]")
    page.wait_for_url("**/sector/?*segment=region*")
    assert "75.0" in page.locator("main").inner_text()  # 9 of 12 have a board

    page.goto("/transparency/?code=threshold_splitting")
    page.locator("table.events a", has_text="Threshold splitting").first.click()
    page.wait_for_url("**/transparency/threshold_splitting/award/*/")
    assert "splitting threshold" in page.locator("main").inner_text()  # the rule, as /transparency/ words it
    page.locator("h1 a").click()
    page.wait_for_url("**/funding/awards/*/")
    assert "Worth a look" in page.locator("main").inner_text()
    page.screenshot(path="/tmp/qogam-e2e-watchdog.png", full_page=True)
