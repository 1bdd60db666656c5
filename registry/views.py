from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from registry.csv_export import csv_response, organisation_csv
from registry.filters import SORT_CHOICES, OrganisationFilter
from registry.http import organisation_or_redirect
from registry.selectors import (
    organisation_directory,
    organisation_profile,
    organisation_reports,
    organisation_rows,
    sector_overview_cached,
)


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
    header, rows = organisation_csv(filterset.qs, request.build_absolute_uri("/"))
    return csv_response("qogam-organisations", header, rows)


@require_GET
def organisation_detail(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, moved = organisation_or_redirect(org_id, "registry:organisation_detail")
    if moved:
        return moved
    organisation = organisation_profile(organisation.pk)
    reports = organisation_reports(organisation)
    return render(request, "registry/organisation_detail.html", {"organisation": organisation, "reports": reports})


@require_http_methods(["GET", "POST"])
def exports(request: HttpRequest) -> HttpResponse:
    """Every full download with its generation time, size and row count; moderators can queue a run."""
    from registry.exports import EXPORT_KINDS
    from registry.models import ExportFile
    from registry.tasks import exports_regenerate

    if request.method == "POST":
        if not request.user.has_perm("registry.moderate"):
            raise PermissionDenied
        exports_regenerate.delay()
        messages.success(request, _("Regeneration queued; each file is replaced whole when it is ready."))
        return redirect("registry:exports")
    files = {record.kind: record for record in ExportFile.objects.all()}
    rows = [(kind, files.get(code)) for code, kind in EXPORT_KINDS.items()]
    return render(request, "registry/exports.html", {"rows": rows})


@require_GET
def export_download(request: HttpRequest, filename: str) -> HttpResponse:
    from registry.exports import EXPORT_KINDS, exports_root

    kind = next((k for k in EXPORT_KINDS.values() if k.filename == filename), None)
    path = exports_root() / filename
    if kind is None or not path.is_file():
        raise Http404(_("That download has not been generated yet."))
    response = FileResponse(path.open("rb"), content_type=kind.content_type, as_attachment=True, filename=filename)
    response["Cache-Control"] = "public, max-age=300"
    return response
