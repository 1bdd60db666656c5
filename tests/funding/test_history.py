"""Who did it: every funding write names its author and leaves a history row (who, for which administrator,
when, old -> new), public on the award's and the competition's pages, as the organisation's History tab is."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding import services
from funding.models import Award, FundingChange
from tests.funding.factories import make_competition
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db


def history(client, url: str) -> str:
    page = client.get(url).content.decode()
    return page[page.index('id="history"') :]


def test_an_officers_award_payment_and_amendment_are_in_the_awards_history(client, officer, department):
    officer.first_name, officer.last_name = "Aigerim", "Sadykova"
    officer.save()
    client.force_login(officer)
    ngo = make_organisation(fields=("health",), name_en="Clinic Friends")
    client.post(
        reverse("funding:award_new", args=["department"]),
        {
            "mechanism": "social_order",
            "recipient": ngo.org_id,
            "title": "Rural clinics",
            "amount": "500000",
            "currency": "KZT",
            "awarded_on": "2021-03-01",
            "starts_on": "2021-03-05",
            "ends_on": "2021-11-30",
            "field": "health",
        },
    )
    award = Award.objects.get(title="Rural clinics")
    client.post(
        reverse("funding:award_payment", args=[award.public_id]),
        {"paid_on": "2021-04-01", "amount": "200000", "kind": "advance"},
    )
    client.post(
        reverse("funding:award_amendment", args=[award.public_id]),
        {"field_name": "amount", "new_value": "450000", "reason": "scope reduced", "amended_on": "2021-05-01"},
    )
    rows = FundingChange.objects.filter(award=award)
    assert {row.record for row in rows} == {"award", "payment", "amendment"}
    assert all(
        row.user == officer and row.source == "officer" and row.on_behalf_of.code == "department" for row in rows
    )
    amendment = rows.get(record="amendment")
    assert (amendment.field, amendment.old_value, amendment.new_value) == ("amount", "500000.00", "450000")
    client.logout()
    page = history(client, award.get_absolute_url())  # public
    assert "Aigerim Sadykova" in page and f"an officer of {department.name}" in page
    assert "500000.00" in page and "450000" in page and "Health" in page and "state social order" in page
    assert ngo.org_id in page  # the recipient by its identifier


def test_an_import_is_credited_to_the_import_and_the_person(client, department, officer):
    from funding.importers import AwardImporter
    from imports.engine import run_import
    from tests.funding.test_imports import HEADER

    ngo = make_organisation(fields=("children_youth",), registered_on=datetime.date(2010, 5, 1))
    line = f"A-1,state_grant,department,{ngo.bin},Youth centres,,children_youth,KZ-55,2500000,KZT,2021-03-01,,,,,,"
    result = run_import(AwardImporter("department"), f"{HEADER}\n{line}\n".encode(), "a.csv", acting_user=officer)
    assert result.applied
    rows = FundingChange.objects.filter(award__reference="A-1")
    assert rows.exists() and {row.source for row in rows} == {"import"} and {row.user for row in rows} == {officer}


def test_a_competitions_page_shows_its_lots_applicants_winners_and_history(client, department, officer):
    competition, (lot,) = make_competition(department)
    applicant = make_organisation(name_en="Hopeful")
    services.application_create(
        lot=lot, applicant=applicant, outcome="rejected", rejection_reason="late", acting_user=officer
    )
    page = client.get(competition.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hopeful" in html and "late" in html and lot.title in html
    assert "an officer of" in history(client, competition.get_absolute_url())


def test_the_history_costs_a_constant_number_of_queries(client, award, officer):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(award.get_absolute_url()).status_code == 200
        return len(queries)

    count()
    few = count()
    for n in range(6):
        services.payment_create(
            award=award,
            paid_on=datetime.date(2020, 4, 1 + n),
            amount=Decimal("1000"),
            kind="interim",
            acting_user=officer,
        )
    assert count() == few


def test_funding_records_are_read_only_in_the_django_admin(admin_client_logged_in, award):
    """Corrections go through the entry pages, so no write escapes the history."""
    assert admin_client_logged_in.get(reverse("admin:funding_award_change", args=[award.pk])).status_code == 200
    response = admin_client_logged_in.post(reverse("admin:funding_award_change", args=[award.pk]), {"title": "X"})
    assert response.status_code == 403
    assert admin_client_logged_in.get(reverse("admin:funding_award_add")).status_code == 403


def test_an_unknown_competition_is_404(client):
    assert client.get(reverse("funding:competition_detail", args=["NOSUCH00"])).status_code == 404
