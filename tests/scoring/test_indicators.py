"""Every scoring rule on plain values: no database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from scoring import indicators as ind


@pytest.mark.parametrize(
    ("paid", "volunteers", "value"),
    [
        (3, 1, 100),  # 25% exactly: positive
        (2, 1, 0),  # 33%
        (10, 0, 100),
        (0, 5, 0),
        (0, 0, None),  # both 0: unknown
        (None, 3, None),
        (4, None, None),
    ],
)
def test_2_4_1_sustainable_human_resources(paid, volunteers, value):
    assert ind.human_resources(paid, volunteers).value == value


@pytest.mark.parametrize(
    ("decision", "value"),
    [
        ("members", 100),
        ("elected_board", 100),
        ("elected_leader", 100),
        ("staff", 100),
        ("appointed_board", 0),
        ("appointed_leader", 0),
        ("other", 0),
        ("", None),
    ],
)
def test_3_1_1_democratic_decision_making(decision, value):
    assert ind.democratic_decisions(decision).value == value


def test_yes_no_items_keep_unknown_unknown():
    scores = ind.csi_scores({"has_board": True, "network_member": False})
    assert scores["2.1.1"].value == 100 and scores["2.2.1"].value == 0
    assert scores["3.4.1"].value is None and scores["3.4.1"].missing == ["environmental_policy_public"]
    assert len(scores) == 15


def test_income_diversity_is_one_minus_hhi():
    assert ind.income_diversity({"income_foreign": Decimal(100)}).value == Decimal("0.0000")
    even = {name: Decimal(10) for name in ind.INCOME_SOURCES}
    assert ind.income_diversity(even).value == Decimal("0.8889")  # 1 - 9 x (1/9)^2
    half = {"income_foreign": Decimal(50), "income_business": Decimal(50)}
    assert ind.income_diversity(half).value == Decimal("0.5000")
    assert ind.income_diversity({}).value is None
    assert ind.income_diversity({"income_other": Decimal(0)}).value is None  # no income: unknown


def test_state_dependency_is_the_state_share():
    report = {"income_social_order": Decimal(30), "income_state_grants": Decimal(10), "income_foreign": Decimal(60)}
    assert ind.state_dependency(report).value == Decimal("0.4000")
    assert ind.state_dependency({"income_foreign": Decimal(1)}).value == Decimal("0.0000")
    assert ind.state_dependency({}).value is None


def test_timeliness_counts_days_late():
    due = datetime.date(2025, 3, 31)
    today = datetime.date(2026, 1, 1)
    assert ind.timeliness(due, datetime.date(2025, 3, 31), today).value == 0
    assert ind.timeliness(due, datetime.date(2025, 4, 10), today).value == 10
    missing = ind.timeliness(due, None, today)
    assert missing.value is None and missing.missing == ["submitted_on"]


FULL_PROFILE = ind.ProfileFacts(has_identity=True, has_contact=True, has_fields=True, has_purpose=True)
FULL_REPORT = {
    "income_foreign": Decimal(5),
    "expenses_total": Decimal(4),
    "has_board": False,
    "decision_making": "staff",
}


@pytest.mark.parametrize(
    ("profile", "report", "overdue", "tier"),
    [
        (FULL_PROFILE, {**FULL_REPORT, "beneficiaries": 12}, 0, 4),
        (FULL_PROFILE, FULL_REPORT, 0, 3),
        (FULL_PROFILE, {**FULL_REPORT, "has_board": None}, 0, 2),
        (ind.ProfileFacts(True, True, False, True), {**FULL_REPORT, "beneficiaries": 12}, 0, 1),  # earned in order
        (ind.ProfileFacts(True, False, True, True), {**FULL_REPORT, "beneficiaries": 12}, 0, 0),
        (FULL_PROFILE, {**FULL_REPORT, "beneficiaries": 12}, 365, 4),
        (FULL_PROFILE, {**FULL_REPORT, "beneficiaries": 12}, 366, 0),  # more than a year overdue: lapsed
    ],
)
def test_transparency_tiers(profile, report, overdue, tier):
    assert ind.transparency_tier(profile, report, overdue).value == tier


def test_percentages_and_means_are_to_one_decimal():
    assert ind.percentage(2, 3) == 66.7 and ind.percentage(0, 0) is None
    assert ind.mean([50.0, None, 75.0]) == 62.5 and ind.mean([None]) is None


def test_quartiles_from_a_histogram_match_nearest_rank():
    values = sorted([1, 2, 2, 3, 5, 8, 13, 21])
    histogram = [(Decimal(v), values.count(v)) for v in sorted(set(values))]
    assert ind.quartiles_from_histogram(histogram) == {"q1": 2.0, "median": 3.0, "q3": 8.0, "n": 8}
    assert ind.quartiles_from_histogram([]) is None


def test_every_csi_indicator_has_its_score_column():
    from scoring.models import OrganisationScore

    columns = {f.name: f for f in OrganisationScore._meta.get_fields() if f.name.startswith("csi_")}
    assert set(columns) == {i.column for i in ind.CSI_INDICATORS}
    assert all(columns[i.column].verbose_name == i.code for i in ind.CSI_INDICATORS)
