"""The list endpoints' fast GET path answers exactly what the full DRF view answers, and hands everything
else (errors, other methods, tokens, other media types, a refused throttle) to the full view."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import RequestFactory
from rest_framework.authtoken.models import Token

from funding.api import AwardList
from registry.api import OrganisationList
from registry.filters import OrganisationFilter
from tests.funding.factories import make_administrator, make_award
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    admin = make_administrator()
    orgs = [make_organisation(region=("KZ-75" if i % 2 else "KZ-71"), name_en=f"Org {i}") for i in range(7)]
    for i, org in enumerate(orgs):
        make_award(recipient=org, administrator=admin, awarded_on=datetime.date(2020, 1, 1 + i))
    return orgs


def _full(view_class, url: str) -> dict:
    """The same request through the DRF view itself (what the URLconf served before the fast path)."""
    request = RequestFactory().get(url)
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = view_class.as_view()(request)
    response.render()
    return json.loads(response.content)


@pytest.mark.parametrize(
    ("view_class", "url"),
    [
        (OrganisationList, "/api/v1/organisations/"),
        (OrganisationList, "/api/v1/organisations/?page_size=2"),
        (OrganisationList, "/api/v1/organisations/?region=KZ-75&sort=name&page_size=2"),
        (OrganisationList, "/api/v1/organisations/?field=health&q=org"),
        (AwardList, "/api/v1/awards/"),
        (AwardList, "/api/v1/awards/?page_size=3&region=KZ-55&year_from=2020"),
    ],
)
def test_the_fast_path_answers_what_the_full_view_answers(client, rows, view_class, url):
    fast = client.get(url)
    assert fast.status_code == 200 and fast["Content-Type"] == "application/json"
    assert fast["Allow"] == "GET, HEAD, OPTIONS"
    body = fast.json()
    assert body == _full(view_class, url)
    while body["next"]:  # and so does every page after it
        following = body["next"].removeprefix("http://testserver")
        body = client.get(following).json()
        assert body == _full(view_class, following)


@pytest.mark.parametrize(
    ("url", "headers", "status"),
    [
        ("/api/v1/organisations/?region=KZ-99", {}, 400),
        ("/api/v1/organisations/?cursor=bad", {}, 400),
        ("/api/v1/awards/?page_size=0", {}, 400),
        ("/api/v1/organisations/", {"HTTP_ACCEPT": "text/html"}, 406),
        ("/api/v1/organisations/?format=xml", {}, 404),
    ],
)
def test_anything_but_a_plain_good_get_is_answered_by_the_full_view(client, rows, url, headers, status):
    response = client.get(url, **headers)
    assert response.status_code == status
    assert set(response.json()) == {"detail", "errors"}


def test_a_token_request_is_authenticated_by_drf(client, rows, django_user_model):
    user = django_user_model.objects.create_user("reader", password="x")
    token = Token.objects.create(user=user)
    assert client.get("/api/v1/organisations/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    assert client.get("/api/v1/organisations/", HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_the_fast_path_counts_against_the_throttle_once(client, rows, settings):
    settings.API_ANONYMOUS_RATE = "2/minute"
    codes = [client.get("/api/v1/awards/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = client.get("/api/v1/awards/")
    assert refused.status_code == 429 and "Retry-After" in refused


def test_filtersets_share_one_form_class_but_no_state(rows):
    health, other = (OrganisationFilter({"field": [code]}) for code in ("health", "environment"))
    assert type(health.form) is type(other.form)
    assert health.filters["field"].parent is health and other.filters["field"].parent is other
    assert OrganisationFilter.base_filters["field"] is not health.filters["field"]
    assert health.qs.count() == 7 and other.qs.count() == 0
