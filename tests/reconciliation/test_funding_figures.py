"""The funding explorer, its CSVs, the funder pages, the organisation funding tab and the award page: every total,
count and share against raw SQL on the demo data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.reconciliation.conftest import csv_rows, money, sql

pytestmark = pytest.mark.django_db

YEAR = "CAST(SUBSTR(CAST(w.awarded_on AS TEXT), 1, 4) AS INTEGER)"


# Budget levels by the administrator's kind (DOMAIN §3.1: ministries and the national operators spend the
# republican budget; akimats and their departments the local budgets).
KINDS = {
    "republican": "('central_ministry', 'grant_operator', 'awards_secretariat')",
    "local": "('regional_akimat', 'regional_department', 'district_department')",
}


def _family_sql(code: str) -> str:
    """The administrator and every department below it, at any depth."""
    return (
        "WITH RECURSIVE family(id) AS (SELECT id FROM funding_administrator WHERE code = '" + code + "' "
        "UNION ALL SELECT c.id FROM funding_administrator c JOIN family f ON c.parent_id = f.id) SELECT id FROM family"
    )


def _where(filters: dict) -> str:
    """The explorer's filters as SQL over `w` (funding_award) and `a` (its administrator), written anew."""
    clauses = ["1 = 1"]
    for key, value in filters.items():
        if key in ("mechanism", "region", "field"):
            column = "w.mechanism" if key == "mechanism" else f"w.{key}_id"
            clauses.append(f"{column} IN ({', '.join(repr(v) for v in value)})")
        elif key == "year_from":
            clauses.append(f"{YEAR} >= {int(value)}")
        elif key == "year_to":
            clauses.append(f"{YEAR} <= {int(value)}")
        elif key == "budget":
            clauses.append(" OR ".join(f"a.kind IN {KINDS[v]}" for v in value).join("()"))
        elif key == "administrator":
            clauses.append(f"a.id IN ({_family_sql(value)})")
        else:
            raise AssertionError(key)
    return " AND ".join(clauses)


FROM = "FROM funding_award w JOIN funding_administrator a ON a.id = w.administrator_id"


def _grouped(column: str, where: str) -> dict:
    return {
        key: (money(total), n)
        for key, total, n in sql(f"SELECT {column}, SUM(w.amount), COUNT(*) {FROM} WHERE {where} GROUP BY {column}")
    }


EXPLORER_FILTERS = [
    {},
    {"mechanism": ["social_order"]},
    {"mechanism": ["state_grant", "ngo_award"], "year_from": "2018", "year_to": "2021"},
    {"region": ["KZ-71", "KZ-75"], "field": ["children_youth", "health"]},
    {"budget": ["local"], "year_from": "2017"},
]


@pytest.mark.parametrize(
    "filters", EXPLORER_FILTERS, ids=["none", "social", "grants+awards 2018-21", "capitals", "local"]
)
def test_the_explorer(page, filters):
    result = page(reverse("funding:explorer"), filters).context["result"]
    where = _where(filters)
    ((total, count, recipients),) = sql(
        f"SELECT SUM(w.amount), COUNT(*), COUNT(DISTINCT w.recipient_id) {FROM} WHERE {where}"
    )
    assert (result.total, result.count, result.recipients) == (money(total), count, recipients)
    assert count > 0, "a filter that selects nothing reconciles nothing"
    by_year = {
        year: (money(t), n, r, money(rep), money(loc))
        for year, t, n, r, rep, loc in sql(
            f"SELECT {YEAR}, SUM(w.amount), COUNT(*), COUNT(DISTINCT w.recipient_id), "
            f"SUM(CASE WHEN a.kind IN {KINDS['republican']} THEN w.amount ELSE 0 END), "
            f"SUM(CASE WHEN a.kind IN {KINDS['local']} THEN w.amount ELSE 0 END) "
            f"{FROM} WHERE {where} GROUP BY {YEAR}"
        )
    }
    shown = {r.year: (r.total, r.count, r.recipients, r.republican, r.local) for r in result.by_year if r.count}
    assert shown == by_year
    assert sum(r.total for r in result.by_year) == result.total
    assert {r.key: (r.total, r.count) for r in result.by_mechanism} == _grouped("w.mechanism", where)
    assert {r.key: (r.total, r.count) for r in result.by_field} == {
        k or "": v for k, v in _grouped("w.field_id", where).items()
    }
    regions = {k or "": v for k, v in _grouped("w.region_id", where).items()}
    assert {r.key: (r.total, r.count) for r in result.by_region} == regions
    administrators = _grouped("a.code", where)
    top = sorted(administrators.items(), key=lambda kv: (-kv[1][0], kv[0]))[: len(result.by_administrator)]
    assert [(r.key, r.total, r.count) for r in result.by_administrator] == [(k, t, n) for k, (t, n) in top]
    recipients_sql = sql(f"SELECT w.recipient_id, SUM(w.amount), COUNT(*) {FROM} WHERE {where} GROUP BY w.recipient_id")
    ranked = sorted(((money(t), -rid, n) for rid, t, n in recipients_sql), reverse=True)[: len(result.top_recipients)]
    assert [(int(r.key), r.total, r.count) for r in result.top_recipients] == [(-m, t, n) for t, m, n in ranked]


@pytest.mark.parametrize(
    "view", ["awards", "by_year", "by_mechanism", "by_administrator", "by_region", "by_field", "recipients"]
)
def test_the_explorer_csvs_add_up_to_the_page(page, view):
    filters = {"mechanism": ["social_order"], "year_from": "2016"}
    rows = csv_rows(page(reverse("opendata:explorer_csv"), {**filters, "view": view}))
    ((total, count),) = sql(f"SELECT SUM(w.amount), COUNT(*) {FROM} WHERE {_where(filters)}")
    amount_column = next(c for c in rows[0] if c in ("amount_kzt", "total_kzt"))
    count_column = None if view == "awards" else next(c for c in rows[0] if c in ("awards", "count"))
    assert sum(Decimal(r[amount_column]) for r in rows) == money(total), view
    assert (len(rows) if view == "awards" else sum(int(r[count_column]) for r in rows)) == count, view


def _biggest_administrators(n: int) -> list[tuple[str]]:
    return sql(
        "SELECT a.code FROM funding_administrator a JOIN funding_award w ON w.administrator_id = a.id "
        f"GROUP BY a.code ORDER BY SUM(w.amount) DESC, a.code LIMIT {n}"
    )


def test_the_funder_pages(page):
    parents = sql(
        "SELECT p.code FROM funding_administrator p WHERE EXISTS "
        "(SELECT 1 FROM funding_administrator c JOIN funding_award w ON w.administrator_id = c.id "
        "WHERE c.parent_id = p.id) "
        "ORDER BY p.code LIMIT 2"
    )
    assert parents, "the demo has administrators with departments"
    for (code,) in _biggest_administrators(3) + parents:
        result = page(reverse("funding:funder_detail", args=[code])).context["page"]
        family = f"a.id IN ({_family_sql(code)})"
        ((total, count),) = sql(f"SELECT SUM(w.amount), COUNT(*) {FROM} WHERE {family}")
        assert (result.total, result.count) == (money(total), count), code
        by_year = {
            y: (money(t), n)
            for y, t, n in sql(f"SELECT {YEAR}, SUM(w.amount), COUNT(*) {FROM} WHERE {family} GROUP BY {YEAR}")
        }
        assert {r.year: (r.total, r.count) for r in result.by_year} == by_year, code
        assert {r.key: (r.total, r.count) for r in result.by_mechanism} == _grouped("w.mechanism", family), code
        recipients = sql(
            f"SELECT w.recipient_id, SUM(w.amount), COUNT(*) {FROM} WHERE {family} GROUP BY w.recipient_id"
        )
        expected = {str(rid): (money(t), n) for rid, t, n in recipients}
        for row in result.top_recipients:
            assert expected[row.key] == (row.total, row.count), code
        assert [r.total for r in result.top_recipients] == sorted((t for t, _n in expected.values()), reverse=True)[
            : len(result.top_recipients)
        ]
        for competition in result.competitions:
            ((lots,),) = sql("SELECT COUNT(*) FROM funding_lot WHERE competition_id = %s", [competition.pk])
            ((awarded,),) = sql("SELECT SUM(amount) FROM funding_award WHERE competition_id = %s", [competition.pk])
            assert competition.lot_count == lots, competition.public_id
            assert (competition.award_total and money(competition.award_total)) == (awarded and money(awarded))


def test_the_organisation_funding_tabs(page):
    top = sql(
        "SELECT recipient_id FROM funding_award GROUP BY recipient_id ORDER BY SUM(amount) DESC, recipient_id LIMIT 4"
    )
    for (pk,) in top:
        ((bin_, local_id),) = sql("SELECT bin, local_id FROM registry_organisation WHERE id = %s", [pk])
        org_id = f"KZ-BIN-{bin_}" if bin_ else f"360G-qogam-org-{local_id}"
        funding = page(reverse("funding:organisation_funding", args=[org_id])).context["funding"]
        rows = sql(
            f"SELECT {YEAR}, w.mechanism, SUM(w.amount) FROM funding_award w WHERE w.recipient_id = %s "
            f"GROUP BY {YEAR}, w.mechanism",
            [pk],
        )
        codes = [code for code, _label in funding.mechanisms]
        shown = {(r["year"], codes[i]): cell for r in funding.by_year for i, cell in enumerate(r["cells"]) if cell}
        assert shown == {(y, m): money(t) for y, m, t in rows}
        assert funding.total == money(sum(money(t) for _y, _m, t in rows))
        assert len(funding.awards) == sql("SELECT COUNT(*) FROM funding_award WHERE recipient_id = %s", [pk])[0][0]


def test_the_award_pages(page):
    awards = sql(
        "SELECT w.public_id, w.amount FROM funding_award w WHERE EXISTS "
        "(SELECT 1 FROM funding_payment p WHERE p.award_id = w.id) ORDER BY w.public_id LIMIT 5"
    )
    for public_id, amount in awards:
        context = page(reverse("funding:award_detail", args=[public_id])).context
        ((paid,),) = sql(
            "SELECT SUM(p.amount) FROM funding_payment p JOIN funding_award w ON w.id = p.award_id "
            "WHERE w.public_id = %s",
            [public_id],
        )
        assert money(context["paid"]) == money(paid)
        assert money(context["unpaid"]) == money(amount) - money(paid)
