"""The imports page and a job's page. Only people with some import format see them (a 404 for others)."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from imports import services
from imports.engine import visible_jobs_filter
from imports.forms import ImportForm
from imports.models import ImportJob


def _import_jobs(request):
    """The jobs this user may see; a 404 for anyone with no import format at all (the page is not revealed)."""
    visible = visible_jobs_filter(request.user)
    if visible is None:
        raise Http404
    return ImportJob.objects.filter(visible).select_related("created_by")


@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    jobs = _import_jobs(request)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = services.import_job_start(
            kind=data["kind"], file=data["file"], options=data["options"], acting_user=request.user
        )
        return redirect("imports:import_detail", pk=job.pk)
    return render(request, "imports/imports.html", {"form": form, "jobs": jobs[:30], "kinds": form.kinds})


@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(_import_jobs(request), pk=pk)
    if request.method == "POST":
        if not (job.dry_run and job.succeeded and not hasattr(job, "confirmed_by")):
            messages.error(request, _("Only a dry run without problems can be applied, once."))
            return redirect("imports:import_detail", pk=job.pk)
        applied = services.import_job_start(kind=job.kind, file=None, acting_user=request.user, confirms=job)
        return redirect("imports:import_detail", pk=applied.pk)
    done, total = cache.get(services.import_progress_key(job.pk)) or (0, 0)
    return render(
        request,
        "imports/import_detail.html",
        {"job": job, "done": done, "total": total, "confirmed": getattr(job, "confirmed_by", None)},
    )
