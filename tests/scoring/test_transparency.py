"""/transparency/, flag pages at stable URLs, 'worth a look' on record pages, and the flags API."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.reference import MCI, SPLIT_THRESHOLD_MCI
from scoring import services
from scoring.models import Flag, FlagCell
from scoring.selectors import flags_on_records_of, transparency_overview
from tests.funding.factories import make_administrator, make_award
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def split():
    """Three awards just under the threshold, from one administrator to one recipient, in June 2024."""
    admin = make_administrator(code="district")
    org = make_organisation(registered_on=datetime.date(2010, 1, 1))
    threshold = Decimal(SPLIT_THRESHOLD_MCI * MCI[2024])
    awards = [
        make_award(
            recipient=org,
            administrator=admin,
            amount=str((threshold * Decimal("0.97")).quantize(Decimal(1))),
            awarded_on=datetime.date(2024, 6, 1 + 9 * k),
            title=f"Part {k + 1}",
        )
        for k in range(3)
    ]
    services.summaries_regenerate()
    return awards


def test_the_page_counts_and_lists_flags(client, split):
    page = client.get(reverse("scoring:transparency")).content.decode()
    assert "Threshold splitting" in page and "Part 1" in page and "never a finding" in page
    filtered = client.get(
        reverse("scoring:transparency"), {"code": "threshold_splitting", "year": 2024}
    ).content.decode()
    assert "Part 3" in filtered
    csv = b"".join(client.get(reverse("opendata:transparency_csv"), {"code": "threshold_splitting"}).streaming_content)
    assert csv.decode("utf-8-sig").count("threshold_splitting") == 3


def test_a_flag_page_has_a_stable_url_the_rule_and_the_numbers(client, split):
    award = split[0]
    url = reverse("scoring:flag_detail", args=["threshold_splitting", "award", award.public_id])
    page = client.get(url).content.decode()
    assert "Threshold splitting" in page and "threshold" in page and split[1].public_id in page
    services.summaries_regenerate()  # a new run: the same URL still answers
    assert client.get(url).status_code == 200
    assert client.get(reverse("scoring:flag_detail", args=["threshold_splitting", "award", "NOPE"])).status_code == 404


def test_record_pages_say_worth_a_look(client, split):
    award = split[0]
    assert "Worth a look" in client.get(award.get_absolute_url()).content.decode()
    assert "Worth a look" in client.get(award.administrator.get_absolute_url()).content.decode()
    clean = make_award(administrator=make_administrator(code="calm"), awarded_on=datetime.date(2015, 1, 1))
    services.summaries_regenerate()
    assert "Threshold splitting" not in client.get(clean.get_absolute_url()).content.decode()


def test_the_flags_api_filters_and_pages(client, split):
    body = client.get("/api/v1/flags/", {"code": "threshold_splitting", "page_size": 2}).json()
    assert len(body["results"]) == 2 and body["next"] and body["results"][0]["values"]["threshold"]
    assert client.get(body["next"]).json()["results"][0]["code"] == "threshold_splitting"
    first = body["results"][0]
    assert client.get(first["url"]).status_code == 200  # the flag's own page
    assert first["rule_url"] == "http://testserver/transparency/#rule-threshold_splitting"
    assert client.get("/api/v1/flags/", {"year": "x"}).status_code == 400
    assert client.get("/api/v1/flags/", {"code": "nonsense"}).status_code == 400
    rows = client.get("/api/v1/concentration/", {"year": 2024, "by": "administrator"}).json()
    assert rows[0]["key"] == "district" and rows[0]["hhi"] == "10000.0" and rows[0]["recipients"] == 1
    assert client.get("/api/v1/concentration/", {"year": 2024, "by": "planet"}).status_code == 400


def test_flag_list_queries_do_not_grow_with_rows(client, split):
    def count() -> int:
        cache.clear()  # the page itself, not a copy from the cache
        with CaptureQueriesContext(connection) as queries:
            client.get("/api/v1/flags/")
        return len(queries)

    few = count()
    for k in range(6):
        make_award(administrator=split[0].administrator, awarded_on=datetime.date(2024, 12, 1 + k))
    services.summaries_regenerate()
    assert count() == few and Flag.objects.filter(run__current=True).count() > 3


def flag_rows() -> list[tuple]:
    current = Flag.objects.filter(run__current=True).order_by("code", "subject_type", "subject_key", "year", "title")
    return [(f.code, f.subject_type, f.subject_key, f.year, f.title, f.values) for f in current]


def cell_rows() -> set[tuple]:
    cells = FlagCell.objects.filter(run__current=True)
    return set(cells.values_list("code", "subject_type", "administrator", "region", "year", "n", "money"))


def test_refreshing_flags_after_a_change_equals_a_full_run(split):
    make_award(
        recipient=split[0].recipient, administrator=split[0].administrator, awarded_on=datetime.date(2024, 12, 20)
    )
    assert services.flags_refresh() > 0
    refreshed, cells = flag_rows(), cell_rows()
    assert sum(cell[5] for cell in cells) == len(refreshed)  # the cells count every flag once
    services.summaries_regenerate()
    assert flag_rows() == refreshed and cell_rows() == cells


def test_the_breakdowns_summed_from_the_cells_equal_the_flags_counted(client, split):
    for params in ({}, {"code": "threshold_splitting", "year": "2024"}, {"subject_type": "award"}):
        from_cells = client.get(reverse("scoring:transparency"), params).context["by"]
        flags = Flag.objects.filter(run__current=True, **params)
        counted = transparency_overview(flags=flags, year=None).by  # no filters given: the flags are counted
        assert from_cells == counted, params


def test_a_change_schedules_the_summaries_and_the_flags(settings, split):
    from unittest import mock

    from scoring import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    with (
        mock.patch.object(tasks.summaries_refresh, "apply_async") as summaries,
        mock.patch.object(tasks.flags_refresh, "apply_async") as flags_task,
    ):
        assert tasks.summaries_refresh_schedule() is True and tasks.flags_refresh_schedule() is True
        assert tasks.summaries_refresh_schedule() is False  # already waiting
        assert tasks.flags_refresh_schedule() is False
    summaries.assert_called_once_with((), countdown=settings.SUMMARIES_DEBOUNCE_SECONDS)
    flags_task.assert_called_once_with((), countdown=settings.FLAGS_DEBOUNCE_SECONDS)


def test_a_year_end_rush_page_shows_labelled_figures_and_why_the_thresholds(client):
    """Issue 15: the page showed raw keys (`december`, `q1`, `lower`) and "0E-7"."""
    for code in ("a", "b", "c", "d"):
        admin = make_administrator(code=code)
        for month in range(1, 13):
            make_award(administrator=admin, awarded_on=datetime.date(2022, month, 1), months=1)
    rushed = make_administrator(code="rushed")
    for k in range(10):
        make_award(administrator=rushed, awarded_on=datetime.date(2022, 12 if k < 8 else 3, 1 + k), months=1)
    services.summaries_regenerate()
    page = client.get(reverse("scoring:flag_detail", args=["year_end_rush", "administrator", "rushed"]))
    text = page.content.decode()
    assert "Other administrators: share of awards in December" in text and "80.0%" in text
    assert "Why this threshold" in text and "pooled share of all the other administrators" in text
    for raw in ("awards_december", "pooled_share", "p_value", ">q1<", "0E-"):
        assert raw not in text
    listing = client.get(reverse("scoring:transparency"), {"code": "year_end_rush"}).content.decode()
    assert "Year-end rush" in listing and "Administrator rushed" in listing  # a label, not the key


def test_a_funders_flags_are_summed_from_the_cells(split):
    flags = Flag.objects.filter(run__current=True, administrator="district").exclude(subject_type="administrator")
    assert flags_on_records_of(administrator="district") == flags.count() > 0


def test_the_flag_pages_run_no_statement_twice(client, split):
    """The current run is read once per page (the issue's finding: /transparency/ ran the same query twice), and
    the administrator filter's choices once (the select read them again for its required attribute)."""
    award = split[0]
    for url in ("/transparency/", "/transparency/?year=2024", award.administrator.get_absolute_url()):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        statements = Counter(query["sql"] for query in queries.captured_queries)
        assert [sql for sql, n in statements.items() if n > 1] == [], url
