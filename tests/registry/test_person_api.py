"""/api/v1/people/ (issue 17): the search in any script, a person with roles, posts, seats and money while head;
roles on the organisation profile. Reads are public; lists in constant queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.models import AdministratorOfficial, CommissionMember
from registry.models import OrganisationRole, Person, RoleSource
from tests.funding.factories import make_administrator, make_award, make_competition
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db

D = datetime.date


def role(person, organisation, kind=OrganisationRole.Kind.HEAD, **dates):
    return OrganisationRole.objects.create(
        person=person, organisation=organisation, kind=kind, source=RoleSource.STATE_REGISTER, **dates
    )


@pytest.mark.parametrize("query", ["Нұрлан Әлиев", "нурлан алиев", "Aliev Nurlan", "Нурл"])
def test_people_list_finds_the_person_in_any_script(client, query):
    nurlan = Person.objects.create(name_kk="Нұрлан Әлиев", name_ru="Нурлан Алиев")
    Person.objects.create(name_ru="Айгуль Сейтова")

    body = client.get(reverse("api:people"), {"q": query}).json()

    assert [row["id"] for row in body["results"]] == [nurlan.pk]
    row = body["results"][0]
    assert row["name_kk"] == "Нұрлан Әлиев" and row["name_key"] == "aliev nurlan"
    assert row["url"].endswith(f"/people/{nurlan.pk}/") and row["api_url"].endswith(f"/api/v1/people/{nurlan.pk}/")
    assert "iin" not in {key.lower() for key in row}


def test_people_list_in_constant_queries(client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("api:people"), {"q": "алиев"}).status_code == 200
        return len(queries)

    Person.objects.create(name_ru="Алиев Нурлан")
    few = count()
    for i in range(30):
        Person.objects.create(name_ru=f"Алиев Ерлан{i}")
    for alias in caches:  # the anonymous read is cached by data version; measure the work, not the cache
        caches[alias].clear()
    assert count() == few


def test_person_detail_carries_roles_posts_seats_and_money_while_head(client):
    person = Person.objects.create(name_ru="Нурлан Алиев", name_en="Nurlan Aliev")
    organisation = make_organisation()
    role(person, organisation, started_on=D(2019, 1, 1), ended_on=D(2020, 12, 31))
    administrator = make_administrator(code="akimat-x")
    make_award(recipient=organisation, administrator=administrator, awarded_on=D(2020, 5, 1), amount="250000")
    make_award(recipient=organisation, administrator=administrator, awarded_on=D(2021, 5, 1), amount="999")
    AdministratorOfficial.objects.create(
        person=person, administrator=administrator, position="Deputy head", source=RoleSource.ADMINISTRATOR
    )
    competition, _lots = make_competition(administrator)
    CommissionMember.objects.create(competition=competition, person=person, role=CommissionMember.Role.CHAIR)

    body = client.get(reverse("api:person", args=[person.pk])).json()

    assert body["organisation_roles"] == [
        {
            "started_on": "2019-01-01",
            "ended_on": "2020-12-31",
            "source": {"code": "state_register", "label": "state register extract"},
            "source_note": "",
            "organisation": organisation.org_id,
            "organisation_name": organisation.name,
            "kind": {"code": "head", "label": "head"},
            "title": "",
        }
    ]
    assert [(p["administrator"], p["position"]) for p in body["official_posts"]] == [("akimat-x", "Deputy head")]
    assert [(s["competition"], s["role"]["code"], s["stage"]) for s in body["commission_seats"]] == [
        (competition.public_id, "chair", 1)
    ]
    assert body["money_while_head"] == [
        {"organisation": organisation.org_id, "organisation_name": organisation.name, "awards": 1, "total": "250000.00"}
    ]
    assert Decimal(body["money_while_head"][0]["total"]) == Decimal("250000")


def test_unknown_person_is_a_json_404(client):
    response = client.get(reverse("api:person", args=[424242]))
    assert response.status_code == 404 and "no person" in response.json()["detail"]


def test_organisation_profile_lists_its_roles_with_the_person(client):
    organisation = make_organisation()
    head = Person.objects.create(name_ru="Нурлан Алиев")
    founder = Person.objects.create(name_ru="Айгуль Сейтова")
    role(founder, organisation, kind=OrganisationRole.Kind.FOUNDER, started_on=D(2010, 5, 1))
    role(head, organisation, started_on=D(2019, 1, 1))

    body = client.get(reverse("api:organisation", args=[organisation.org_id])).json()

    assert [(r["kind"]["code"], r["person"]["id"]) for r in body["roles"]] == [
        ("head", head.pk),
        ("founder", founder.pk),
    ]
    assert body["roles"][0]["person"]["url"].endswith(f"/people/{head.pk}/")
