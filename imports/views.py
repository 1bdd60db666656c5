"""The imports page and a job's page. Only people with some import format see them (a 404 for others)."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from imports import services
from imports.engine import visible_jobs_filter
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
    return render(request, "imports/imports.html", {"form": form, "jobs": jobs[:30], "kinds": form.kinds})


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
    done, total = cache.get(services.import_progress_key(job.pk)) or (0, 0)
    applies = list(job.applies.order_by("created_at")) if job.dry_run else []
    return render(
        request,
        "imports/import_detail.html",
        {
            "job": job,
            "done": done,
            "total": total,
            "applies": applies,
            "live_apply": next((a for a in applies if a.status != ImportJob.Status.FAILED), None),
        },
    )
