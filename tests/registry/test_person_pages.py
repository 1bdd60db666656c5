"""The people search and a person's public page (issue 17): names in any script, roles over time, and the money
the organisations a person headed received while they did, reconciled in raw SQL."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.models import AdministratorOfficial, CommissionMember
from registry.models import OrganisationRole, Person, RoleSource
from tests.funding.factories import make_administrator, make_award, make_competition
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db

D = datetime.date


def make_person(**names) -> Person:
    return Person.objects.create(**names)


def add_role(person, organisation, kind=OrganisationRole.Kind.HEAD, started_on=None, ended_on=None):
    return OrganisationRole.objects.create(
        person=person,
        organisation=organisation,
        kind=kind,
        started_on=started_on,
        ended_on=ended_on,
        source=RoleSource.STATE_REGISTER,
    )


def search(client, q):
    response = client.get(reverse("registry:people"), {"q": q})
    assert response.status_code == 200
    return list(response.context["page"].object_list)


# ---------------------------------------------------------------- search


@pytest.mark.parametrize("query", ["Нұрлан Әлиев", "Нурлан Алиев", "Aliev Nurlan", "ALIEV nurlan", "Алиев"])
def test_search_finds_a_person_in_any_script_and_spelling(client, query):
    nurlan = make_person(name_kk="Нұрлан Әлиев", name_ru="Нурлан Алиев")
    make_person(name_ru="Айгуль Сейтова")
    make_person(name_ru="Нурлан Галиев")  # "Алиев" is inside "Галиев" but does not begin a word of it

    assert search(client, query) == [nurlan]


def test_search_matches_the_beginning_of_each_word_and_puts_whole_names_first(client):
    nurlan = make_person(name_ru="Нурлан Алиев")
    nurlanbek = make_person(name_ru="Нурланбек Алиев")
    make_person(name_ru="Нурлан Сейтов")

    assert search(client, "Али Нурл") == [nurlan, nurlanbek]
    assert search(client, "Нурлан Алиев") == [nurlan, nurlanbek]  # the whole name first, then the longer one
    assert search(client, "Алиев Нурланбек") == [nurlanbek]


def test_search_page_shows_names_and_roles_with_links(client):
    organisation = make_organisation(name_ru="Фонд Шаңырақ")
    person = make_person(name_kk="Нұрлан Әлиев", name_ru="Нурлан Алиев", name_en="Nurlan Aliyev")
    add_role(person, organisation, started_on=D(2019, 1, 1))

    html = client.get(reverse("registry:people"), {"q": "aliev"}).content.decode()

    assert reverse("registry:person_detail", args=[person.pk]) in html
    assert "Nurlan Aliyev" in html and "Нұрлан Әлиев" in html and "Нурлан Алиев" in html
    assert organisation.get_absolute_url() in html


def test_search_pages_in_constant_queries(client, django_assert_num_queries):
    def people(n, start):
        for i in range(start, start + n):
            person = make_person(name_ru=f"Алиев Нурлан{i:03d}")
            add_role(person, make_organisation(), started_on=D(2019, 1, 1))
            add_role(person, make_organisation(), kind=OrganisationRole.Kind.FOUNDER)

    people(3, 0)
    client.get(reverse("registry:people"), {"q": "алиев"})  # warm the caches every page reads
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("registry:people"), {"q": "алиев"})
    assert len(few) <= 4  # count, page, roles with their organisations (and the site's demo notice)
    people(20, 3)
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("registry:people"), {"q": "алиев"})
    assert response.context["page"].paginator.count == 23


# ---------------------------------------------------------------- a person's page


def money_while_head_sql(person_id: int) -> dict[int, tuple[int, Decimal]]:
    """Independently: per organisation, the awards dated within any of the person's head periods there."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.recipient_id, COUNT(*), SUM(a.amount)
            FROM funding_award a
            WHERE EXISTS (
                SELECT 1 FROM registry_organisationrole r
                WHERE r.person_id = %s AND r.kind = 'head' AND r.organisation_id = a.recipient_id
                  AND (r.started_on IS NULL OR r.started_on <= a.awarded_on)
                  AND (r.ended_on IS NULL OR a.awarded_on <= r.ended_on)
            )
            GROUP BY a.recipient_id
            """,
            [person_id],
        )
        return {row[0]: (row[1], Decimal(row[2])) for row in cursor.fetchall()}


@pytest.fixture
def headed():
    """A person who headed one organisation twice (2019-2020 and from 2022, the periods touching the award
    dates at both ends), founded another that was funded, and heads a third that never was."""
    person = make_person(name_kk="Нұрлан Әлиев", name_ru="Нурлан Алиев")
    first = make_organisation(name_ru="Первая")
    founded = make_organisation(name_ru="Основанная")
    unfunded = make_organisation(name_ru="Без денег")
    add_role(person, first, started_on=D(2019, 1, 1), ended_on=D(2020, 12, 31))
    add_role(person, first, started_on=D(2022, 3, 1))
    add_role(person, founded, kind=OrganisationRole.Kind.FOUNDER, started_on=D(2015, 1, 1))
    add_role(person, unfunded, started_on=D(2021, 1, 1))
    administrator = make_administrator()
    for day, amount in [
        (D(2018, 12, 31), "100"),  # before the first period
        (D(2019, 1, 1), "1000"),  # its first day
        (D(2020, 12, 31), "20000"),  # its last day
        (D(2021, 6, 1), "300000"),  # between the periods
        (D(2023, 5, 5), "4000000"),  # in the open period
    ]:
        make_award(recipient=first, administrator=administrator, awarded_on=day, amount=amount)
    make_award(recipient=founded, administrator=administrator, awarded_on=D(2020, 1, 1), amount="777")
    return person, first, unfunded


def test_person_page_sums_the_money_received_while_the_person_was_head(client, headed):
    person, first, unfunded = headed

    page = client.get(reverse("registry:person_detail", args=[person.pk])).context["page"]

    shown = {row.organisation.pk: (row.awards, row.total) for row in page.money_while_head}
    expected = money_while_head_sql(person.pk)
    assert expected == {first.pk: (3, Decimal("4021000"))}
    assert shown == {**expected, unfunded.pk: (0, Decimal(0))}


def test_person_page_counts_an_award_once_when_head_periods_overlap(client, headed):
    person, first, _unfunded = headed
    add_role(person, first, started_on=D(2020, 1, 1), ended_on=D(2021, 12, 31))  # overlaps both, as a register may

    page = client.get(reverse("registry:person_detail", args=[person.pk])).context["page"]

    shown = {row.organisation.pk: (row.awards, row.total) for row in page.money_while_head if row.awards}
    assert shown == money_while_head_sql(person.pk) == {first.pk: (4, Decimal("4321000"))}


def test_person_page_lists_roles_posts_and_commission_seats_with_sources(client, headed):
    person, first, _unfunded = headed
    administrator = make_administrator(name_en="Department of Internal Policy")
    AdministratorOfficial.objects.create(
        person=person,
        administrator=administrator,
        position="Head of department",
        started_on=D(2016, 1, 1),
        ended_on=D(2018, 6, 30),
        source=RoleSource.ADMINISTRATOR,
    )
    competition, _lots = make_competition(administrator)
    CommissionMember.objects.create(competition=competition, person=person, role=CommissionMember.Role.CHAIR, stage=2)

    html = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()

    assert "Нұрлан Әлиев" in html and "Нурлан Алиев" in html  # the reader's name and the other spelling
    assert first.get_absolute_url() in html and "state register extract" in html
    assert administrator.get_absolute_url() in html and "Head of department" in html
    assert "the administrator&#x27;s own publication" in html
    assert competition.get_absolute_url() in html and "chair" in html
    assert reverse("scoring:concern_new", args=["person", person.pk]) in html
    assert "4,021,000" in html


def test_person_page_in_constant_queries(client, django_assert_num_queries):
    person = make_person(name_ru="Нурлан Алиев")
    administrator = make_administrator()

    def roles(n):
        for _ in range(n):
            organisation = make_organisation()
            add_role(person, organisation, started_on=D(2019, 1, 1))
            make_award(recipient=organisation, administrator=administrator, awarded_on=D(2020, 1, 1))
            competition, _lots = make_competition(administrator)
            CommissionMember.objects.create(competition=competition, person=person)
            AdministratorOfficial.objects.create(
                person=person, administrator=make_administrator(), position="Deputy", source=RoleSource.ADMINISTRATOR
            )

    roles(1)
    url = reverse("registry:person_detail", args=[person.pk])
    client.get(url)  # warm the caches every page reads
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    assert len(few) <= 12
    roles(6)
    with django_assert_num_queries(len(few)):
        client.get(url)


def test_unknown_person_is_a_404(client):
    assert client.get(reverse("registry:person_detail", args=[987654])).status_code == 404


# ---------------------------------------------------------------- the organisation's profile


def test_profile_lists_its_head_founders_and_board_past_and_present_with_links(client):
    organisation = make_organisation()
    head = make_person(name_ru="Нурлан Алиев")
    former = make_person(name_ru="Айгуль Сейтова")
    board = make_person(name_en="Dana Omarova")
    add_role(former, organisation, started_on=D(2012, 1, 1), ended_on=D(2018, 12, 31))
    add_role(head, organisation, started_on=D(2019, 1, 1))
    add_role(board, organisation, kind=OrganisationRole.Kind.BOARD_MEMBER, started_on=D(2019, 1, 1))

    html = client.get(organisation.get_absolute_url()).content.decode()

    section = html[html.index('id="people"') :]
    for person in (head, former, board):
        assert reverse("registry:person_detail", args=[person.pk]) in section
    assert section.index("Нурлан Алиев") < section.index("Айгуль Сейтова") < section.index("Dana Omarova")
    assert "board member" in section
