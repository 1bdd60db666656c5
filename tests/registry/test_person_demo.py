"""People on the demo data (issue 17), seeded once for this module: every figure the people pages, the score
tables and the roles download show, reconciled against raw SQL."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from funding.models import Award
from funding.selectors import award_detail
from opendata.csv_writer import BOM
from opendata.exports import EXPORT_KINDS
from registry.models import OrganisationRole
from registry.selectors import person_page
from tests.opendata.test_exports import _empty_everything

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", orgs=2230, seed=17, verbosity=0)
        yield
        _empty_everything()


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_money_while_head_reconciles_for_every_head_on_the_demo(demo):
    heads = sorted({pk for (pk,) in rows("SELECT person_id FROM registry_organisationrole WHERE kind = 'head'")})
    assert len(heads) > 100
    expected: dict[tuple[int, int], tuple[int, Decimal]] = {
        (person, organisation): (n, Decimal(total))
        for person, organisation, n, total in rows(
            """
            SELECT p.id, a.recipient_id, COUNT(*), SUM(a.amount)
            FROM registry_person p JOIN funding_award a ON EXISTS (
                SELECT 1 FROM registry_organisationrole r
                WHERE r.person_id = p.id AND r.kind = 'head' AND r.organisation_id = a.recipient_id
                  AND (r.started_on IS NULL OR r.started_on <= a.awarded_on)
                  AND (r.ended_on IS NULL OR a.awarded_on <= r.ended_on)
            )
            GROUP BY p.id, a.recipient_id
            """
        )
    }
    assert expected, "the demo's heads received no money while heading: nothing would be reconciled"

    shown = {
        (person, row.organisation.pk): (row.awards, row.total)
        for person in heads
        for row in person_page(person).money_while_head
        if row.awards
    }

    assert shown == expected


def test_score_tables_reconcile_for_every_scored_award_on_the_demo(demo):
    expected = {
        application: Decimal(total)
        for application, total in rows(
            "SELECT application_id, SUM(score) FROM funding_commissionscore GROUP BY application_id"
        )
    }
    assert expected
    scored_lots = {
        lot
        for (lot,) in rows(
            "SELECT DISTINCT a.lot_id FROM funding_application a "
            "JOIN funding_commissionscore s ON s.application_id = a.id"
        )
    }
    public_ids: dict[int, str] = {}  # one award of each scored lot
    awards = Award.objects.filter(lot_id__in=scored_lots).order_by("id")
    for public_id, lot_id in awards.values_list("public_id", "lot_id"):
        public_ids.setdefault(lot_id, public_id)
    assert public_ids

    shown: dict[int, Decimal] = {}
    for lot_id, public_id in public_ids.items():
        award = award_detail(public_id)
        (lot,) = [x for x in award.competition.lots.all() if x.pk == lot_id]
        for row in lot.score_table.rows:
            if row.total is not None:
                shown[row.application.pk] = row.total
        ranks = [row.rank for row in lot.score_table.rows if row.rank is not None]
        assert ranks == sorted(ranks) and ranks[0] == 1

    applications_of_awarded_lots = {
        application
        for (application, lot) in rows("SELECT id, lot_id FROM funding_application")
        if lot in public_ids and application in expected
    }
    assert shown == {pk: expected[pk] for pk in applications_of_awarded_lots}


def test_roles_csv_has_every_role_on_the_demo(demo):
    stream = io.StringIO()
    written = EXPORT_KINDS["roles"].write(stream)
    table = list(csv.DictReader(io.StringIO(stream.getvalue().removeprefix(BOM))))

    counts = {
        "organisation_role": rows("SELECT COUNT(*) FROM registry_organisationrole")[0][0],
        "administrator_official": rows("SELECT COUNT(*) FROM funding_administratorofficial")[0][0],
        "commission_member": rows("SELECT COUNT(*) FROM funding_commissionmember")[0][0],
    }
    assert all(counts.values()), counts
    assert {kind: sum(1 for row in table if row["role_type"] == kind) for kind in counts} == counts
    assert written == len(table) == sum(counts.values())
    heads = sum(1 for row in table if row["role"] == OrganisationRole.Kind.HEAD)
    assert heads == rows("SELECT COUNT(*) FROM registry_organisationrole WHERE kind = 'head'")[0][0]
