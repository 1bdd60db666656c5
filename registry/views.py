from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from registry.csv_export import csv_response
from registry.filters import SORT_CHOICES, OrganisationFilter
from registry.http import organisation_or_redirect
from registry.selectors import (
    organisation_directory,
    organisation_profile,
    organisation_reports,
    organisation_rows,
    sector_overview_cached,
)

CSV_CHUNK = 2000


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "registry/home.html", {"overview": sector_overview_cached()})


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    result = organisation_directory(request.GET, OrganisationFilter, request.GET.get("page"))
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
    )


@require_GET
def organisation_list_csv(request: HttpRequest) -> HttpResponse:
    filterset = OrganisationFilter(request.GET, queryset=organisation_rows(OrganisationFilter.base_queryset()))
    header = [
        "org_id",
        "bin",
        "name_kk",
        "name_ru",
        "name_en",
        "legal_form",
        "legal_form_label",
        "ngo_eligible",
        "region",
        "region_label",
        "territorial_level",
        "territorial_level_label",
        "status",
        "status_label",
        "registered_on",
        "fields",
        "fields_labels",
        "phone",
        "email",
        "website",
        "parent_org_id",
        "url",
    ]
    base_url = request.build_absolute_uri("/").rstrip("/")

    def rows():
        for org in filterset.qs.select_related("parent").iterator(chunk_size=CSV_CHUNK):
            fields = list(org.fields.all())
            yield [
                org.org_id,
                org.bin,
                org.name_kk,
                org.name_ru,
                org.name_en,
                org.legal_form_id,
                org.legal_form.name,
                "yes" if org.legal_form.ngo_eligible else "no",
                org.region_id,
                org.region.name if org.region else "",
                org.territorial_level,
                org.get_territorial_level_display() if org.territorial_level else "",
                org.status,
                org.get_status_display(),
                org.registered_on,
                ";".join(f.code for f in fields),
                "; ".join(f.name for f in fields),
                org.phone,
                org.email,
                org.website,
                org.parent.org_id if org.parent else "",
                base_url + org.get_absolute_url(),
            ]

    return csv_response("qogam-organisations", header, rows())


@require_GET
def organisation_detail(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, moved = organisation_or_redirect(org_id, "registry:organisation_detail")
    if moved:
        return moved
    organisation = organisation_profile(organisation.pk)
    reports = organisation_reports(organisation)
    return render(request, "registry/organisation_detail.html", {"organisation": organisation, "reports": reports})
