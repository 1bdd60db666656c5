"""API v1, funding side: administrators, competitions, awards (read); officers' entry (write)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding import services
from funding.models import Award, Evaluation, Payment
from tests.funding.conftest import ALLOWED, ROLES
from tests.funding.factories import clerk, make_administrator, make_award, make_competition
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db
AWARDS = "/api/v1/awards/"


def ids(response) -> list[str]:
    return [row["id"] for row in response.json()["results"]]


def test_awards_have_amounts_as_strings_and_labels_beside_codes(client, award):
    row = client.get(AWARDS).json()["results"][0]
    assert row["id"] == award.public_id and row["amount"] == "1000000.00"
    assert row["mechanism"] == {"code": "social_order", "label": "state social order"}
    assert row["administrator"] == "department" and row["recipient"]["org_id"] == award.recipient.org_id


def test_the_explorers_filters_apply(client, akimat, department):
    small = make_award(administrator=department, amount="500000", mechanism="state_grant")
    big = make_award(
        administrator=make_administrator(code="other"), amount="9000000", awarded_on=datetime.date(2022, 5, 1)
    )
    assert ids(client.get(AWARDS, {"mechanism": "state_grant"})) == [small.public_id]
    assert ids(client.get(AWARDS, {"administrator": "akimat"})) == [small.public_id]  # and its departments
    assert ids(client.get(AWARDS, {"amount_min": "1000000"})) == [big.public_id]
    assert ids(client.get(AWARDS, {"year_from": 2021})) == [big.public_id]
    assert ids(client.get(AWARDS, {"recipient": big.recipient.org_id})) == [big.public_id]
    assert ids(client.get(AWARDS)) == [big.public_id, small.public_id]  # newest first


@pytest.mark.parametrize("query", ["year_from=abc", "amount_min=-5", "active_from=31.02", "mechanism=grant"])
def test_a_malformed_filter_is_a_400(client, query):
    response = client.get(f"{AWARDS}?{query}")
    assert response.status_code == 400 and response.json()["errors"]


@pytest.mark.parametrize("query", ["recipient=KZ-BIN-000000000000", "administrator=nobody", "recipient="])
def test_an_identifier_that_names_no_record_finds_no_award(client, department, query):
    make_award(administrator=department)
    response = client.get(f"{AWARDS}?{query}")
    assert response.status_code == 200
    assert response.json()["results"] == ([] if query != "recipient=" else response.json()["results"])
    if query == "recipient=":  # an empty value is the parameter left out
        assert len(response.json()["results"]) == 1


def test_the_award_page_has_its_money_trail(client, department):
    competition, (lot,) = make_competition(department)
    award = make_award(administrator=department, competition=competition, lot=lot)
    services.application_create(
        acting_user=clerk(), lot=lot, applicant=award.recipient, submitted_on=datetime.date(2020, 1, 20)
    )
    services.payment_create(
        acting_user=clerk(), award=award, paid_on=datetime.date(2020, 4, 1), amount=Decimal("250000"), kind="advance"
    )
    body = client.get(reverse("api:award", args=[award.public_id])).json()
    assert body["paid"] == "250000.00" and body["payments"] == [
        {"paid_on": "2020-04-01", "amount": "250000.00", "kind": "advance"}
    ]
    assert body["competition"] == competition.public_id and body["lot"] == 1
    assert [a["applicant"] for a in body["applicants"]] == [award.recipient.org_id]
    assert client.get(reverse("api:award", args=["nope"])).status_code == 404


def test_competitions_and_administrators_are_listed(client, department):
    competition, _ = make_competition(department, lots=2)
    body = client.get("/api/v1/competitions/", {"administrator": "department"}).json()
    assert body["results"][0]["public_id"] == competition.public_id and len(body["results"][0]["lots"]) == 2
    codes = [a["code"] for a in client.get("/api/v1/administrators/").json()["results"]]
    assert codes == ["akimat", "department"]


def test_award_list_query_count_does_not_grow_with_rows(client, department):
    def count(size: int) -> int:
        cache.clear()  # the page itself, not a copy from the cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(AWARDS, {"page_size": size}).status_code == 200
        return len(queries)

    make_award(administrator=department)
    count(1)
    few = count(1)
    for _ in range(12):
        make_award(administrator=department)
    assert count(1) == few == count(12) == 2  # the data version, and the page with its joins


# ---------------------------------------------------------------- officers' entry


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


AWARD_BODY = {
    "mechanism": "state_grant",
    "title": "Youth centres",
    "amount": "2500000",
    "currency": "KZT",
    "awarded_on": "2021-03-01",
    "field": "health",
}


def test_an_officer_records_an_award_a_payment_and_an_evaluation(client, officer, department):
    recipient = make_organisation()
    client.force_login(officer)
    created = post(
        client, reverse("api:award_create", args=["department"]), {**AWARD_BODY, "recipient": recipient.org_id}
    )
    assert created.status_code == 201, created.json()
    public_id = created.json()["id"]
    paid = post(
        client,
        reverse("api:award_payments", args=[public_id]),
        {"paid_on": "2021-04-01", "amount": "1000", "kind": "advance"},
    )
    assert paid.status_code == 201 and Payment.objects.get().amount == Decimal("1000")
    evaluated = post(
        client, reverse("api:award_evaluations", args=[public_id]), {"report_due_on": "2021-12-31", "result": "pending"}
    )
    assert evaluated.status_code == 201 and Evaluation.objects.count() == 1


def test_entry_errors_name_the_field(client, officer, award):
    client.force_login(officer)
    bad = post(
        client, reverse("api:award_create", args=["department"]), {**AWARD_BODY, "recipient": "KZ-BIN-000000000000"}
    )
    assert bad.status_code == 400 and "recipient" in bad.json()["errors"]
    over = post(
        client,
        reverse("api:award_payments", args=[award.public_id]),
        {"paid_on": "2020-04-01", "amount": "9999999", "kind": "advance"},
    )
    assert over.status_code == 400 and "amount" in over.json()["errors"] and not Payment.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_entry(client, request, award, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    before = Award.objects.count()
    responses = [
        post(
            client,
            reverse("api:award_create", args=["department"]),
            {**AWARD_BODY, "recipient": award.recipient.org_id},
        ),
        post(
            client,
            reverse("api:award_payments", args=[award.public_id]),
            {"paid_on": "2020-04-01", "amount": "10", "kind": "advance"},
        ),
        post(
            client,
            reverse("api:award_evaluations", args=[award.public_id]),
            {"report_due_on": "2020-12-31", "result": "pending"},
        ),
    ]
    codes = [r.status_code for r in responses]
    if role in ALLOWED:
        assert codes == [201, 201, 201]
        return
    assert codes == [401] * 3 if role == "anonymous" else codes == [403] * 3
    assert Award.objects.count() == before and not Payment.objects.exists() and not Evaluation.objects.exists()


def test_awards_are_newest_first_by_award_date_not_by_entry(client, department):
    older = make_award(administrator=department, awarded_on=datetime.date(2019, 1, 1))
    newer = make_award(administrator=department, awarded_on=datetime.date(2023, 1, 1))
    oldest = make_award(administrator=department, awarded_on=datetime.date(2015, 1, 1))  # entered last
    first = client.get(AWARDS, {"page_size": 2}).json()
    assert ids_of(first) == [newer.public_id, older.public_id]
    assert ids_of(client.get(first["next"]).json()) == [oldest.public_id]


def ids_of(body) -> list[str]:
    return [row["id"] for row in body["results"]]


def test_the_fast_rows_are_what_the_documented_serializer_gives(client, department, rf):
    import json

    from funding.api import AwardSummary

    make_award(administrator=department, amount="1234.50", currency="KZT")
    make_award(administrator=department, field=None, region=None, mechanism="state_grant")
    listed = client.get(AWARDS).json()["results"]
    request = rf.get(AWARDS)
    expected = [
        dict(AwardSummary(a, context={"request": request}).data) for a in Award.objects.order_by("-awarded_on", "-id")
    ]
    assert listed == json.loads(json.dumps(expected))
