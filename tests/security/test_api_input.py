"""Found 13 (issue 14), the write side: bodies schemathesis sent that crashed a form (a JSON array for a body, a
list where one value goes, a field sent twice) or that the schema refuses but the API took (a number for an
amount the API writes as text, "" for a yes/no). Each is now a 400 naming the field, and nothing is written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from funding.models import Award
from registry.models import YearlyReport

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def awards_url(department):
    return reverse("api:award_create", args=[department.code])


@pytest.mark.parametrize("body", ["[null, null]", '"text"', "7", "true", "null"])
def test_a_body_that_is_not_an_object_is_a_400(officer_client, awards_url, body):
    before = Award.objects.count()
    response = officer_client.post(awards_url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"non_field_errors": ["the body must be a JSON object of fields."]}
    assert Award.objects.count() == before


def test_a_body_that_is_not_json_is_a_400(officer_client, awards_url):
    response = officer_client.post(awards_url, "{title: x", content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["detail"]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("title", ["a", "b"], "one value"),
        ("title", {"nested": 1}, "one value"),
        ("amount", 2500000, "amount as text"),
        ("awarded_on", 20200301, "text or null"),
    ],
)
def test_a_value_of_the_wrong_json_type_is_named(officer_client, awards_url, field, value, words):
    response = post(officer_client, awards_url, {"title": "Youth centres", field: value})
    assert response.status_code == 400 and words in " ".join(response.json()["errors"][field])


def test_a_report_takes_true_false_or_null_for_a_yes_no(client, org, owner):
    client.force_login(owner)
    url = f"/api/v1/organisations/{org.org_id}/reports/2024/"
    response = client.put(url, {"has_board": ""}, content_type="application/json")
    assert response.status_code == 400 and "true, false or null" in response.json()["errors"]["has_board"][0]
    assert not YearlyReport.objects.exists()
    assert client.put(url, {"has_board": True}, content_type="application/json").status_code in (200, 201)


def test_if_match_must_be_an_etag_we_gave(client, org, owner):
    client.force_login(owner)
    url = f"/api/v1/organisations/{org.org_id}/"
    for header in ("*", "", "W/", '"abc"'):
        response = client.patch(
            url, {"phone": "+7 7172 00 00 09"}, content_type="application/json", HTTP_IF_MATCH=header
        )
        assert response.status_code in (400, 428), header
    org.refresh_from_db()
    assert org.phone != "+7 7172 00 00 09"
