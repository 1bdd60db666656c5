"""Our own error pages say what to do next, in the reader's language; the favicon answers (issue 16)."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.template import loader
from django.urls import reverse
from django.utils import translation

from registry import services
from tests.registry.factories import make_organisation, person

pytestmark = pytest.mark.django_db


def test_favicon_ico_sends_browsers_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.svg"
    assert finders.find("favicon.svg")
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/").content.decode()


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_pending_claimant_is_told_a_moderator_decides_first(client, language):
    organisation = make_organisation()
    claimant = person("claimant")
    services.claim_submit(user=claimant, organisation=organisation, position="Director", contact="+7 701 000 00 00")
    client.force_login(claimant)
    client.cookies["django_language"] = language
    response = client.get(reverse("registry:organisation_edit", args=[organisation.org_id]))
    page = response.content.decode()
    assert response.status_code == 403 and f'<html lang="{language}">' in page
    assert f'href="{reverse("registry:my_organisations")}"' in page  # where the claim's status is
    assert f'href="{reverse("registry:organisation_list")}"' in page  # back to the directory


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_500_page_renders_with_no_request_and_no_database(language, django_assert_num_queries):
    with translation.override(language), django_assert_num_queries(0):
        page = loader.get_template("500.html").render()
    assert f'<html lang="{language}">' in page and 'href="/"' in page and "favicon.svg" in page
