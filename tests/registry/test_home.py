from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from registry import services
from registry.selectors import sector_overview
from tests.registry.factories import clerk, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def sector():
    orgs = [
        make_organisation(region=region, legal_form=form, fields=fields)
        for region, form, fields in [
            ("KZ-71", "foundation", ("women",)),
            ("KZ-71", "public_association", ("women", "health")),
            ("KZ-75", "public_association", ("health",)),
            ("KZ-75", "private_institution", ("other",)),
        ]
    ]
    services.organisation_status_record(
        moderator=clerk(), organisation=orgs[1], kind="found_inactive", occurred_on=datetime.date(2015, 1, 1)
    )
    services.organisation_status_record(
        moderator=clerk(), organisation=orgs[3], kind="liquidated", occurred_on=datetime.date(2016, 1, 1)
    )
    return orgs


def raw(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def test_overview_counts_reconcile_with_raw_sql(sector):
    overview = sector_overview()
    live = "status IN ('active', 'inactive', 'suspended') AND merged_into_id IS NULL"
    by_region = raw(
        f"SELECT region_id, COUNT(*), SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) "
        f"FROM registry_organisation WHERE {live} GROUP BY region_id"
    )
    assert {r.code: (r.registered, r.active) for r in overview.by_region} == by_region
    by_field = raw(
        f"SELECT f.field_id, COUNT(*), SUM(CASE WHEN o.status = 'active' THEN 1 ELSE 0 END) "
        f"FROM registry_organisationfield f JOIN registry_organisation o ON o.id = f.organisation_id "
        f"WHERE o.{live.replace(' AND ', ' AND o.')} GROUP BY f.field_id"
    )
    assert {r.code: (r.registered, r.active) for r in overview.by_field} == by_field
    assert (overview.registered, overview.active, overview.liquidated) == (3, 2, 1)


def test_home_shows_each_chart_with_its_table(anonymous, sector):
    html = anonymous.get(reverse("registry:home")).content.decode()
    assert html.count('class="chart"') == 3 and html.count('class="numbers"') == 3
    assert "Astana (city)" in html and "?region=KZ-71" in html


def test_home_query_count_is_constant(anonymous, django_assert_max_num_queries, warm_caches, sector):
    warm_caches()
    with django_assert_max_num_queries(6) as few:
        anonymous.get(reverse("registry:home"))
    for _ in range(20):
        make_organisation(region="KZ-79", fields=("women", "disability"))
    with django_assert_max_num_queries(6) as many:
        anonymous.get(reverse("registry:home"))
    assert len(few) == len(many) == 5  # the cube's state, its totals, and by form, region and field


def test_home_figures_follow_a_change_at_the_next_request(anonymous, sector, django_capture_on_commit_callbacks):
    """The figures are sums of the count cube, which the change events move: no five-minute wait (the whole page
    is kept for anonymous readers only until the data version moves, tests/test_page_caching.py)."""
    first = anonymous.get(reverse("registry:home")).context["overview"]
    with django_capture_on_commit_callbacks(execute=True):
        make_organisation(region="KZ-79")
    again = anonymous.get(reverse("registry:home"))
    assert again.context["overview"].registered == first.registered + 1
    assert "Figures as of" in again.content.decode()


def test_the_demo_banner_reads_the_seed_not_the_manifest(anonymous):
    """Every page shows the demo banner: its marker must not carry the manifest of planted cases (4.3 MB of JSON
    at ten times the national size, parsed on every page whose marker was not cached)."""
    from django.core.cache import cache

    from registry.models import DemoDataset
    from registry.selectors import DEMO_CACHE_KEY, demo_dataset

    DemoDataset.objects.create(seed=7, organisations=3, planted={"shared_contacts": [{"subject_key": "1"}] * 1000})
    cache.delete(DEMO_CACHE_KEY)
    marker = demo_dataset()
    assert marker is not None and marker.seed == 7 and "planted" in marker.get_deferred_fields()
    cache.delete(DEMO_CACHE_KEY)
    assert "seed_demo --seed 7" in anonymous.get(reverse("registry:home")).content.decode()
