"""Found 9 (issue 14): `year=²` gave a 500 on /sector/, the scores pages and three API endpoints (isdigit()
then int()); in production the API's 500 was an HTML page although docs/api.md promises JSON errors. Every
numeric parameter is now read in ASCII digits, a 400 naming it otherwise; the API answers JSON for every
status, DEBUG or not."""

from __future__ import annotations

from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db
NOT_NUMBERS = ["²", "١٢٣", "２０２４", "20 24", "20.24", "-1", "1e3", "99999999999999999999"]


@pytest.fixture
def org_id():
    return make_organisation().org_id


def html_urls(org_id):
    return {
        reverse("scoring:sector"): "year",
        reverse("scoring:organisation_scores", args=[org_id]): "year",
        reverse("scoring:transparency"): "year",
        reverse("scoring:transparency") + "?x=1": "page",
        reverse("registry:organisation_list"): "page",
        reverse("funding:explorer"): "year_from",
        reverse("funding:explorer") + "?x=2": "amount_min",
        reverse("funding:explorer") + "?x=3": "page",
    }


def api_urls(org_id):
    return {
        "/api/v1/summaries/": "year",
        f"/api/v1/organisations/{org_id}/scores/": "year",
        "/api/v1/concentration/": "year",
        "/api/v1/flags/": "year",
        "/api/v1/competitions/": "year",
        "/api/v1/awards/": "year_from",
        "/api/v1/organisations/": "page_size",
    }


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_pages_answer_400_not_500(client, org_id, value):
    for url, name in html_urls(org_id).items():
        if name == "amount_min" and value == "20.24":
            continue  # an amount in tenge and tiyn
        joined = "&" if "?" in url else "?"
        response = client.get(f"{url}{joined}{name}={value}")
        assert response.status_code == 400, (url, name, value, response.status_code)


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_the_api_answers_400_naming_the_parameter(client, org_id, value):
    for url, name in api_urls(org_id).items():
        response = client.get(url, {name: value})
        assert response.status_code == 400, (url, name, value, response.status_code)
        assert name in response.json()["errors"], (url, response.json())


def test_good_numbers_still_work(client, org_id):
    assert client.get(reverse("funding:explorer"), {"year_from": "2020", "amount_min": "1000.50"}).status_code == 200
    assert client.get("/api/v1/organisations/", {"page_size": "5"}).status_code == 200
    assert client.get("/api/v1/flags/", {"year": "2024"}).status_code == 200


def test_a_bad_parameter_page_says_which(client):
    page = client.get(reverse("scoring:sector"), {"year": "²"}).content.decode()
    assert "year: a year such as 2024" in page


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_api_404_and_500_are_json_in_production(production):
    missing = production.get("/api/v1/nothing-here/")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
    assert missing.json()["detail"]
    with mock.patch("registry.api.OrganisationList.get_queryset", side_effect=RuntimeError("boom")):
        failed = production.get("/api/v1/organisations/")
    assert failed.status_code == 500 and failed["Content-Type"] == "application/json"
    assert set(failed.json()) == {"detail", "errors"} and "boom" not in failed.content.decode()


def test_pages_keep_their_html_errors_in_production(production):
    missing = production.get("/no-such-page/")
    assert missing.status_code == 404 and "Page not found" in missing.content.decode()
    with mock.patch("registry.views.directory.sector_overview", side_effect=RuntimeError("boom")):
        failed = production.get("/")
    assert failed.status_code == 500 and "Something went wrong" in failed.content.decode()
    assert "boom" not in failed.content.decode()
