"""/sector/ and its CSV, /transparency/ and the concentration table: every figure against raw SQL on the demo."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.urls import reverse

from tests.reconciliation.conftest import csv_rows, money, sql

pytestmark = pytest.mark.django_db

# CSI organisation indicators as raw SQL over a yearly report `y`: (positive, known), written from DOMAIN §4.
POSITIVE_DECISIONS = "('members', 'elected_board', 'elected_leader', 'staff')"
VOLUNTEERS_KNOWN = "y.paid_staff IS NOT NULL AND y.volunteers IS NOT NULL AND y.paid_staff + y.volunteers > 0"
INDICATORS = {
    **{
        code: (f"y.{column} = TRUE", f"y.{column} IS NOT NULL")
        for code, column in {
            "2.1.1": "has_board",
            "2.2.1": "network_member",
            "2.3.1": "met_other_csos",
            "2.3.2": "exchanged_information",
            "2.5.1": "stable_finances",
            "2.5.2": "technology_access",
            "3.2.1": "equal_opportunity_policy",
            "3.2.2": "staff_in_unions",
            "3.2.3": "labour_rights_training",
            "3.2.4": "labour_policy_public",
            "3.3.1": "code_of_conduct_public",
            "3.3.2": "financial_info_public",
            "3.4.1": "environmental_policy_public",
        }.items()
    },
    "2.4.1": (f"{VOLUNTEERS_KNOWN} AND 4 * y.volunteers <= y.paid_staff + y.volunteers", VOLUNTEERS_KNOWN),
    "3.1.1": (f"y.decision_making IN {POSITIVE_DECISIONS}", "y.decision_making <> ''"),
}
SEGMENTS = {
    "all": "1 = 1",
    "region:KZ-71": "o.region_id = 'KZ-71'",
    "legal_form:foundation": "o.legal_form_id = 'foundation'",
    "field:women": (
        "EXISTS (SELECT 1 FROM registry_organisationfield f WHERE f.organisation_id = o.id AND f.field_id = 'women')"
    ),
}
YEARS = (2019, 2024)
YEAR = "CAST(SUBSTR(CAST(w.awarded_on AS TEXT), 1, 4) AS INTEGER)"


def _one_decimal(value: Fraction) -> float:
    return float((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP))


@pytest.mark.parametrize("segment", SEGMENTS)
@pytest.mark.parametrize("year", YEARS)
def test_the_sector_page(page, year, segment):
    summary = page(reverse("scoring:sector"), {"year": year, "segment": segment}).context["board"].summary
    assert summary is not None and (summary.year, summary.segment) == (year, segment)
    where = SEGMENTS[segment]
    reports = (
        "FROM registry_yearlyreport y JOIN registry_organisation o ON o.id = y.organisation_id "
        f"WHERE o.merged_into_id IS NULL AND y.year = {year} AND {where}"
    )
    ((filed, on_time),) = sql(
        f"SELECT COUNT(*), SUM(CASE WHEN y.submitted_on <= '{year + 1}-03-31' THEN 1 ELSE 0 END) {reports}"
    )
    assert (summary.n_organisations, summary.data["reporting"], summary.data["reporting_on_time"]) == (
        filed,
        filed,
        on_time,
    )
    year_end = f"'{year}-12-31'"
    ended = (
        "EXISTS (SELECT 1 FROM registry_statusevent e WHERE e.organisation_id = o.id "
        f"AND e.kind IN ('liquidated', 'reorganised') AND e.occurred_on <= {year_end})"
    )
    ((registered, active),) = sql(
        "SELECT COUNT(*), SUM(CASE WHEN o.status = 'active' THEN 1 ELSE 0 END) FROM registry_organisation o "
        f"WHERE o.merged_into_id IS NULL AND {where} AND (o.registered_on IS NULL OR o.registered_on <= {year_end}) "
        f"AND NOT {ended} AND NOT (o.status IN ('liquidated', 'reorganised') AND NOT EXISTS "
        "(SELECT 1 FROM registry_statusevent e WHERE e.organisation_id = o.id "
        "AND e.kind IN ('liquidated', 'reorganised')))"
    )
    assert (summary.data["registered"], summary.data["active"]) == (registered, active), "registered by the year's end"
    funding = {
        mechanism: (money(total), n)
        for mechanism, total, n in sql(
            "SELECT w.mechanism, SUM(w.amount), COUNT(*) FROM funding_award w "
            "JOIN registry_organisation o ON o.id = w.recipient_id "
            f"WHERE w.awarded_on >= '{year}-01-01' AND w.awarded_on <= {year_end} AND {where} GROUP BY w.mechanism"
        )
    }
    shown = {m: (money(f["amount"]), f["awards"]) for m, f in summary.data["funding"].items()}
    assert shown == funding
    if summary.suppressed:
        assert summary.data["indicators"] is None
        return
    exact = {}
    for code, (positive, known) in INDICATORS.items():
        ((p, k),) = sql(
            f"SELECT SUM(CASE WHEN {positive} THEN 1 ELSE 0 END), SUM(CASE WHEN {known} THEN 1 ELSE 0 END) {reports}"
        )
        exact[code] = Fraction(100 * (p or 0), k) if k else None
        cell = summary.data["indicators"][code]
        assert (cell["value"], cell["n"]) == (None if k == 0 else _one_decimal(exact[code]), k or 0), code
    subs = {}
    for sub, members in (
        ("2.1", ["2.1.1"]),
        ("2.3", ["2.3.1", "2.3.2"]),
        ("3.2", ["3.2.1", "3.2.2", "3.2.3", "3.2.4"]),
    ):
        known = [exact[c] for c in members if exact[c] is not None]
        subs[sub] = sum(known, Fraction(0)) / len(known)
        assert summary.data["subdimensions"][sub] == _one_decimal(subs[sub]), sub


def test_the_sector_csv_matches_the_summaries(page):
    rows = csv_rows(page(reverse("opendata:sector_csv")))
    ((count,),) = sql(
        "SELECT COUNT(*) FROM scoring_sectorsummary s JOIN scoring_summaryrun r ON r.id = s.run_id "
        "WHERE r.current = TRUE"
    )
    assert len(rows) == count > 0
    for row in rows:
        if row["segment"] == "all" and int(row["year"]) in YEARS:
            ((filed,),) = sql(
                "SELECT COUNT(*) FROM registry_yearlyreport y JOIN registry_organisation o ON o.id = y.organisation_id "
                "WHERE o.merged_into_id IS NULL AND y.year = %s",
                [int(row["year"])],
            )
            assert int(row["n_organisations"]) == filed


CURRENT_RUN = "(SELECT id FROM scoring_summaryrun WHERE current = TRUE)"


@pytest.mark.parametrize(
    "filters",
    [{}, {"year": "2019", "region": "KZ-71"}, {"code": "single_applicant"}, {"subject_type": "award", "year": "2021"}],
)
def test_the_transparency_page(page, filters):
    context = page(reverse("scoring:transparency"), filters).context
    where = f"f.run_id = {CURRENT_RUN}"
    if "year" in filters:
        where += f" AND f.year = {int(filters['year'])}"
    if "region" in filters:
        where += f" AND f.region = '{filters['region']}'"
    if "code" in filters:
        where += f" AND f.code = '{filters['code']}'"
    if "subject_type" in filters:
        where += f" AND f.subject_type = '{filters['subject_type']}'"
    ((total,),) = sql(f"SELECT COUNT(*) FROM scoring_flag f WHERE {where}")
    assert context["total"] == context["page"].paginator.count == total > 0
    for key in ("code", "administrator", "region", "year"):
        expected = {
            value: (n, money(m))
            for value, n, m in sql(
                f"SELECT f.{key}, COUNT(*), SUM(f.amount) FROM scoring_flag f WHERE {where} GROUP BY f.{key}"
            )
        }
        for row in context["by"][key]:
            assert (row["n"], money(row["money"])) == expected[row[key]], (key, row[key])
        assert sorted((n for n, _m in expected.values()), reverse=True)[: len(context["by"][key])] == sorted(
            (row["n"] for row in context["by"][key]), reverse=True
        ), key


def _hhi(amounts: list[Decimal]) -> Decimal:
    total = sum(amounts, Decimal(0))
    return sum(((a * 100 / total) ** 2 for a in amounts), Decimal(0)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def test_the_concentration_table(demo):
    rows = sql(
        "SELECT c.key, c.year, c.total, c.awards, c.recipients, c.hhi, c.top1_share, c.applicants "
        "FROM scoring_concentration c "
        f"WHERE c.run_id = {CURRENT_RUN} AND c.by = 'administrator'"
    )
    assert rows
    sums = sql(
        f"SELECT a.code, {YEAR}, w.recipient_id, SUM(w.amount), COUNT(*) "
        "FROM funding_award w JOIN funding_administrator a ON a.id = w.administrator_id "
        "WHERE w.mechanism IN ('social_order', 'state_grant', 'ngo_award') "
        f"GROUP BY a.code, {YEAR}, w.recipient_id"
    )
    groups: dict[tuple, list] = {}
    for code, year, _recipient, amount, n in sums:
        groups.setdefault((code, year), []).append((money(amount), n))
    assert len(groups) == len(rows)
    applied = {
        (code, year): n
        for code, year, n in sql(
            f"SELECT a.code, {YEAR.replace('w.awarded_on', 'c.announced_on')}, COUNT(DISTINCT p.applicant_id) "
            "FROM funding_application p JOIN funding_lot l ON l.id = p.lot_id "
            "JOIN funding_competition c ON c.id = l.competition_id "
            "JOIN funding_administrator a ON a.id = c.administrator_id "
            "WHERE c.mechanism IN ('social_order', 'state_grant', 'ngo_award') "
            f"GROUP BY a.code, {YEAR.replace('w.awarded_on', 'c.announced_on')}"
        )
    }
    assert any(row[-1] for row in rows), "applicants are recorded for some administrator-years"
    for key, year, total, awards, recipients, hhi, top1, applicants in rows:
        assert applicants == applied.get((key, year)), (key, year)
        amounts = sorted((a for a, _n in groups[(key, year)]), reverse=True)
        assert money(total) == sum(amounts, Decimal(0))
        assert (awards, recipients) == (sum(n for _a, n in groups[(key, year)]), len(amounts))
        assert Decimal(str(hhi)) == _hhi(amounts), (key, year)
        share = (amounts[0] * 100 / sum(amounts, Decimal(0))).quantize(Decimal("0.1"), ROUND_HALF_UP)
        assert Decimal(str(top1)) == share


def test_the_transparency_csv_has_every_flag(page):
    rows = csv_rows(page(reverse("opendata:transparency_csv"), {"year": "2019"}))
    ((count, amount),) = sql(
        f"SELECT COUNT(*), SUM(f.amount) FROM scoring_flag f WHERE f.run_id = {CURRENT_RUN} AND f.year = 2019"
    )
    assert len(rows) == count > 0
    column = next(c for c in rows[0] if c.startswith("amount"))
    assert sum((Decimal(r[column]) for r in rows if r[column]), Decimal(0)) == money(amount)


def test_the_transparency_concentration_table_ranks_only_what_arithmetic_does_not_decide(page):
    context = page(reverse("scoring:transparency"), {"year": "2019"}).context
    rows = sql(
        f"SELECT c.key, c.hhi FROM scoring_concentration c WHERE c.run_id = {CURRENT_RUN} AND c.by = 'administrator' "
        "AND c.year = 2019 AND c.recipients >= 5 ORDER BY c.hhi DESC, c.key LIMIT 15"
    )
    assert [(row.key, Decimal(str(row.hhi))) for row in context["concentration"]] == [
        (key, Decimal(str(hhi))) for key, hhi in rows
    ]
    assert all(row.administrator is not None for row in context["concentration"])
