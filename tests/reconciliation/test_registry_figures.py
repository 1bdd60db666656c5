"""Home page and directory: every count against raw SQL on the demo data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registry.selectors import latest_due_report_year
from tests.reconciliation.conftest import csv_rows, sql

pytestmark = pytest.mark.django_db

LIVE = "o.merged_into_id IS NULL"
REGISTERED = "o.status IN ('active', 'inactive', 'suspended')"
OBLIGED_FORMS = (
    "('public_association', 'foundation', 'private_institution', 'association_of_legal_entities', 'noncommercial_jsc')"
)


def test_the_home_page(page):
    overview = page(reverse("registry:home")).context["overview"]
    ((registered, active, without_bin, liquidated),) = sql(
        f"SELECT SUM(CASE WHEN {REGISTERED} THEN 1 ELSE 0 END), SUM(CASE WHEN o.status = 'active' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {REGISTERED} AND o.bin IS NULL THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN o.status = 'liquidated' THEN 1 ELSE 0 END) FROM registry_organisation o WHERE {LIVE}"
    )
    assert (overview.registered, overview.active, overview.without_bin, overview.liquidated) == (
        registered,
        active,
        without_bin,
        liquidated,
    )
    for attribute, column in (("by_region", "o.region_id"), ("by_legal_form", "o.legal_form_id")):
        expected = {
            code: (r, a)
            for code, r, a in sql(
                f"SELECT {column}, COUNT(*), SUM(CASE WHEN o.status = 'active' THEN 1 ELSE 0 END) "
                f"FROM registry_organisation o WHERE {LIVE} AND {REGISTERED} AND {column} IS NOT NULL GROUP BY {column}"
            )
        }
        shown = {row.code: (row.registered, row.active) for row in getattr(overview, attribute)}
        assert shown == expected, attribute
    fields = {
        code: (r, a)
        for code, r, a in sql(
            "SELECT f.field_id, COUNT(*), SUM(CASE WHEN o.status = 'active' THEN 1 ELSE 0 END) "
            f"FROM registry_organisationfield f JOIN registry_organisation o ON o.id = f.organisation_id "
            f"WHERE {LIVE} AND {REGISTERED} GROUP BY f.field_id"
        )
    }
    assert {row.code: (row.registered, row.active) for row in overview.by_field} == fields
    assert sum(row.registered for row in overview.by_region) <= overview.registered


def _where(filters: dict, skip: str = "") -> tuple[str, dict[str, str]]:
    """The directory's filters as SQL over `o`, written independently of its FilterSet."""
    year = latest_due_report_year()
    due = f"'{year + 1}-03-31'"
    obliged = (
        f"o.legal_form_id IN {OBLIGED_FORMS} AND {REGISTERED} "
        f"AND (o.registered_on IS NULL OR o.registered_on <= '{year}-12-31')"
    )
    report = f"SELECT 1 FROM registry_yearlyreport y WHERE y.organisation_id = o.id AND y.year = {year}"
    reporting = {
        "on_time": f"{obliged} AND EXISTS ({report} AND y.submitted_on <= {due})",
        "late": f"{obliged} AND EXISTS ({report} AND y.submitted_on > {due})",
        "overdue": f"{obliged} AND NOT EXISTS ({report})",
        "not_required": f"NOT ({obliged})",
    }
    clauses = [LIVE]
    for key, values in filters.items():
        if key == skip:
            continue
        quoted = ", ".join(f"'{v}'" for v in values)
        if key == "field":
            clauses.append(
                f"EXISTS (SELECT 1 FROM registry_organisationfield f WHERE f.organisation_id = o.id "
                f"AND f.field_id IN ({quoted}))"
            )
        elif key == "reporting":
            clauses.append("(" + " OR ".join(f"({reporting[v]})" for v in values) + ")")
        else:
            clauses.append(f"o.{key}{'_id' if key in ('region', 'legal_form') else ''} IN ({quoted})")
    return " AND ".join(clauses), reporting


def _facet_sql(key: str, filters: dict) -> dict[str, int]:
    where, reporting = _where(filters, skip=key)
    if key == "field":
        rows = sql(
            "SELECT f.field_id, COUNT(*) FROM registry_organisationfield f "
            f"JOIN registry_organisation o ON o.id = f.organisation_id WHERE {where} GROUP BY f.field_id"
        )
    elif key == "reporting":
        rows = [
            (value, sql(f"SELECT COUNT(*) FROM registry_organisation o WHERE {where} AND ({condition})")[0][0])
            for value, condition in reporting.items()
        ]
    else:
        column = f"o.{key}{'_id' if key in ('region', 'legal_form') else ''}"
        rows = sql(f"SELECT {column}, COUNT(*) FROM registry_organisation o WHERE {where} GROUP BY {column}")
    return {value: n for value, n in rows if value and n}


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"region": ["KZ-71"]},
        {"legal_form": ["foundation"], "field": ["women", "health"]},
        {"status": ["active"], "region": ["KZ-71", "KZ-75"], "territorial_level": ["local"]},
        {"reporting": ["overdue", "late"], "legal_form": ["public_association"]},
    ],
    ids=["none", "region", "form+fields", "status+regions+level", "reporting+form"],
)
def test_the_directory_count_and_every_facet(page, filters):
    response = page(reverse("registry:organisation_list"), filters)
    where, _reporting = _where(filters)
    ((count,),) = sql(f"SELECT COUNT(*) FROM registry_organisation o WHERE {where}")
    assert response.context["page"].paginator.count == count
    for facet in response.context["facets"]:
        shown = {option.value: option.count for option in facet.options if option.count}
        assert shown == _facet_sql(facet.key, filters), facet.key


def test_the_directory_csv_has_every_row(page, demo):
    filters = {"region": ["KZ-71", "KZ-75"], "status": ["active"]}
    rows = csv_rows(page(reverse("opendata:organisation_list_csv"), filters))
    where, _reporting = _where(filters)
    ((count,),) = sql(f"SELECT COUNT(*) FROM registry_organisation o WHERE {where}")
    assert len(rows) == count > 0
