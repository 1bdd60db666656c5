"""Downloads: /exports/ (the full files) and every CSV of a page's current selection, each served by this app
under the page's own URL (/organisations/download.csv, /funding/download.csv, …), through the one CSV writer."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from api.queue import MSG_QUEUE_DOWN
from funding.filters import AwardFilter
from funding.models import Award
from funding.selectors import EXPLORER_TABLES, explorer_table
from opendata.csv_writer import csv_response
from opendata.exports import EXPORT_KINDS, exports_root
from opendata.models import ExportFile
from opendata.tasks import exports_regenerate_queue
from registry.filters import OrganisationFilter
from registry.selectors import organisation_rows, organisation_table
from scoring.selectors import flag_table, flags_filtered, sector_table
from scoring.services import summaries_refresh_if_stale


@require_http_methods(["GET", "POST"])
def exports(request: HttpRequest) -> HttpResponse:
    """Every full download with its generation time, size and row count; moderators can queue a run."""
    if request.method == "POST":
        if not request.user.has_perm("registry.moderate"):
            raise PermissionDenied
        if exports_regenerate_queue():
            messages.success(request, _("Regeneration queued; each file is replaced whole when it is ready."))
        else:
            messages.error(request, MSG_QUEUE_DOWN)
        return redirect("opendata:exports")
    files = {record.kind: record for record in ExportFile.objects.all()}
    rows = [(kind, files.get(code)) for code, kind in EXPORT_KINDS.items()]
    return render(request, "opendata/exports.html", {"rows": rows})


@require_GET
def export_download(request: HttpRequest, filename: str) -> HttpResponse:
    kind = next((k for k in EXPORT_KINDS.values() if k.filename == filename), None)
    path = exports_root() / filename
    if kind is None or not path.is_file():
        raise Http404(_("That download has not been generated yet."))
    response = FileResponse(path.open("rb"), content_type=kind.content_type, as_attachment=True, filename=filename)
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def organisation_list_csv(request: HttpRequest) -> HttpResponse:
    """The directory's current result (its filters and order), codes with labels."""
    filterset = OrganisationFilter(request.GET, queryset=organisation_rows(OrganisationFilter.base_queryset()))
    return csv_response("qogam-organisations", *organisation_table(filterset.qs, request.build_absolute_uri("/")))


@require_GET
def explorer_csv(request: HttpRequest) -> HttpResponse:
    """One of the funding explorer's views over its current filters (`view`: awards, by_year, …)."""
    view = request.GET.get("view", "awards")
    if view not in EXPLORER_TABLES:
        raise Http404(
            _("Unknown download “%(view)s”; choose one of: %(views)s.")
            % {"view": view, "views": ", ".join(EXPLORER_TABLES)}
        )
    queryset = AwardFilter(request.GET, queryset=Award.objects.all()).qs
    stem = f"qogam-funding-{view.replace('_', '-')}"
    return csv_response(stem, *explorer_table(view, queryset, request.build_absolute_uri("/")))


@require_GET
def transparency_csv(request: HttpRequest) -> HttpResponse:
    """The red flags under /transparency/'s current filters."""
    flags = flags_filtered(data=request.GET).qs
    return csv_response("qogam-flags", *flag_table(flags, request.build_absolute_uri("/")))


@require_GET
def sector_csv(request: HttpRequest) -> HttpResponse:
    """Every sector summary of the current run: one row per year and segment."""
    summaries_refresh_if_stale()
    return csv_response("qogam-sector-summaries", *sector_table())


@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """An import format's exact header and one example row. The formats are found in the apps' configs (each
    app names its importers there), so this reads no import machinery."""
    for config in apps.get_app_configs():
        for path in getattr(config, "importers", ()):
            importer = import_string(path)
            if importer.kind == kind:
                return csv_response(f"qogam-template-{kind}", list(importer.columns), [importer.example])
    raise Http404
