"""An organisation's own pages beyond the profile: its history, the edit form, yearly reports, documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from api.caching import cached_anonymous_page
from registry import services
from registry.forms import DocumentForm, HideForm, ModeratorProfileForm, ProfileForm, YearlyReportForm
from registry.http import form_add_errors, organisation_for_request
from registry.models import ChangeRecord, report_due_on, report_year_open
from registry.rules import decides_about, is_moderator
from registry.selectors import history_labelled


@require_GET
@cached_anonymous_page
def organisation_history(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, response = organisation_for_request(request, org_id, "registry:organisation_history")
    if response:
        return response
    changes = history_labelled(organisation.changes.select_related("user")[:500])
    return render(request, "registry/organisation_history.html", {"organisation": organisation, "changes": changes})


@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, response = organisation_for_request(
        request, org_id, "registry:organisation_edit", "registry.edit_organisation"
    )
    if response:
        return response
    moderator = is_moderator(request.user)
    form_class = ModeratorProfileForm if moderator else ProfileForm
    form = form_class(request.POST or None, instance=organisation)
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "fields")}
        try:
            services.organisation_profile_update(
                organisation=organisation,
                acting_user=request.user,
                expected_version=form.cleaned_data["version"],
                source=ChangeRecord.Source.MODERATOR if moderator else ChangeRecord.Source.MANAGER,
                values=values,
                fields=form.cleaned_data["fields"],
            )
        except services.ProfileConflict as error:
            conflict = error
            data = request.POST.copy()
            data["version"] = error.current_version  # saving again applies the user's values over the new ones
            form = form_class(data, instance=organisation)
            form.is_valid()
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Saved. The change is listed on the History tab."))
            return redirect("registry:organisation_detail", org_id=organisation.org_id)
    return render(
        request,
        "registry/organisation_edit.html",
        {"organisation": organisation, "form": form, "conflict": conflict, "moderator": moderator},
    )


@require_http_methods(["GET", "POST"])
def organisation_report(request: HttpRequest, org_id: str, year: int) -> HttpResponse:
    organisation, response = organisation_for_request(
        request, org_id, "registry:organisation_detail", "registry.edit_organisation"
    )
    if response:
        return response
    if not report_year_open(year=year, registered_on=organisation.registered_on):
        raise Http404(_("There is no %(year)s report to file for this organisation.") % {"year": year})
    report = organisation.reports.filter(year=year).first()
    form = YearlyReportForm(request.POST or None, request.FILES or None, instance=report)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "financial_statements"}
        try:
            services.report_submit(
                organisation=organisation,
                year=year,
                acting_user=request.user,
                values=values,
                financial_statements=form.cleaned_data.get("financial_statements") or None,
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("The %(year)s report is filed.") % {"year": year})
            return redirect("registry:organisation_detail", org_id=organisation.org_id)
    return render(
        request,
        "registry/report_form.html",
        {"organisation": organisation, "form": form, "year": year, "report": report, "due_on": report_due_on(year)},
    )


@require_http_methods(["GET", "POST"])
def organisation_documents(request: HttpRequest, org_id: str) -> HttpResponse:
    """Public list of documents with every version; managers upload, moderators hide with a reason."""
    organisation, response = organisation_for_request(request, org_id, "registry:organisation_documents")
    if response:
        return response
    form, hide_form = DocumentForm(), HideForm()
    if request.method == "POST":
        action = request.POST.get("action")
        needed = "registry.moderate" if action == "hide" else "registry.edit_organisation"
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(needed, organisation):
            raise PermissionDenied
        if action == "hide" and not decides_about(request.user, organisation):  # four eyes
            raise PermissionDenied(services.MSG_FOUR_EYES_ORGANISATION)
        try:
            if action == "hide":
                hide_form = HideForm(request.POST)
                document = get_object_or_404(organisation.documents, pk=request.POST.get("document"))
                if hide_form.is_valid():
                    services.document_hide(
                        document=document, reason=hide_form.cleaned_data["reason"], moderator=request.user
                    )
                    messages.success(request, _("The document is hidden; the reason is shown in its place."))
                    return redirect("registry:organisation_documents", org_id=organisation.org_id)
            else:
                form = DocumentForm(request.POST, request.FILES)
                if form.is_valid():
                    services.document_upload(organisation=organisation, acting_user=request.user, **form.cleaned_data)
                    messages.success(request, _("Uploaded. Earlier versions stay listed."))
                    return redirect("registry:organisation_documents", org_id=organisation.org_id)
        except ValidationError as error:
            form_add_errors(hide_form if action == "hide" else form, error)
    documents = organisation.documents.select_related("replaced_by", "hidden_by").order_by("kind", "-uploaded_at")
    return render(
        request,
        "registry/organisation_documents.html",
        {
            "organisation": organisation,
            "documents": documents,
            "form": form,
            "hide_form": hide_form,
            "can_hide": is_moderator(request.user),
            "may_hide": decides_about(request.user, organisation),
        },
    )


@require_GET
def document_download(request: HttpRequest, org_id: str, pk: int) -> HttpResponse:
    organisation, response = organisation_for_request(request, org_id, "registry:organisation_documents")
    if response:
        return response
    document = get_object_or_404(organisation.documents, pk=pk, hidden_at__isnull=True)
    download = FileResponse(document.file.open("rb"), as_attachment=True)
    download["X-Content-Type-Options"] = "nosniff"
    download["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return download
