"""API v1, registry side: the directory and profiles (read), profile edits with If-Match and reports (write)."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from registry import services
from registry.models import ChangeRecord, Organisation, YearlyReport
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db
LIST = "/api/v1/organisations/"


def detail(org) -> str:
    return reverse("api:organisation", args=[org.org_id])


def test_the_directory_lists_with_labels_beside_codes(client, org):
    body = client.get(LIST).json()
    row = body["results"][0]
    assert row["org_id"] == org.org_id and row["bin"] == org.bin
    assert row["legal_form"] == {"code": "foundation", "label": "Foundation"}
    assert row["region"]["code"] == "KZ-71" and row["region"]["label"]
    assert row["fields"] == [{"code": "health", "label": "Health"}]
    assert row["api_url"].endswith(detail(org))


def test_the_directorys_filters_apply(client):
    almaty = make_organisation(region="KZ-75", name_en="Almaty Helpers")
    make_organisation(region="KZ-71", name_en="Astana Friends")
    assert [r["org_id"] for r in client.get(LIST, {"region": "KZ-75"}).json()["results"]] == [almaty.org_id]
    assert [r["org_id"] for r in client.get(LIST, {"q": "helpers"}).json()["results"]] == [almaty.org_id]
    assert [r["org_id"] for r in client.get(LIST, {"q": almaty.bin}).json()["results"]] == [almaty.org_id]


def test_cursor_pages_walk_every_row_once_in_a_stable_order(client):
    made = {make_organisation().org_id for _ in range(7)}
    seen, url = [], f"{LIST}?page_size=3&sort=name"
    while url:
        body = client.get(url).json()
        seen += [r["org_id"] for r in body["results"]]
        url = body["next"]
    assert len(seen) == 7 and set(seen) == made


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("region=KZ-99", "region"),
        ("page_size=0", "page_size"),
        ("page_size=abc", "page_size"),
        ("legal_form=nope", "legal_form"),
        ("sort=sideways", "sort"),
    ],
)
def test_a_malformed_parameter_is_a_400_naming_it(client, query, field):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    body = response.json()
    assert field in body["errors"] and body["detail"].startswith(field)


def test_page_size_is_capped(client):
    for _ in range(3):
        make_organisation()
    assert len(client.get(LIST, {"page_size": 100000}).json()["results"]) == 3  # accepted, capped at 200


def test_query_count_does_not_grow_with_rows(client):
    def count(page_size: int) -> int:
        cache.clear()  # the page itself, not a copy from the cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST, {"page_size": page_size}).status_code == 200
        return len(queries)

    for _ in range(3):
        make_organisation()
    count(2)  # the first request loads the reference tables into the process
    few = count(2)
    assert few == 3  # the data version, the page, and the fields of its rows
    for _ in range(25):
        make_organisation(fields=("health", "women"))
    assert count(2) == few and count(25) == few


def test_the_profile_has_history_reports_funding_and_an_etag(client, org):
    response = client.get(detail(org))
    body = response.json()
    assert response["ETag"].startswith('"1.') and body["version"] == 1  # the record's version, then the data's
    assert body["status_events"][0]["kind"]["code"] == "registered"
    assert body["funding"] == {
        "awards": 0,
        "total": "0.00",
        "by_mechanism": {},
        "awards_url": f"http://testserver/api/v1/awards/?recipient={org.org_id}",
    }
    assert isinstance(body["reports"], list)


def test_a_bin_and_an_old_identifier_redirect_to_the_canonical_url(client, org, moderator):
    assert client.get(f"{LIST}{org.bin}/")["Location"] == detail(org)
    duplicate = make_organisation(bin=None)
    services.organisation_merge(survivor=org, merged=duplicate, moderator=moderator, reason="same body")
    response = client.get(f"{LIST}{duplicate.org_id}/")
    assert response.status_code == 301 and response["Location"] == detail(org)


def test_an_unknown_organisation_is_a_json_404(client):
    response = client.get(f"{LIST}KZ-BIN-000000000000/")
    assert response.status_code == 404 and "no organisation" in response.json()["detail"]


# ---------------------------------------------------------------- writes


def patch(client, org, data, etag='"1"', **headers):
    if etag is not None:
        headers["HTTP_IF_MATCH"] = etag
    return client.patch(detail(org), data, content_type="application/json", **headers)


def test_a_manager_edits_with_if_match_and_gets_the_new_etag(client, org, owner):
    client.force_login(owner)
    response = patch(client, org, {"phone": "+7 7172 99 99 99", "fields": ["health", "women"]})
    assert response.status_code == 200 and response["ETag"] == '"2"'
    org.refresh_from_db()
    assert org.phone == "+7 7172 99 99 99" and org.name_en == "Trust Foundation"  # the rest is untouched
    assert ChangeRecord.objects.filter(organisation=org, field="phone", user=owner).exists()


def test_a_stale_write_is_a_412_and_changes_nothing(client, org, owner):
    client.force_login(owner)
    assert patch(client, org, {"phone": "+7 1"}).status_code == 200
    response = patch(client, org, {"phone": "+7 2"})  # still says version 1
    assert response.status_code == 412 and "changed since" in response.json()["detail"]
    org.refresh_from_db()
    assert org.phone == "+7 1"


def test_a_write_without_if_match_is_a_428(client, org, owner):
    client.force_login(owner)
    assert patch(client, org, {"phone": "+7 1"}, etag=None).status_code == 428
    assert patch(client, org, {"phone": "+7 1"}, etag='"abc"').status_code == 400


def test_bad_values_are_a_400_naming_the_field(client, org, owner):
    client.force_login(owner)
    response = patch(client, org, {"email": "not an address"})
    assert response.status_code == 400 and "email" in response.json()["errors"]
    response = patch(client, org, {"name_ru": "Новое имя"})  # identity: a moderator's or an import's
    assert response.status_code == 400 and "name_ru" in response.json()["errors"]
    org.refresh_from_db()
    assert org.version == 1


def test_a_token_authenticates_without_a_session(client, org, owner):
    token = Token.objects.create(user=owner)
    response = patch(client, org, {"mission": "Help"}, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


ROLES = ["anonymous", "signed_in_user", "stranger_owner", "editor", "owner", "moderator", "superuser"]
STATUS = {"anonymous": 401, "signed_in_user": 403, "stranger_owner": 403}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_profile_and_report_writes(client, request, org, owner, editor, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    edited = patch(client, org, {"mission": "Changed"})
    filed = client.put(
        reverse("api:organisation_report", args=[org.org_id, 2024]),
        {"paid_staff": 3, "has_board": True},
        content_type="application/json",
    )
    org.refresh_from_db()
    if role in STATUS:
        assert edited.status_code == filed.status_code == STATUS[role]
        assert org.mission == "" and not YearlyReport.objects.exists()
    else:
        assert edited.status_code == 200 and filed.status_code == 201
        assert org.mission == "Changed" and YearlyReport.objects.get().paid_staff == 3


def test_a_report_is_filed_then_corrected(client, org, owner):
    client.force_login(owner)
    url = reverse("api:organisation_report", args=[org.org_id, 2024])
    assert client.put(url, {"paid_staff": 3}, content_type="application/json").status_code == 201
    response = client.put(url, {"paid_staff": 4, "volunteers": 10}, content_type="application/json")
    assert response.status_code == 200 and response.json()["paid_staff"] == 4
    assert client.get(url).json()["volunteers"] == 10
    bad = client.put(url, {"paid_staff": -1}, content_type="application/json")
    assert bad.status_code == 400 and "paid_staff" in bad.json()["errors"]
    future = client.put(
        reverse("api:organisation_report", args=[org.org_id, 2100]), {}, content_type="application/json"
    )
    assert future.status_code == 400 and "year" in future.json()["errors"]


def test_anonymous_requests_are_throttled(client, settings, org):
    settings.API_ANONYMOUS_RATE = "3/minute"
    codes = [client.get(LIST).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "detail" in client.get(LIST).json()


def test_merged_records_are_not_listed(client, org, moderator):
    duplicate = make_organisation(bin=None)
    services.organisation_merge(survivor=org, merged=duplicate, moderator=moderator, reason="same")
    listed = [r["org_id"] for r in client.get(LIST).json()["results"]]
    assert listed == [org.org_id] and Organisation.objects.count() == 2


def test_a_person_creates_replaces_and_revokes_their_token(client, owner):
    url = reverse("registry:api_token")
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(owner)
    client.post(url)
    first = Token.objects.get(user=owner).key
    assert first in client.get(url).content.decode()
    client.post(url)
    assert Token.objects.get(user=owner).key != first
    client.post(url, {"action": "revoke"})
    assert not Token.objects.filter(user=owner).exists()


def test_sort_orders_the_cursor_pages(client):
    for name in ("Beta", "Alpha", "Gamma"):
        make_organisation(name_en=name)
    names = [r["name_en"] for r in client.get(LIST, {"sort": "name", "page_size": 2}).json()["results"]]
    assert names == ["Alpha", "Beta"]
    names = [r["name_en"] for r in client.get(LIST, {"sort": "-name"}).json()["results"]]
    assert names == ["Gamma", "Beta", "Alpha"]


@pytest.mark.parametrize("made", ["not-a-cursor", "p=2012-03-26"])
def test_a_cursor_this_list_did_not_give_out_names_no_page(client, org, made):
    """A cursor names a page as a path names a record: one edited by hand, or of another list (a date where
    this list's position is an id), names no page of this list, a 404 in the API's error shape."""
    import base64

    cursor = made if made.startswith("not") else base64.b64encode(made.encode()).decode()
    response = client.get(LIST, {"cursor": cursor})
    assert response.status_code == 404 and "cursor" in response.json()["detail"]


def test_the_fast_rows_are_what_the_documented_serializer_gives(client, org, rf):
    """The list builds rows without DRF's field machinery; they must equal OrganisationSummary's output."""
    from registry.api import OrganisationSummary

    make_organisation(bin=None, region="KZ-75", fields=("women", "health"), territorial_level="regional")
    listed = client.get(LIST).json()["results"]
    request = rf.get(LIST)
    expected = [
        dict(OrganisationSummary(Organisation.objects.get(pk=o.pk), context={"request": request}).data)
        for o in Organisation.objects.order_by("-id")
    ]
    expected = json.loads(json.dumps(expected))
    for got, want in zip(listed, expected, strict=True):
        assert {k: v for k, v in got.items() if v != want.get(k)} == {}, want
