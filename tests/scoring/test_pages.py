"""The scores tab, /methodology/, /sector/ with its CSV, the API, and who may regenerate."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from scoring import services
from scoring.models import SummaryRun
from tests.registry.factories import make_organisation
from tests.scoring.conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(population):
    services.summaries_regenerate()
    return population


def test_the_scores_tab_explains_each_indicator(client, computed):
    org = computed[0]
    page = client.get(reverse("scoring:organisation_scores", args=[org.org_id])).content.decode()
    assert "2.1.1 Management" in page and "board of directors" in page
    assert "Missing" in page and "Answer it in the yearly report" in page  # 2.3.1 is unanswered
    assert "73.0" in page and "56.3" in page  # the 2009-10 benchmark and this year's sector value beside it


def test_an_organisation_without_reports_has_nothing_to_score(client):
    org = make_organisation()
    page = client.get(reverse("scoring:organisation_scores", args=[org.org_id])).content.decode()
    assert "nothing to score" in page


def test_the_methodology_lists_every_indicator_and_version(client):
    page = client.get(reverse("scoring:methodology")).content.decode()
    for code in ("2.1.1", "2.4.1", "3.4.1", "QG.1", "QG.4", "2026.1"):
        assert code in page


def test_the_sector_dashboard_and_its_csv(client, computed):
    page = client.get(reverse("scoring:sector"), {"year": YEAR, "segment": "region:KZ-71"}).content.decode()
    assert "Level of Organisation" in page and "<svg" in page and "As of" in page
    response = client.get(reverse("opendata:sector_csv"))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("year,segment,segment_label,n_organisations") and len(lines) > 5


def test_the_dashboard_before_any_run(client):
    assert "not been computed yet" in client.get(reverse("scoring:sector")).content.decode()


@pytest.mark.parametrize(("role", "status"), [("anonymous", 403), ("signed_in_user", 403), ("moderator", 302)])
def test_only_moderators_regenerate(client, request, population, role, status):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    assert client.post(reverse("scoring:sector")).status_code == status
    assert SummaryRun.objects.filter(current=True).exists() == (status == 302)


def test_with_the_queue_unreachable_the_page_says_so_and_keeps_the_figures(client, moderator, computed, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client.force_login(moderator)
    with mock.patch("scoring.tasks.summaries_regenerate.apply_async", side_effect=ConnectionError("Redis down")):
        response = client.post(reverse("scoring:sector"), follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "task queue is not answering" in page and "Redis down" not in page
    assert "As of" in page  # the last summaries, with their timestamp


def test_a_change_with_the_queue_unreachable_does_not_fail_the_edit(settings, computed):
    from scoring.tasks import summaries_refresh_schedule

    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch("scoring.tasks.summaries_refresh.apply_async", side_effect=ConnectionError("Redis down")):
        assert summaries_refresh_schedule() is False


def test_the_summaries_api(client, computed):
    body = client.get("/api/v1/summaries/", {"year": YEAR, "segment": "all"}).json()
    assert body["year"] == YEAR and body["segment"] == "all" and body["n_organisations"] == 32
    assert body["indicators"]["2.1.1"] == {"value": 56.3, "n": 32}
    assert body["dimensions"]["2"] == 53.1 and body["generated_at"]
    assert client.get("/api/v1/summaries/", {"segment": "region:KZ-71"}).json()["year"] == YEAR  # latest year
    for query, field in ((({"segment": "nonsense"}), "segment"), ({"year": "20x"}, "year")):
        response = client.get("/api/v1/summaries/", query)
        assert response.status_code == 400 and field in response.json()["errors"]
    assert client.get("/api/v1/summaries/", {"year": 1999}).status_code == 404


def test_the_scores_api(client, computed):
    org = computed[0]
    body = client.get(f"/api/v1/organisations/{org.org_id}/scores/").json()
    assert body["year"] == YEAR and body["indicators"][0] == {
        "code": "2.1.1",
        "name": "Management",
        "value": "100",
        "rule": body["indicators"][0]["rule"],
        "missing": [],
        "sector": 56.3,
    }
    assert client.get(f"/api/v1/organisations/{org.org_id}/scores/", {"year": 1999}).status_code == 404
