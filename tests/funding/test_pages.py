from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from funding import services
from funding.models import Administrator, Mechanism
from tests.funding.factories import clerk, make_administrator, make_award, make_competition
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db
EXPLORER = reverse("funding:explorer")


def raw(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


@pytest.fixture
def money():
    ministry = make_administrator(kind=Administrator.Kind.CENTRAL_MINISTRY, region=None, code="ministry")
    akimat = make_administrator(kind=Administrator.Kind.REGIONAL_AKIMAT, code="akimat")
    department = make_administrator(parent=akimat, code="akimat-dept")
    alpha = make_organisation(name_en="Alpha", fields=("health", "women"))
    beta = make_organisation(name_en="Beta", fields=("women",), region="KZ-75")
    awards = [
        make_award(
            recipient=alpha,
            administrator=ministry,
            amount="1000000.50",
            awarded_on=datetime.date(2019, 3, 1),
            region="KZ-71",
        ),
        make_award(recipient=alpha, administrator=department, amount="2500000", awarded_on=datetime.date(2020, 2, 1)),
        make_award(
            recipient=beta,
            administrator=department,
            amount="700000.25",
            awarded_on=datetime.date(2020, 12, 20),
            field="women",
            region="KZ-75",
        ),
        make_award(
            recipient=beta,
            administrator=akimat,
            amount="300000",
            mechanism=Mechanism.STATE_GRANT,
            awarded_on=datetime.date(2021, 5, 5),
            field="women",
        ),
    ]
    return {
        "ministry": ministry,
        "akimat": akimat,
        "department": department,
        "alpha": alpha,
        "beta": beta,
        "awards": awards,
    }


def test_totals_reconcile_with_raw_sql(anonymous, money):
    result = anonymous.get(EXPLORER).context["result"]
    (total,) = raw("SELECT SUM(amount) FROM funding_award")[0]
    assert result.total == Decimal(str(total)) == Decimal("4500000.75")
    by_year = dict(
        raw("SELECT CAST(strftime('%Y', awarded_on) AS INTEGER), SUM(amount) FROM funding_award GROUP BY 1")
        if connection.vendor == "sqlite"
        else raw("SELECT EXTRACT(YEAR FROM awarded_on)::int, SUM(amount) FROM funding_award GROUP BY 1")
    )
    assert {r.year: r.total for r in result.by_year} == {y: Decimal(str(v)) for y, v in by_year.items()}
    by_region = dict(raw("SELECT region_id, SUM(amount) FROM funding_award GROUP BY region_id"))
    assert {r.key: r.total for r in result.by_region} == {k: Decimal(str(v)) for k, v in by_region.items()}
    by_admin = dict(
        raw(
            "SELECT a.code, SUM(w.amount) FROM funding_award w JOIN funding_administrator a "
            "ON a.id = w.administrator_id GROUP BY a.code"
        )
    )
    assert {r.key: r.total for r in result.by_administrator} == {k: Decimal(str(v)) for k, v in by_admin.items()}
    republican = raw(
        "SELECT SUM(w.amount) FROM funding_award w JOIN funding_administrator a ON a.id = "
        "w.administrator_id WHERE a.budget_level = 'republican'"
    )[0][0]
    assert sum(r.republican for r in result.by_year) == Decimal(str(republican))
    assert [r.label for r in result.top_recipients] == ["Alpha", "Beta"]


def test_an_administrator_includes_its_departments(anonymous, money):
    result = anonymous.get(EXPLORER, {"administrator": "akimat"}).context["result"]
    assert result.total == Decimal("3500000.25")
    result = anonymous.get(EXPLORER, {"administrator": "akimat-dept"}).context["result"]
    assert result.total == Decimal("3200000.25")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"mechanism": "state_grant"}, "300000"),
        ({"budget": "republican"}, "1000000.50"),
        ({"region": "KZ-75"}, "700000.25"),
        ({"field": "women"}, "1000000.25"),
        ({"year_from": "2020", "year_to": "2020"}, "3200000.25"),
        ({"amount_min": "500000", "amount_max": "1000000.50"}, "1700000.75"),
        ({"active_from": "2021-01-01"}, "1000000.25"),
        ({"active_to": "2019-12-31"}, "1000000.50"),
    ],
)
def test_filters(anonymous, money, params, expected):
    assert anonymous.get(EXPLORER, params).context["result"].total == Decimal(expected)


def test_filter_by_recipient_org_id(anonymous, money):
    result = anonymous.get(EXPLORER, {"recipient": money["beta"].org_id}).context["result"]
    assert result.total == Decimal("1000000.25") and result.count == 2


@pytest.mark.parametrize(
    "params",
    [
        {"administrator": "nobody"},
        {"recipient": "KZ-BIN-000000000000"},
        {"year_from": "soon"},
        {"amount_min": "lots"},
        {"active_from": "2020-13-01"},
        {"region": "KZ-99"},
        {"page": "x"},
    ],
)
def test_bad_filters_are_reported_by_field_never_a_500(anonymous, money, params):
    response = anonymous.get(EXPLORER, params)
    assert response.status_code == 400  # the page, with the problem named (issue 14: strict parameters)
    if "page" not in params:
        assert set(params) <= set(response.context["filterset"].form.errors)
        assert response.context["result"].total == Decimal("4500000.75")  # the bad filter is not applied


def test_published_totals_show_unknown_as_unknown(anonymous, money):
    from funding.models import PublishedTotal

    PublishedTotal.objects.create(year=2010, mechanism="social_order", budget_level="all", amount=None, source="test")
    PublishedTotal.objects.create(
        year=2019, mechanism="social_order", budget_level="all", amount=Decimal("1231000000"), source="test"
    )
    response = anonymous.get(EXPLORER, {"mechanism": "social_order"})
    rows = {r.year: r for r in response.context["result"].by_year}
    assert rows[2010].published is None and rows[2010].published_known and rows[2010].count == 0
    assert rows[2019].published == Decimal("1231000000")
    assert "<strong>unknown</strong>" in response.content.decode()
    assert not anonymous.get(EXPLORER, {"region": "KZ-55"}).context["result"].shows_published


@pytest.mark.parametrize(
    "view", ["awards", "by_year", "by_mechanism", "by_administrator", "by_region", "by_field", "recipients"]
)
def test_every_view_downloads_as_csv_with_the_same_total(anonymous, money, view):
    rows = csv_rows(anonymous.get(reverse("opendata:explorer_csv"), {"view": view, "region": "KZ-55"}))
    column = "amount_kzt" if view == "awards" else "total_kzt"
    assert sum(Decimal(r[column]) for r in rows) == Decimal("2800000")


def test_award_csv_has_labels_beside_codes(anonymous, money):
    (row,) = csv_rows(anonymous.get(reverse("opendata:explorer_csv"), {"view": "awards", "region": "KZ-75"}))
    assert row["mechanism"] == "social_order" and row["mechanism_label"] == "state social order"
    assert row["region_label"] == "Almaty (city)" and row["recipient_org_id"] == money["beta"].org_id
    assert row["grant_id_360"] == f"360G-qogam-{money['awards'][2].public_id}"


def test_unknown_csv_view_is_404(anonymous):
    assert anonymous.get(reverse("opendata:explorer_csv"), {"view": "everything"}).status_code == 404


def _count(django_assert_max_num_queries, client, url, params=None, budget=16):
    with django_assert_max_num_queries(budget) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"administrator": "akimat", "region": "KZ-55"}, {"recipient": "x"}])
def test_explorer_query_count_does_not_grow_with_rows(
    anonymous, money, warm_caches, django_assert_max_num_queries, params
):
    warm_caches()
    if params.get("recipient"):
        params = {"recipient": money["alpha"].org_id}
    few = _count(django_assert_max_num_queries, anonymous, EXPLORER, params)
    for n in range(40):
        make_award(
            recipient=money["alpha"] if n % 2 else make_organisation(fields=("health",)),
            administrator=money["department"],
            amount=str(1000 + n),
            awarded_on=datetime.date(2015 + n % 8, 3, 1),
        )
    assert _count(django_assert_max_num_queries, anonymous, EXPLORER, params) == few


def test_award_page_tells_the_whole_story(anonymous, money):
    department = money["department"]
    competition, (lot,) = make_competition(department, year=2020)
    winner = make_organisation(name_en="Winner", fields=("health",))
    services.application_create(
        acting_user=clerk(), lot=lot, applicant=winner, outcome="won", amount_requested=Decimal("900000")
    )
    services.application_create(
        acting_user=clerk(), lot=lot, applicant=make_organisation(name_en="Loser"), outcome="lost"
    )
    services.application_create(
        acting_user=clerk(),
        lot=lot,
        applicant=make_organisation(name_en="Rejected one"),
        outcome="rejected",
        rejection_reason="documents incomplete",
    )
    award = make_award(
        recipient=winner,
        administrator=department,
        competition=competition,
        lot=lot,
        amount="900000",
        awarded_on=datetime.date(2020, 2, 12),
    )
    services.payment_create(
        acting_user=clerk(), award=award, paid_on=datetime.date(2020, 3, 1), amount=Decimal("270000"), kind="advance"
    )
    services.award_amend(
        acting_user=clerk(),
        award=award,
        field_name="ends_on",
        new_value="2020-12-15",
        reason="Extended by agreement",
        amended_on=datetime.date(2020, 6, 1),
    )
    services.evaluation_record(
        acting_user=clerk(), award=award, report_due_on=datetime.date(2020, 12, 25), evaluator="Public experts"
    )
    html = anonymous.get(award.get_absolute_url()).content.decode()
    for text in [
        "Winner",
        "Loser",
        "documents incomplete",
        "270,000",
        "630,000",
        "Extended by agreement",
        "Public experts",
        "contracted",
        competition.reference,
        "Lot 1",
    ]:
        assert text in html, text


def test_award_page_query_count_does_not_grow_with_applicants_and_payments(
    anonymous, money, warm_caches, django_assert_max_num_queries
):
    competition, lots = make_competition(money["department"], lots=2)
    winner = make_organisation(fields=("health",))
    services.application_create(acting_user=clerk(), lot=lots[0], applicant=winner, outcome="won")
    award = make_award(
        recipient=winner,
        administrator=money["department"],
        competition=competition,
        lot=lots[0],
        amount="900000",
        awarded_on=datetime.date(2020, 2, 12),
    )
    warm_caches()
    few = _count(django_assert_max_num_queries, anonymous, award.get_absolute_url())
    for n in range(10):
        services.application_create(acting_user=clerk(), lot=lots[n % 2], applicant=make_organisation(), outcome="lost")
        services.payment_create(
            acting_user=clerk(),
            award=award,
            paid_on=datetime.date(2020, 3, 1 + n),
            amount=Decimal("1000"),
            kind="interim",
        )
    assert _count(django_assert_max_num_queries, anonymous, award.get_absolute_url()) == few


def test_unknown_award_is_404(anonymous):
    assert anonymous.get(reverse("funding:award_detail", args=["NOPE"])).status_code == 404


def test_funder_page_totals_its_family(anonymous, money, warm_caches, django_assert_max_num_queries):
    url = money["akimat"].get_absolute_url()
    page = anonymous.get(url).context["page"]
    assert page.total == Decimal("3500000.25") and page.family_size == 2
    warm_caches()
    few = _count(django_assert_max_num_queries, anonymous, url)
    for n in range(15):
        make_award(administrator=money["department"], amount=str(5000 + n))
    assert _count(django_assert_max_num_queries, anonymous, url) == few
    assert anonymous.get(reverse("funding:funder_detail", args=["nobody"])).status_code == 404


def test_organisation_funding_tab(anonymous, money, warm_caches, django_assert_max_num_queries):
    alpha = money["alpha"]
    url = reverse("funding:organisation_funding", args=[alpha.org_id])
    funding = anonymous.get(url).context["funding"]
    assert funding.total == Decimal("3500000.50")
    assert [r["year"] for r in funding.by_year] == [2020, 2019]
    html = anonymous.get(url).content.decode()
    assert 'aria-current="page" href="' + url in html
    warm_caches()
    few = _count(django_assert_max_num_queries, anonymous, url)
    for n in range(12):
        make_award(recipient=alpha, amount=str(100 + n), awarded_on=datetime.date(2011 + n % 10, 4, 1))
    assert _count(django_assert_max_num_queries, anonymous, url) == few


def test_funding_tab_of_a_merged_record_redirects(anonymous, money):
    from registry.models import Organisation

    loser = make_organisation()
    Organisation.objects.filter(pk=loser.pk).update(merged_into=money["alpha"])
    response = anonymous.get(reverse("funding:organisation_funding", args=[loser.org_id]))
    assert response.status_code == 301
    assert response["Location"] == reverse("funding:organisation_funding", args=[money["alpha"].org_id])


def test_funder_and_organisation_totals_reconcile_with_raw_sql(anonymous, money):
    page = anonymous.get(money["akimat"].get_absolute_url()).context["page"]
    (family_total,) = raw(
        "SELECT SUM(w.amount) FROM funding_award w JOIN funding_administrator a ON a.id = w.administrator_id "
        "WHERE a.id = %s OR a.parent_id = %s",
        [money["akimat"].pk, money["akimat"].pk],
    )[0]
    assert page.total == Decimal(str(family_total))
    assert sum(r.total for r in page.by_year) == page.total
    funding = anonymous.get(reverse("funding:organisation_funding", args=[money["beta"].org_id])).context["funding"]
    rows = raw(
        "SELECT mechanism, SUM(amount) FROM funding_award WHERE recipient_id = %s GROUP BY mechanism",
        [money["beta"].pk],
    )
    by_mechanism = {m: Decimal(str(s)) for m, s in rows}
    assert funding.total == sum(by_mechanism.values())
    codes = [code for code, _ in funding.mechanisms]
    cells = {code: sum(row["cells"][i] for row in funding.by_year) for i, code in enumerate(codes)}
    assert cells == by_mechanism


def test_a_competitions_awarded_total_is_not_multiplied_by_its_lots(anonymous, money):
    """Issue 15: Count("lots") and Sum("awards__amount") in one annotate multiplied each sum by the lots."""
    competition, lots = make_competition(money["akimat"], lots=4)
    for lot, amount in zip(lots[:2], ("1000000.00", "1100000.50"), strict=True):
        make_award(administrator=money["akimat"], competition=competition, lot=lot, amount=amount)
    page = anonymous.get(money["akimat"].get_absolute_url()).context["page"]
    (row,) = [c for c in page.competitions if c.pk == competition.pk]
    (expected,) = raw("SELECT SUM(amount) FROM funding_award WHERE competition_id = %s", [competition.pk])[0]
    assert row.lot_count == 4
    assert row.award_total == Decimal(str(expected)) == Decimal("2100000.50")
