"""The list endpoints' fast GET path answers exactly what the full DRF view answers, and hands everything
else (errors, other methods, tokens, other media types, a refused throttle) to the full view."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.test import RequestFactory
from rest_framework.authtoken.models import Token

from api import statements
from api.common import choice_labels, money
from funding.api import AwardList
from funding.filters import AwardFilter
from funding.models import Award
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


# ---------------------------------------------------------------- compiled page statements (api/statements.py)


@pytest.fixture
def tied(rows):
    """Awards sharing dates, so that cursors carry offsets as well as positions; amounts with cents."""
    admin = make_administrator()
    for i, org in enumerate(rows * 2):
        make_award(recipient=org, administrator=admin, awarded_on=datetime.date(2021, 1, 1 + i % 3), amount="1234.56")
    return rows


def _walk(client, view_class, url: str, link: str) -> int:
    """Follow `link` from `url` to the end, checking every page against the full view; the pages seen."""
    body, pages = client.get(url).json(), 1
    assert body == _full(view_class, url)
    while body[link]:
        url = body[link].removeprefix("http://testserver")
        body, pages = client.get(url).json(), pages + 1
        assert body == _full(view_class, url)
    return pages


@pytest.mark.parametrize(
    ("view_class", "url"),
    [
        (AwardList, "/api/v1/awards/?page_size=2"),
        (AwardList, "/api/v1/awards/?page_size=3&mechanism=social_order&amount_min=1000"),
        (OrganisationList, "/api/v1/organisations/?page_size=2"),
        (OrganisationList, "/api/v1/organisations/?page_size=2&sort=-name"),
        (OrganisationList, "/api/v1/organisations/?page_size=2&sort=registered&region=KZ-75&region=KZ-71"),
    ],
)
def test_kept_statements_answer_every_page_both_ways(client, tied, view_class, url):
    statements.forget()
    forward = _walk(client, view_class, url, "next")
    last = client.get(url).json()
    while last["next"]:
        last = client.get(last["next"].removeprefix("http://testserver")).json()
    back_from = last["previous"].removeprefix("http://testserver") if last["previous"] else url
    assert forward > 2 and _walk(client, view_class, back_from, "previous") == forward - 1
    kept = [shape for pages in statements._filtered._items.values() for shape in pages.shapes._items.values()]
    assert kept and all(statement.sql for statement in kept)  # every page came from a kept statement


def test_a_filter_combination_is_validated_and_built_once(client, tied, monkeypatch):
    statements.forget()
    built = []
    original = AwardFilter.filter_queryset
    monkeypatch.setattr(AwardFilter, "filter_queryset", lambda self, qs: built.append(1) or original(self, qs))
    url = "/api/v1/awards/?page_size=2&region=KZ-55"
    following = client.get(url).json()["next"].removeprefix("http://testserver")
    client.get(url), client.get(following)
    assert len(built) == 1  # three pages, one filter form
    assert client.get("/api/v1/awards/?page_size=2&region=KZ-99").status_code == 400  # bad input is never kept
    assert client.get("/api/v1/awards/?page_size=2&region=KZ-99").status_code == 400


def test_filters_that_read_the_data_are_built_for_every_request(client, tied):
    statements.forget()
    akimat = make_administrator(kind="regional_akimat", code="akimat-test")
    url = "/api/v1/awards/?administrator=akimat-test"
    assert client.get(url).json()["results"] == []
    department = make_administrator(parent=akimat)  # the akimat's family grows: the filter must see it
    award = make_award(administrator=department)
    assert [row["id"] for row in client.get(url).json()["results"]] == [award.public_id]


def test_a_bad_position_is_refused_after_its_shape_was_kept(client, tied):
    statements.forget()
    good = client.get("/api/v1/awards/?page_size=2").json()["next"].removeprefix("http://testserver")
    assert client.get(good).status_code == 200
    bad = "/api/v1/awards/?page_size=2&cursor=" + _cursor_for("2021-13-45")
    assert client.get(bad).status_code == 400
    assert client.get(good).status_code == 200


def _cursor_for(position: str) -> str:
    import base64
    from urllib.parse import quote, urlencode

    return quote(base64.b64encode(urlencode({"p": position}).encode()).decode())


def test_a_shape_whose_parameters_cannot_be_placed_is_built_by_the_orm_each_time(tied):
    from django.db.models import Count

    grouped = Award.objects.values("region_id").annotate(awards=Count("id"))
    pages = statements.Pages(grouped).order_by("-region_id")
    assert pages[0:5] == list(grouped.order_by("-region_id")[0:5])
    statement = next(iter(pages.shapes._items.values()))
    assert statement.sql is None


def test_kept_statements_are_bounded(monkeypatch):
    memo = statements._Lru(2)
    for key in "abc":
        memo.put(key, key.upper())
    assert memo.get("a") is None and memo.get("b") == "B" and memo.get("c") == "C"
    memo.get("b"), memo.put("d", "D")  # b was used last: c goes
    assert memo.get("c") is None and memo.get("b") == "B"


def test_the_key_changes_with_the_code_tables_and_the_language(rows):
    from django.http import QueryDict
    from django.utils import translation

    from registry.selectors import reference_data_clear

    data = QueryDict("region=KZ-75&page_size=2")
    first = OrganisationFilter.pure_key(data)
    assert first == OrganisationFilter.pure_key(QueryDict("page_size=9&region=KZ-75"))  # pages are not filters
    with translation.override("kk"):
        assert OrganisationFilter.pure_key(data) != first
    reference_data_clear()
    assert OrganisationFilter.pure_key(data) != first
    assert OrganisationFilter.pure_key(QueryDict("reporting=overdue")) is None
    assert AwardFilter.pure_key(QueryDict("recipient=KZ-BIN-1")) is None


@pytest.mark.parametrize("value", [Decimal("1234.56"), 1234.56, 1500000, 0.1 + 0.2, 99999999999.99, Decimal("0")])
def test_money_reads_what_the_driver_gives_as_djangos_converter_does(value):
    """Floats and ints come from SQLite's driver: money() must agree with Django's SQLite converter."""
    from django.db.backends.sqlite3.base import DatabaseWrapper
    from django.db.models.expressions import Col

    column = Col("t", Award._meta.get_field("amount"))
    converter = DatabaseWrapper.ops_class(connection=None).get_decimalfield_converter(column)
    expected = value if isinstance(value, Decimal) else converter(value, column, None)
    assert money(value) == f"{expected:.2f}"
    assert money(None) is None


def test_choice_labels_follow_the_language():
    from django.utils import translation

    from registry.models import Organisation

    with translation.override("ru"):
        russian = choice_labels(Organisation.Status)
    with translation.override("en"):
        english = choice_labels(Organisation.Status)
    assert set(russian) == set(english) == set(Organisation.Status.values)
    assert russian["active"] == "действующая"
    assert english == {value: str(label) for value, label in Organisation.Status.choices}


@pytest.mark.parametrize("sort", ["registered", "-registered"])
def test_organisations_without_a_registration_date_are_paged_too(client, rows, sort):
    """Cursor pages need a position on every row: an unknown date sorts as the earliest, on both databases."""
    undated = [make_organisation(registered_on=None, bin=None, name_en=f"Undated {i}") for i in range(3)]
    seen, url = [], f"/api/v1/organisations/?page_size=2&sort={sort}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body == _full(OrganisationList, url)
        seen += [row["org_id"] for row in body["results"]]
        url = body["next"] and body["next"].removeprefix("http://testserver")
    assert len(seen) == len(set(seen)) == len(rows) + len(undated)
    undated_ids = {row["org_id"] for row in client.get(f"/api/v1/organisations/?sort={sort}").json()["results"][-3:]}
    assert (sort == "-registered") == (undated_ids == {org.org_id for org in undated})


def test_a_filtered_organisation_page_chooses_its_ids_first_on_sqlite(client, rows):
    """SQLite's planner sorts every matching row, whole, to keep a page: there the ids are chosen first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statements.forget()
    for url, deferred in (
        ("/api/v1/organisations/?region=KZ-75", connection.vendor == "sqlite"),
        ("/api/v1/organisations/", False),
        ("/api/v1/awards/?region=KZ-55", False),
    ):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        (page,) = [q["sql"] for q in captured.captured_queries if "LIMIT" in q["sql"]]
        assert ("IN (SELECT" in page) == deferred, url
