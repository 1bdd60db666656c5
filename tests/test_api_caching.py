"""HTTP caching of anonymous API reads: an ETag of the data version, 304 for If-None-Match, whole pages kept in
the shared cache under that version, and any announced change retiring them at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.changes import data_version
from registry import services
from tests.registry.factories import clerk, make_organisation

pytestmark = pytest.mark.django_db
LIST = reverse("api:organisations")


def queries(client, url, **headers) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, len(captured)


def test_an_anonymous_list_carries_a_data_version_etag_and_may_be_kept(client):
    make_organisation()
    response = client.get(LIST)
    assert response.status_code == 200
    assert response["ETag"] == f'"v{data_version()}-en-' + response["ETag"].split("-en-")[1]
    assert response["Cache-Control"] == "public, max-age=60"
    assert {"Accept-Language", "Cookie", "Authorization"} <= {v.strip() for v in response["Vary"].split(",")}


def test_a_matching_if_none_match_is_a_304_without_reading_the_data(client):
    make_organisation()
    etag = client.get(LIST)["ETag"]
    response, count = queries(client, LIST, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response["ETag"] == etag and not response.content
    assert count == 1  # the data version only
    assert client.get(LIST, HTTP_IF_NONE_MATCH='"v0-en-19990101"').status_code == 200


def test_a_repeated_page_comes_from_the_cache_and_a_change_retires_it(client, django_capture_on_commit_callbacks):
    org = make_organisation(name_en="First name")
    first = client.get(LIST).json()
    again, count = queries(client, LIST)
    assert again.json() == first and count == 1  # the data version, then the page from the cache
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_profile_update(
            organisation=org,
            acting_user=clerk(),
            expected_version=org.version,
            source="moderator",
            values={"name_en": "Second name"},
        )
    fresh = client.get(LIST)
    assert fresh.json()["results"][0]["name_en"] == "Second name"
    assert fresh["ETag"] != again["ETag"]


def test_languages_are_kept_apart(client):
    make_organisation()
    english = client.get(LIST)
    russian = client.get(LIST, HTTP_ACCEPT_LANGUAGE="ru")
    assert english["ETag"] != russian["ETag"]
    assert english.json()["results"][0]["status"]["label"] != russian.json()["results"][0]["status"]["label"]


def test_signed_in_reads_are_neither_kept_nor_tagged_by_the_data(client, moderator):
    make_organisation()
    client.force_login(moderator)
    response = client.get(LIST)
    assert response.status_code == 200 and "ETag" not in response
    assert "public" not in response.get("Cache-Control", "")


def test_the_profiles_etag_serves_both_if_match_and_if_none_match(client, moderator):
    org = make_organisation()
    url = reverse("api:organisation", args=[org.org_id])
    etag = client.get(url)["ETag"]
    assert etag.startswith('"1.')
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    client.force_login(moderator)
    response = client.patch(url, {"phone": "+7 7172 11 22 33"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] == '"2"'
    stale = client.patch(url, {"phone": "+7 7172 44 55 66"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
