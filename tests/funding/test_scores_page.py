"""Why the winner won (issue 17): the award page's table of the commission's scores by member and criterion,
its totals and ranks reconciled in raw SQL; the lot's specification; the competition page's lots, scores and
commission; constant query counts whatever the rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding import services
from funding.models import Application, CommissionMember, CommissionScore, Lot
from registry.models import Person
from tests.funding.factories import make_administrator, make_award, make_competition
from tests.registry.factories import clerk, make_organisation

pytestmark = pytest.mark.django_db

CRITERIA = ("social contribution", "experience")


def scored_competition(applicants: int = 3, members: int = 2):
    """One competition, one lot with a specification, `applicants` applications scored by `members` members on
    two criteria (out of 10), the first stage-1 member the chair; the best scored won and got the award."""
    administrator = make_administrator()
    competition, (lot,) = make_competition(administrator)
    Lot.objects.filter(pk=lot.pk).update(specification="Shelter for 40 people.\nOpen all year.")
    seats = [
        CommissionMember.objects.create(
            competition=competition,
            person=Person.objects.create(name_ru=f"Член комиссии {n}"),
            role=CommissionMember.Role.CHAIR if n == 0 else CommissionMember.Role.MEMBER,
        )
        for n in range(members)
    ]
    applications = [
        services.application_create(
            lot=lot,
            applicant=make_organisation(name_ru=f"Заявитель {n}"),
            amount_requested=Decimal("1000000"),
            outcome=Application.Outcome.WON if n == 0 else Application.Outcome.LOST,
            acting_user=clerk(),
        )
        for n in range(applicants)
    ]
    for a, application in enumerate(applications):
        for m, seat in enumerate(seats):
            for c, criterion in enumerate(CRITERIA):
                CommissionScore.objects.create(
                    application=application,
                    member=seat,
                    criterion=criterion,
                    score=Decimal(9 - a) - Decimal(m + c) / 2,
                    max_score=Decimal(10),
                )
    award = make_award(
        recipient=applications[0].applicant, administrator=administrator, competition=competition, lot=lot
    )
    return award, lot, seats, applications


def totals_sql(lot_id: int) -> dict[int, Decimal]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.application_id, SUM(s.score) FROM funding_commissionscore s "
            "JOIN funding_application a ON a.id = s.application_id WHERE a.lot_id = %s GROUP BY s.application_id",
            [lot_id],
        )
        return {row[0]: Decimal(row[1]) for row in cursor.fetchall()}


def score_table(response, lot):
    (shown,) = [x for x in response.context["award"].competition.lots.all() if x.pk == lot.pk]
    return shown.score_table


def test_award_page_table_totals_and_ranks_reconcile_with_the_scores(client):
    award, lot, seats, applications = scored_competition()
    tied = Application.objects.create(lot=lot, applicant=make_organisation(), outcome=Application.Outcome.LOST)
    for score in CommissionScore.objects.filter(application=applications[2]):  # the same total as the third
        CommissionScore.objects.create(
            application=tied, member=score.member, criterion=score.criterion, score=score.score
        )
    unscored = Application.objects.create(lot=lot, applicant=make_organisation(), outcome=Application.Outcome.LOST)

    table = score_table(client.get(award.get_absolute_url()), lot)

    expected = totals_sql(lot.pk)
    assert {row.application.pk: row.total for row in table.rows if row.total is not None} == expected
    assert [row.application.pk for row in table.rows] == [
        *(a.pk for a in applications[:2]),
        applications[2].pk,
        tied.pk,
        unscored.pk,
    ]
    assert [row.rank for row in table.rows] == [1, 2, 3, 3, None]
    assert all(sum(c for c in row.cells if c is not None) == row.total for row in table.rows if row.total)
    assert [(c.member.pk, c.criterion, c.max_score) for c in table.columns] == [
        (seat.pk, criterion, Decimal(10)) for seat in seats for criterion in CRITERIA
    ]
    assert [(m.pk, span) for m, span in table.member_spans] == [(seat.pk, 2) for seat in seats]


def test_award_page_shows_the_specification_the_scores_and_the_commission(client):
    award, _lot, seats, applications = scored_competition()

    html = client.get(award.get_absolute_url()).content.decode()

    why = html[html.index('id="why"') :]
    assert "Shelter for 40 people." in why and "Open all year." in why
    assert f"/people/{seats[0].person_id}/" in why and "Член комиссии 1" in why
    assert "social contribution" in why and "/ 10" in why
    total = sum(s.score for s in CommissionScore.objects.filter(application=applications[0]))
    assert f"<strong>{total:.2f}</strong>" in why
    assert 'id="commission"' in html and "chair" in html[html.index('id="commission"') :]


def test_award_without_scores_says_so(client):
    award, _lot, _seats, _applications = scored_competition()
    CommissionScore.objects.all().delete()

    html = client.get(award.get_absolute_url()).content.decode()

    assert "No scores of this lot's applications are recorded." in html


def count_queries(client, url) -> int:
    client.get(url)  # warm the caches every page reads
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["award", "competition"])
def test_award_and_competition_pages_in_constant_queries(client, page):
    small, *_ = scored_competition(applicants=2, members=1)
    large, *_ = scored_competition(applicants=7, members=5)
    url = (lambda a: a.get_absolute_url()) if page == "award" else (lambda a: a.competition.get_absolute_url())

    assert count_queries(client, url(small)) == count_queries(client, url(large))


def test_competition_page_lists_lots_with_specification_scores_and_the_commission(client):
    award, lot, seats, _applications = scored_competition()
    second = services.lot_create(
        acting_user=clerk(), competition=award.competition, number=2, title="Lot 2", planned_amount=Decimal(500000)
    )

    response = client.get(award.competition.get_absolute_url())
    html = response.content.decode()

    assert "Shelter for 40 people." in html and "Lot 2" in html
    lots = {x.pk: x for x in response.context["competition"].lots.all()}
    assert lots[second.pk].score_table is None
    assert {row.application.pk: row.total for row in lots[lot.pk].score_table.rows} == totals_sql(lot.pk)
    commission = html[html.index('id="commission"') :]
    for seat in seats:
        assert f"/people/{seat.person_id}/" in commission
    assert commission.index("Член комиссии 0") < commission.index("Член комиссии 1")  # the chair first


# ---------------------------------------------------------------- the API


def test_award_api_carries_every_score_and_the_commission(client):
    award, lot, seats, applications = scored_competition()

    body = client.get(reverse("api:award", args=[award.public_id])).json()

    by_application = {}
    for score in body["scores"]:
        by_application[score["applicant"]] = by_application.get(score["applicant"], 0) + Decimal(score["score"])
    expected = {
        a.applicant.org_id: total for a in applications for pk, total in totals_sql(lot.pk).items() if pk == a.pk
    }
    assert by_application == expected
    assert len(body["scores"]) == CommissionScore.objects.count()
    assert {(s["member"], s["criterion"], s["max_score"], s["lot"]) for s in body["scores"]} == {
        (seat.person_id, criterion, "10.00", lot.number) for seat in seats for criterion in CRITERIA
    }
    assert [(m["person"]["id"], m["role"]["code"]) for m in body["commission"]] == [
        (seats[0].person_id, "chair"),
        (seats[1].person_id, "member"),
    ]


def test_award_api_in_constant_queries(client):
    small, *_ = scored_competition(applicants=2, members=1)
    large, *_ = scored_competition(applicants=6, members=4)

    def count(award) -> int:
        client.get(reverse("api:award", args=[small.public_id]))  # warm the caches every read uses
        caches["default"].clear()  # an anonymous read is kept whole: measure the work, not the cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("api:award", args=[award.public_id])).status_code == 200
        return len(queries)

    assert count(small) == count(large)


def test_competitions_api_carries_the_commission_and_the_specification(client):
    award, _lot, seats, _applications = scored_competition()

    body = client.get(reverse("api:competitions")).json()

    (competition,) = [c for c in body["results"] if c["public_id"] == award.competition.public_id]
    assert [m["person"]["name"] for m in competition["commission"]] == ["Член комиссии 0", "Член комиссии 1"]
    assert (
        competition["commission"][0]["stage"] == 1
        and seats[0].person_id == competition["commission"][0]["person"]["id"]
    )
    assert competition["lots"][0]["specification"] == "Shelter for 40 people.\nOpen all year."
