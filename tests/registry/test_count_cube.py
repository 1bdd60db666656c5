"""The directory's count cube (registry/cube.py): its sums equal a recount of the organisations under every
combination of facet filters, and every way an organisation moves (created, edited through the API, given a
status event, merged, filing its report) moves it in the cube as soon as the change commits, to exactly where
a rebuild from scratch would count it."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db.models import Count
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from registry.cube import _own_cell_ids, facet_cube_ready, facet_cube_rebuild, facet_cube_refresh
from registry.filters import OrganisationFilter
from registry.models import (
    FacetCell,
    FacetMember,
    FacetState,
    Organisation,
    OrganisationField,
    YearlyReport,
    report_due_on,
)
from registry.selectors import FACET_KEYS, directory_base, latest_due_report_year, reporting_status_expression
from registry.services import report_submit
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db
URL = reverse("registry:organisation_list")


def facets(response) -> dict[str, dict[str, int]]:
    return {f.key: {o.value: o.count for o in f.options if o.count} for f in response.context["facets"]}


def recount(params: dict) -> tuple[dict[str, dict[str, int]], int]:
    """The same question answered the old way: COUNTs over the organisations themselves."""
    data = QueryDict(mutable=True)
    for key, values in params.items():
        data.setlist(key, values)
    filterset = OrganisationFilter(data, queryset=directory_base())
    assert filterset.is_valid(), filterset.errors
    counts = {}
    for key in FACET_KEYS:
        rows = filterset.queryset
        for name, value in filterset.form.cleaned_data.items():
            if name not in (key, "sort"):
                rows = filterset.filters[name].filter(rows, value)
        if key == "field":
            grouped = OrganisationField.objects.filter(organisation__in=rows.values("id")).values_list("field")
        elif key == "reporting":
            grouped = rows.annotate(r=reporting_status_expression(latest_due_report_year())).values_list("r")
        else:
            grouped = rows.values_list(key)
        counts[key] = {v: n for v, n in grouped.annotate(n=Count("id")).order_by() if v and n}
    return counts, filterset.qs.count()


def cells() -> dict[tuple, int]:
    return {
        tuple(row[:-1]): row[-1]
        for row in FacetCell.objects.filter(n__gt=0).values_list(
            "kind", "fields", "region", "legal_form", "status", "territorial_level", "reporting", "has_bin", "n"
        )
    }


def assert_members_point_at_their_cells() -> None:
    """Every member's cell_id is its own cell of kind "fields": a search's counts read the values from it."""
    names = ("fields", "region", "legal_form", "status", "territorial_level", "reporting")
    own = {pk: values for pk, *values in FacetCell.objects.filter(kind="fields").values_list("pk", *names)}
    for cell_id, *values in FacetMember.objects.values_list("cell_id", *names):
        assert own.get(cell_id) == values


def assert_as_rebuilt() -> None:
    """The cube the events left equals the one a rebuild counts from scratch."""
    assert_members_point_at_their_cells()
    moved = cells()
    facet_cube_rebuild()
    assert moved == cells()
    assert_members_point_at_their_cells()


@pytest.fixture
def registry():
    year = latest_due_report_year()
    forms = ("public_association", "foundation", "private_institution", "consumer_cooperative")
    field_sets = (
        ("health",),
        ("women", "health"),
        ("environment",),
        ("women", "children_youth", "health"),
        (),
        ("women", "children_youth", "health", "environment"),
    )
    organisations = []
    for n in range(36):
        organisations.append(
            make_organisation(
                region=("KZ-71", "KZ-75", "KZ-79")[n % 3],
                legal_form=forms[n % 4],
                fields=field_sets[n % 6],
                territorial_level=("local", "republican", "")[n % 3] if n % 4 == 0 else "",
                registered_on=datetime.date(2005 + n % 15, 1 + n % 12, 1),
                bin=True if n % 7 else None,
            )
        )
    for org in organisations[::3]:
        YearlyReport.objects.create(organisation=org, year=year, submitted_on=report_due_on(year))
    for org in organisations[1::5]:
        late = report_due_on(year) + datetime.timedelta(days=3)
        YearlyReport.objects.update_or_create(organisation=org, year=year, defaults={"submitted_on": late})
    Organisation.objects.filter(pk__in=[o.pk for o in organisations[2::6]]).update(status="liquidated")
    Organisation.objects.filter(pk__in=[o.pk for o in organisations[4::9]]).update(status="suspended")
    return organisations


CHOICES = {
    "region": [[], ["KZ-71"], ["KZ-75", "KZ-79"]],
    "legal_form": [[], ["foundation"], ["public_association", "private_institution"]],
    "field": [
        [],
        ["women"],
        ["children_youth", "environment"],
        ["health", "women", "environment"],
        ["children_youth", "environment", "health", "women"],
    ],
    "status": [[], ["active"], ["liquidated", "suspended"]],
    "territorial_level": [[], ["local"]],
    "reporting": [[], ["overdue"], ["on_time", "late", "not_required"]],
}


def test_every_combination_of_filters_counts_as_a_recount(anonymous, registry):
    combinations = [dict(zip(CHOICES, values, strict=True)) for values in itertools.product(*CHOICES.values())]
    assert len(combinations) == 810
    checked = 0
    for combination in combinations[::7] + combinations[-3:]:  # a spread of them, every facet filtered
        params = {key: values for key, values in combination.items() if values}
        response = anonymous.get(URL, params)
        assert response.status_code == 200
        expected, total = recount(params)
        assert facets(response) == expected, params
        assert response.context["page"].paginator.count == total, params
        checked += 1
    assert checked > 110


def test_two_chosen_fields_count_an_organisation_in_both_once(anonymous, registry):
    response = anonymous.get(URL, {"field": ["women", "health"]})
    in_either = Organisation.objects.filter(fields__code__in=["women", "health"]).distinct().count()
    assert response.context["page"].paginator.count == in_either
    assert sum(facets(response)["region"].values()) == in_either


def test_changes_move_the_cube_as_they_commit(
    client, moderator, registry, django_capture_on_commit_callbacks, anonymous
):
    facet_cube_rebuild()
    org = registry[0]
    before = cells()
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            reverse("api:organisation", args=[org.org_id]),
            {"region": "KZ-79", "fields": ["children_youth"]},
            content_type="application/json",
            HTTP_IF_MATCH=f'"{org.version}"',
        )
    assert response.status_code == 200, response.json()
    assert cells() != before
    assert_as_rebuilt()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry:organisation_status_event", args=[registry[3].org_id]),
            {"kind": "liquidated", "occurred_on": "2024-06-01", "legal_basis": "Court decision No. 12"},
        )
    assert response.status_code == 302
    assert_as_rebuilt()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("registry:organisation_merge", args=[registry[6].org_id]),
            {"duplicate": registry[7].org_id, "reason": "the same organisation"},
        )
    assert response.status_code == 302
    assert_as_rebuilt()

    overdue = next(o for o in registry[9:] if not o.reports.exists() and o.legal_form_id == "public_association")
    with django_capture_on_commit_callbacks(execute=True):
        report_submit(organisation=overdue, year=latest_due_report_year(), acting_user=moderator, values={})
    assert_as_rebuilt()

    with django_capture_on_commit_callbacks(execute=True):
        make_organisation(region="KZ-75", fields=("women",))
    assert_as_rebuilt()

    client.logout()
    expected, total = recount({})
    response = anonymous.get(URL)
    assert facets(response) == expected and response.context["page"].paginator.count == total


def test_organisations_moved_together_each_point_at_their_own_cell(registry, anonymous):
    """One refresh moving several organisations (an import, a merge) to different cells, some new: each member
    points at its own cell, so a search counts each where it now is."""
    facet_cube_rebuild()
    moves = {registry[0].pk: "KZ-79", registry[1].pk: "KZ-11", registry[2].pk: "KZ-75", registry[4].pk: "KZ-79"}
    for pk, region in moves.items():
        Organisation.objects.filter(pk=pk).update(region=region)
    facet_cube_refresh(list(moves))
    assert_as_rebuilt()
    response = anonymous.get(URL, {"q": "Test"})
    expected, total = recount({"q": ["Test"]})
    assert total == len(registry)
    assert facets(response) == expected and response.context["page"].paginator.count == total


def test_a_thousand_and_more_keys_are_looked_up_in_statements_sqlite_can_parse(registry):
    """One OR term per key: SQLite refuses an expression deeper than 1,000 terms, so the keys go in chunks."""
    facet_cube_rebuild()
    real = next(iter(_own_cell_ids()))
    keys = {real} | {(f",x{n},", "KZ-75", "foundation", "active", "", "overdue") for n in range(1500)}
    assert _own_cell_ids(keys) == {real: _own_cell_ids()[real]}


def test_a_search_counts_neither_merged_organisations_nor_fewer_than_it_lists(registry, moderator, client, anonymous):
    facet_cube_rebuild()
    client.force_login(moderator)
    duplicate = registry[7]
    response = client.post(
        reverse("registry:organisation_merge", args=[registry[6].org_id]),
        {"duplicate": duplicate.org_id, "reason": "the same organisation"},
    )
    assert response.status_code == 302
    client.logout()
    for query in ("Test", duplicate.name_en.split()[-1].strip("“”"), duplicate.bin or duplicate.org_id):
        response = anonymous.get(URL, {"q": query})
        expected, total = recount({"q": [query]})
        assert facets(response) == expected and response.context["page"].paginator.count == total
        assert duplicate.pk not in {o.pk for o in response.context["page"].object_list}


def test_members_without_their_cell_are_recounted_before_a_search_counts(registry, anonymous):
    """Members written by a process of an earlier release (no cell_id) would drop out of every search's
    counts: the first search finding one rebuilds the cube."""
    facet_cube_rebuild()
    FacetMember.objects.filter(pk__in=[o.pk for o in registry[:5]]).update(cell_id=None)
    response = anonymous.get(URL, {"q": "Test"})
    expected, total = recount({"q": ["Test"]})
    assert facets(response) == expected and response.context["page"].paginator.count == total == len(registry)
    assert not FacetMember.objects.filter(cell_id__isnull=True).exists()


def test_without_a_state_row_a_refresh_moves_nothing_and_the_next_read_builds(registry):
    facet_cube_rebuild()
    FacetState.objects.all().delete()
    facet_cube_refresh([registry[0].pk])
    assert FacetState.objects.get(pk=1).year == 0  # created for no year, locked, nothing moved
    facet_cube_ready()
    assert FacetState.objects.get(pk=1).year == latest_due_report_year()
    assert_as_rebuilt()


def test_the_cube_is_rebuilt_for_a_new_report_year(registry):
    facet_cube_ready()
    FacetState.objects.filter(pk=1).update(year=2000)  # as if built before the last due date passed
    FacetCell.objects.filter(reporting="on_time").update(n=0)
    facet_cube_ready()
    assert FacetState.objects.get(pk=1).year == latest_due_report_year()
    assert FacetCell.objects.filter(kind="all", reporting="on_time").exists()
    assert_as_rebuilt()


@pytest.mark.parametrize(
    "params",
    [
        {"q": ["Test 1"]},
        {"q": ["Test 2"], "region": ["KZ-71"], "field": ["women", "health"]},
        {"q": ["Test"], "status": ["active"], "reporting": ["overdue", "late"]},
        {"q": ["Test"], "legal_form": ["foundation", "public_association"], "territorial_level": ["local"]},
        {"q": ["Test 1"], "region": ["KZ-75", "KZ-79"], "status": ["active", "suspended"], "field": ["health"]},
    ],
)
def test_a_search_is_counted_over_its_matches(anonymous, registry, params):
    response = anonymous.get(URL, params)
    expected, total = recount(params)
    assert 0 < total <= len(registry)
    assert response.context["page"].paginator.count == total
    assert facets(response) == expected


@pytest.mark.parametrize("sort", ["name", "-name", "registered", "-registered"])
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_pages_read_form_by_form_list_what_one_sorted_query_lists(anonymous, registry, settings, sort, language):
    """The page's ids come legal form by legal form (registry.selectors.page_ids_by_form), each block walked
    in its own index; the rows, their order and the page boundaries are those of the single sorted query."""
    settings.DIRECTORY_PAGE_SIZE = 4
    for params in ({}, {"region": ["KZ-71", "KZ-79"]}, {"legal_form": ["foundation", "public_association"]}):
        data = QueryDict(mutable=True)
        for key, values in (params | {"sort": [sort]}).items():
            data.setlist(key, values)
        with translation.override(language):  # sorted by the name in the reader's language
            filterset = OrganisationFilter(data, queryset=directory_base())
            expected = list(filterset.qs.values_list("pk", flat=True))
        for page in (1, 2, 3):
            response = anonymous.get(URL, {**params, "sort": sort, "page": page}, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200
            shown = [o.pk for o in response.context["page"].object_list]
            assert response.context["page"].paginator.ids is not None  # read form by form
            assert shown == expected[(page - 1) * 4 : page * 4], (params, page)
