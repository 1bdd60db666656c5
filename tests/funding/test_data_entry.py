from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import Award, Payment
from tests.funding.conftest import ALLOWED, ROLES
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db


PAGES = {
    "award_new": lambda a: reverse("funding:award_new", args=["department"]),
    "payment": lambda a: reverse("funding:award_payment", args=[a.public_id]),
    "status": lambda a: reverse("funding:award_status", args=[a.public_id]),
    "amendment": lambda a: reverse("funding:award_amendment", args=[a.public_id]),
    "evaluation": lambda a: reverse("funding:award_evaluation", args=[a.public_id]),
}
VALID_POSTS = {
    "payment": {"paid_on": "2020-04-01", "amount": "100000", "kind": "advance"},
    "status": {"kind": "in_progress", "occurred_on": "2020-03-06"},
    "amendment": {"field_name": "title", "new_value": "Renamed", "reason": "Typo", "amended_on": "2020-04-01"},
    "evaluation": {"report_due_on": "2020-12-31", "evaluator": "Experts", "result": "pending"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PAGES))
def test_permission_matrix(client, request, award, role, page):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = PAGES[page](award)
    get = client.get(url)
    post = client.post(url, VALID_POSTS.get(page, {}))
    if role == "anonymous":
        assert get.status_code == post.status_code == 302 and get["Location"].startswith(reverse("login"))
    elif role in ALLOWED:
        assert get.status_code == 200
        assert post.status_code == (200 if page == "award_new" else 302)  # an empty award form is refused
    else:
        assert get.status_code == post.status_code == 403
    if role not in ALLOWED:
        award.refresh_from_db()
        assert award.title == "Project" and award.status == "contracted" and not Payment.objects.exists()


def test_an_officer_records_an_award_with_the_rules_messages_on_the_fields(client, officer, department):
    client.force_login(officer)
    url = reverse("funding:award_new", args=["department"])
    party = make_organisation(legal_form="political_party")
    data = {
        "mechanism": "social_order",
        "recipient": party.org_id,
        "title": "Voter outreach",
        "amount": "500000",
        "currency": "KZT",
        "awarded_on": "2021-03-01",
        "starts_on": "2021-03-05",
        "ends_on": "2021-11-30",
    }
    response = client.post(url, data)
    assert "only NGOs may" in " ".join(response.context["form"].errors["recipient"])
    response = client.post(url, {**data, "recipient": "KZ-BIN-000000000000"})
    assert "no organisation has the identifier" in " ".join(response.context["form"].errors["recipient"])
    ngo = make_organisation(fields=("health",))
    response = client.post(url, {**data, "recipient": ngo.org_id, "ends_on": "2024-12-31"})
    assert "at most 36 months" in " ".join(response.context["form"].errors["ends_on"])
    assert not Award.objects.filter(title="Voter outreach").exists()
    response = client.post(url, {**data, "recipient": ngo.org_id})
    award = Award.objects.get(title="Voter outreach")
    assert response["Location"] == award.get_absolute_url()
    assert award.administrator == department and award.amount == Decimal("500000")


def test_an_overpayment_is_refused_on_the_amount_field(client, officer, award):
    client.force_login(officer)
    url = reverse("funding:award_payment", args=[award.public_id])
    response = client.post(url, {"paid_on": "2020-04-01", "amount": "1000000.01", "kind": "final"})
    assert "more than the award" in " ".join(response.context["form"].errors["amount"])
    assert not Payment.objects.exists()


def test_entry_links_show_only_to_those_who_may_use_them(client, officer, other_officer, award):
    client.force_login(other_officer)
    assert "Record a payment" not in client.get(award.get_absolute_url()).content.decode()
    client.force_login(officer)
    assert "Record a payment" in client.get(award.get_absolute_url()).content.decode()
    assert "Record an award" in client.get(reverse("funding:funder_detail", args=["department"])).content.decode()


def test_unknown_award_or_funder_is_404(client, officer):
    client.force_login(officer)
    assert client.get(reverse("funding:award_new", args=["nobody"])).status_code == 404
    assert client.get(reverse("funding:award_payment", args=["NOPE"])).status_code == 404


@pytest.fixture
def competition(department):
    from tests.funding.factories import make_competition

    competition, _ = make_competition(department)
    return competition


PLANNING_PAGES = {
    "programme_new": (
        lambda c: reverse("funding:programme_new", args=["department"]),
        {"year": "2022", "mechanism": "social_order", "field": "health", "title": "Health 2022", "budget": "90000000"},
    ),
    "competition_new": (
        lambda c: reverse("funding:competition_new", args=["department"]),
        {
            "mechanism": "social_order",
            "reference": "SO-2022-1",
            "title": "Health services",
            "announced_on": "2022-02-01",
            "deadline_on": "2022-02-21",
            "decided_on": "2022-03-01",
        },
    ),
    "lot_new": (
        lambda c: reverse("funding:lot_new", args=[c.public_id]),
        {"number": "5", "title": "Rural clinics", "planned_amount": "12000000", "field": "health"},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PLANNING_PAGES))
def test_planning_pages_permission_matrix(client, request, competition, role, page):
    from funding.models import Competition, Lot, Programme

    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url, data = PLANNING_PAGES[page]
    before = (Programme.objects.count(), Competition.objects.count(), Lot.objects.count())
    response = client.post(url(competition), data)
    after = (Programme.objects.count(), Competition.objects.count(), Lot.objects.count())
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif role in ALLOWED:
        assert response.status_code == 302 and sum(after) == sum(before) + 1
    else:
        assert response.status_code == 403
    if role not in ALLOWED:
        assert after == before


def test_applications_are_recorded_with_the_rules_on_their_fields(client, officer, competition):
    from funding.models import Application

    client.force_login(officer)
    lot = competition.lots.get()
    applicant = make_organisation()
    url = reverse("funding:application_new", args=[competition.public_id])
    response = client.post(url, {"lot": lot.pk, "applicant": applicant.org_id, "outcome": "rejected"})
    assert "rejection_reason" in response.context["form"].errors
    response = client.post(url, {"lot": lot.pk, "applicant": "KZ-BIN-000000000000", "outcome": "lost"})
    assert "applicant" in response.context["form"].errors
    client.post(
        url,
        {
            "lot": lot.pk,
            "applicant": applicant.org_id,
            "outcome": "rejected",
            "rejection_reason": "documents incomplete",
        },
    )
    assert Application.objects.get().rejection_reason == "documents incomplete"
