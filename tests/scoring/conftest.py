"""Constructed populations: organisations whose report answers have known shares."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from registry.models import YearlyReport
from tests.registry.factories import make_organisation

YEAR = 2023


def file_report(org, year: int = YEAR, **answers) -> YearlyReport:
    answers.setdefault("submitted_on", datetime.date(year + 1, 3, 1))
    return YearlyReport.objects.create(organisation=org, year=year, **answers)


@pytest.fixture
def population():
    """20 foundations in KZ-71 and 12 associations in KZ-75, each with a 2023 report.

    has_board: 15 of 20 yes in KZ-71, 3 of 12 in KZ-75 -> 56.3% overall (18 of 32).
    network_member: yes for 8, no for 8, unknown for the other 16 -> 50.0% with n = 16.
    """
    orgs = []
    for i in range(20):
        org = make_organisation(legal_form="foundation", region="KZ-71")
        answers = {"has_board": i < 15, "income_foreign": Decimal(1_000_000 * (i + 1))}
        if i < 8:
            answers["network_member"] = True
        elif i < 16:
            answers["network_member"] = False
        file_report(org, **answers)
        orgs.append(org)
    for i in range(12):
        org = make_organisation(legal_form="public_association", region="KZ-75")
        file_report(org, has_board=i < 3, submitted_on=datetime.date(YEAR + 1, 5, 1))  # 31 days late
        orgs.append(org)
    return orgs
