"""The roles download (issue 17): every organisation role, official post and commission seat, through the one CSV
writer, counted against the tables in raw SQL; listed on /exports/; no identification number in any column."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.urls import reverse

from funding.models import AdministratorOfficial, CommissionMember, Lot
from opendata.csv_writer import BOM
from opendata.exports import EXPORT_KINDS
from registry.models import OrganisationRole, Person, RoleSource
from tests.funding.factories import make_administrator, make_competition
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db


def roles_csv() -> tuple[int, list[dict]]:
    stream = io.StringIO()
    written = EXPORT_KINDS["roles"].write(stream)
    text = stream.getvalue()
    assert text.startswith(BOM)
    return written, list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))


def count_sql() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for kind, table in [
            ("organisation_role", "registry_organisationrole"),
            ("administrator_official", "funding_administratorofficial"),
            ("commission_member", "funding_commissionmember"),
        ]:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[kind] = cursor.fetchone()[0]
        return counts


@pytest.fixture
def roles():
    head = Person.objects.create(name_kk="Нұрлан Әлиев", name_ru="Нурлан Алиев")
    odd = Person.objects.create(name_en="=HYPERLINK(1)")  # a name a spreadsheet would run
    administrator = make_administrator(code="dept-x")
    competition, _lots = make_competition(administrator)
    for n, kind in enumerate(OrganisationRole.Kind.values):
        OrganisationRole.objects.create(
            person=head if n else odd,
            organisation=make_organisation(),
            kind=kind,
            started_on=datetime.date(2019, 1, 1),
            ended_on=datetime.date(2021, 1, 1) if n == 2 else None,
            source=RoleSource.STATE_REGISTER,
        )
    AdministratorOfficial.objects.create(
        person=head, administrator=administrator, position="Deputy head", source=RoleSource.ADMINISTRATOR
    )
    CommissionMember.objects.create(competition=competition, person=head, role=CommissionMember.Role.CHAIR, stage=2)
    CommissionMember.objects.create(competition=competition, person=odd, stage=1)
    return head, odd, administrator, competition


def test_roles_csv_has_every_role_of_every_kind(roles):
    head, _odd, _administrator, competition = roles

    written, rows = roles_csv()

    by_kind = {kind: sum(1 for row in rows if row["role_type"] == kind) for kind in count_sql()}
    assert by_kind == count_sql() == {"organisation_role": 3, "administrator_official": 1, "commission_member": 2}
    assert written == len(rows) == sum(count_sql().values())
    (post,) = [row for row in rows if row["role_type"] == "administrator_official"]
    assert (post["body_id"], post["title"], post["source"]) == ("dept-x", "Deputy head", "administrator")
    assert post["person_name_key"] == head.name_key == "aliev nurlan"
    assert post["person_url"].endswith(reverse("registry:person_detail", args=[head.pk]))
    (chair,) = [row for row in rows if row["role"] == "chair"]
    assert (chair["body_id"], chair["stage"], chair["role_label"]) == (competition.public_id, "2", "chair")
    assert {row["role"] for row in rows if row["role_type"] == "organisation_role"} == set(OrganisationRole.Kind.values)
    assert [row["ended_on"] for row in rows if row["role"] == "board_member"] == ["2021-01-01"]


def test_roles_csv_goes_through_the_one_writer_and_names_no_identification_number(roles):
    _written, rows = roles_csv()

    assert "'=HYPERLINK(1)" in {row["person_name_en"] for row in rows}
    assert not [column for column in rows[0] if "iin" in column.lower() or "иин" in column.lower()]


def test_exports_page_offers_the_roles_download(client):
    page = client.get(reverse("opendata:exports")).content.decode()

    assert "People in public roles (CSV)" in page


def test_ocds_carries_a_lots_specification_and_no_person(roles):
    """The lots extension's `description` is the lot's specification; people (commission members, heads) are
    not OCDS parties (docs/exports.md)."""
    _head, _odd, _administrator, competition = roles
    Lot.objects.filter(competition=competition, number=1).update(specification="Shelter for 40 people.")
    stream = io.StringIO()
    EXPORT_KINDS["ocds"].write(stream)
    document = json.loads(stream.getvalue())

    (release,) = [r for r in document["releases"] if r.get("tender", {}).get("id") and "tender" in r["tag"]]
    assert release["tender"]["lots"][0]["description"] == "Shelter for 40 people."
    assert "Нурлан" not in stream.getvalue() and "HYPERLINK" not in stream.getvalue()
    assert {role for party in release["parties"] for role in party["roles"]} <= {"buyer", "procuringEntity", "tenderer"}
