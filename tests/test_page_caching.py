"""Whole public HTML pages kept in the shared cache for anonymous readers (api.caching.cached_anonymous_page):
keyed by the data version, the language, the day and the URL; retired by any change; never for a signed-in
reader or a request with messages to show; each reader's own CSRF token in the page's forms."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client
from django.urls import reverse

from api.changes import data_version_bump
from tests.registry.factories import make_organisation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]
PAGES = [
    reverse("registry:home"),
    reverse("registry:organisation_list") + "?region=KZ-71",
    reverse("funding:explorer"),
    reverse("scoring:transparency"),
]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def served(client, url, **headers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, len(captured)


@pytest.mark.parametrize("url", PAGES)
def test_a_repeated_anonymous_page_comes_from_the_cache_until_the_data_changes(client, url):
    make_organisation(region="KZ-71")
    first, computed = served(client, url)
    again, cached = served(client, url)
    assert first.status_code == again.status_code == 200
    assert computed > 3 and cached <= 2  # the data version (and a session read at most)
    assert first["ETag"] == again["ETag"] and "private" in again["Cache-Control"]
    assert TOKEN.sub("", first.content.decode()) == TOKEN.sub("", again.content.decode())
    data_version_bump()
    changed, _ = served(client, url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]  # the tag moved on with the data
    current = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=current).status_code == 304


def test_a_change_retires_the_kept_page(client, django_capture_on_commit_callbacks):
    url = reverse("registry:organisation_list") + "?region=KZ-71"
    make_organisation(region="KZ-71")
    assert client.get(url).context["page"].paginator.count == 1
    assert served(client, url)[0].context is None  # from the cache: no template rendered
    with django_capture_on_commit_callbacks(execute=True):
        make_organisation(region="KZ-71")  # announced after commit: the data version moves on
    assert client.get(url).context["page"].paginator.count == 2


def test_each_reader_gets_a_token_of_their_own_that_works(client):
    url = reverse("registry:organisation_list")
    client.get(url)  # computed and kept
    other = Client(enforce_csrf_checks=True)
    page = other.get(url)
    token = TOKEN.search(page.content.decode()).group(1)
    assert "__csrf__" not in page.content.decode()
    switched = other.post(reverse("set_language"), {"language": "ru", "next": url, "csrfmiddlewaretoken": token})
    assert switched.status_code == 302  # the cached page's form is accepted from this reader


def test_languages_are_kept_apart(client):
    url = reverse("registry:organisation_list")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    russian = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'lang="en"' in english and 'lang="ru"' in russian


def test_signed_in_readers_are_never_served_a_kept_page(client, moderator):
    url = reverse("registry:organisation_list")
    client.get(url)
    client.force_login(moderator)
    _, queries = served(client, url)
    assert queries > 3
    assert "Sign out" in client.get(url).content.decode()


def test_a_page_with_messages_is_neither_served_from_nor_kept_in_the_cache(rf, client):
    url = reverse("registry:organisation_list")
    client.get(url)  # kept
    storage = CookieStorage(rf.get("/"))
    client.cookies["messages"] = storage._encode([Message(constants.INFO, "You have signed out.")])
    with_message, queries = served(client, url)
    assert "You have signed out." in with_message.content.decode() and queries > 3
    client.cookies.pop("messages", None)
    assert "You have signed out." not in client.get(url).content.decode()  # and it was not kept
