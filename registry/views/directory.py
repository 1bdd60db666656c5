"""The public registry: the sector at a glance, the directory and an organisation's profile."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from api.caching import cached_anonymous_page
from api.common import filters_status, query_int
from registry.filters import SORT_CHOICES, OrganisationFilter
from registry.http import organisation_or_redirect
from registry.selectors import (
    organisation_directory,
    organisation_profile,
    organisation_reports,
    sector_overview,
)


@require_GET
@cached_anonymous_page
def home(request: HttpRequest) -> HttpResponse:
    # sums of the count cube (registry/cube.py); kept whole for anonymous readers until the data changes
    return render(request, "registry/home.html", {"overview": sector_overview()})


@require_GET
@cached_anonymous_page
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
@cached_anonymous_page
def organisation_detail(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, moved = organisation_or_redirect(org_id, "registry:organisation_detail")
    if moved:
        return moved
    organisation = organisation_profile(organisation.pk)
    reports = organisation_reports(organisation)
    return render(request, "registry/organisation_detail.html", {"organisation": organisation, "reports": reports})
