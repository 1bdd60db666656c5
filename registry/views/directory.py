"""The public registry: the sector at a glance, the directory and an organisation's profile."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from api.common import filters_status, query_int
from registry.filters import SORT_CHOICES, OrganisationFilter
from registry.http import organisation_or_redirect
from registry.selectors import (
    organisation_directory,
    organisation_profile,
    organisation_reports,
    sector_overview_cached,
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "registry/home.html", {"overview": sector_overview_cached()})


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    result = organisation_directory(request.GET, OrganisationFilter, query_int(request.GET, "page", minimum=1))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/organisation_list.html",
        {
            "result": result,
            "filterset": result.filterset,
            "page": result.page,
            "facets": result.facets,
            "querystring": query.urlencode(),
            "sort_choices": SORT_CHOICES,
        },
        status=filters_status(result.filterset),
    )


@require_GET
def organisation_detail(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, moved = organisation_or_redirect(org_id, "registry:organisation_detail")
    if moved:
        return moved
    organisation = organisation_profile(organisation.pk)
    reports = organisation_reports(organisation)
    return render(request, "registry/organisation_detail.html", {"organisation": organisation, "reports": reports})
