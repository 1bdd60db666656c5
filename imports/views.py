"""The imports page, a job's page and its progress, and each format's column help.

The imports page and the jobs are seen only by people with some import format (a 404 for others). The column
help, like the template file it goes with, is public: it describes a format, not anyone's data.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from imports import services
from imports.engine import IMPORT_KINDS, column_help, column_label, visible_jobs_filter
from imports.forms import ImportForm
from imports.models import ImportJob
from registry.http import form_add_errors


def _import_jobs(request):
    """The jobs this user may see; a 404 for anyone with no import format at all (the page is not revealed)."""
    visible = visible_jobs_filter(request.user)
    if visible is None:
        raise Http404
    return ImportJob.objects.filter(visible).select_related("created_by")


@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    jobs = _import_jobs(request)
    services.import_jobs_expire()
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = services.import_job_start(
                kind=data["kind"],
                file=data["file"],
                options=data["options"],
                encoding=data["encoding"],
                acting_user=request.user,
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            return redirect("imports:import_detail", pk=job.pk)
    recent = list(jobs[:30])
    for job in recent:
        entry = IMPORT_KINDS.get(job.kind)
        job.kind_label = entry.label if entry else job.kind
    return render(request, "imports/imports.html", {"form": form, "jobs": recent, "kinds": form.kinds})


@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(_import_jobs(request), pk=pk)
    if request.method == "POST":
        try:
            applied, new = services.import_job_apply(dry_run=job, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("imports:import_detail", pk=job.pk)
        if not new:  # a second click, or a second tab: the first one's result
            messages.info(
                request, _("This dry run was applied already, as import #%(n)s: here it is.") % {"n": applied.pk}
            )
        return redirect("imports:import_detail", pk=applied.pk)
    if job.pending and services.import_jobs_expire():
        job.refresh_from_db()
    done, total = services.import_progress(job)
    applies = list(job.applies.order_by("created_at")) if job.dry_run else []
    entry = IMPORT_KINDS.get(job.kind)
    return render(
        request,
        "imports/import_detail.html",
        {
            "job": job,
            "kind_label": entry.label if entry else job.kind,
            "done": done,
            "total": total,
            "applies": applies,
            "live_apply": next((a for a in applies if a.status != ImportJob.Status.FAILED), None),
            "changes": _changes_page(job, request.GET.get("page")),
        },
    )


CHANGES_PER_PAGE = 50


def _changes_page(job: ImportJob, number: str | None):
    """A page of the rows the run creates or changes, each change with its column's label (in the reader's
    language; the values were put in words when the job ran)."""
    page = Paginator(job.changes, CHANGES_PER_PAGE).get_page(number)
    entry = IMPORT_KINDS.get(job.kind)
    labels: dict[str, str] = {}
    rows = []
    for row, title, changes in page.object_list:
        named = None
        if changes is not None:
            named = []
            for column, old, new in changes:
                if column not in labels:
                    labels[column] = column_label(entry.importer, column) if entry else column
                named.append({"column": column, "label": labels[column], "old": old, "new": new})
        rows.append({"row": row, "title": title, "changes": named})
    page.rows = rows
    return page


@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The job page's progress bar, polled by htmx while the job is queued or running; once it has ended,
    htmx is told to reload the page, which then shows the result."""
    job = get_object_or_404(_import_jobs(request), pk=pk)
    if job.pending and services.import_jobs_expire():
        job.refresh_from_db()
    if not job.pending:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    done, total = services.import_progress(job)
    return render(request, "imports/_progress.html", {"job": job, "done": done, "total": total})


@require_GET
def import_help(request: HttpRequest, kind: str) -> HttpResponse:
    """A format's columns: name in the file, required or not, type, the values it takes, an example."""
    entry = IMPORT_KINDS.get(kind)
    if entry is None:
        raise Http404
    return render(
        request,
        "imports/import_help.html",
        {
            "kind": entry,
            "columns": column_help(entry.importer),
            "kinds": IMPORT_KINDS.values(),
            "template_url": reverse("opendata:import_template", args=[entry.code]),
        },
    )
