"""Issue 18: planner statistics are refreshed after every regeneration, so the run's tables (filled in bulk) are
read through their indexes; ANALYZE before the flags existed left SQLite choosing the wrong index."""

from __future__ import annotations

import pytest
from django.db import connection

from funding.models import Application
from scoring import services
from scoring.models import Flag
from tests.funding.factories import make_administrator, make_competition
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db


def _statistics_rows(table: str) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT COUNT(*) FROM pg_stats WHERE tablename = %s", [table])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone():
                return 0
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        return cursor.fetchone()[0]


def test_a_regeneration_leaves_fresh_statistics_on_the_flags_table(population):
    table = Flag._meta.db_table
    administrator = make_administrator()
    for _ in range(3):  # lots with a single applicant each: flags to write
        _competition, (lot,) = make_competition(administrator)
        Application.objects.create(lot=lot, applicant=make_organisation(), amount_requested=1000)
    with connection.cursor() as cursor:  # no statistics to begin with
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [table])
    before = _statistics_rows(table) if connection.vendor == "sqlite" else None
    services.summaries_regenerate()
    assert Flag.objects.exists()
    assert _statistics_rows(table) > 0
    if before is not None:
        assert before == 0
