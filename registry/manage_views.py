"""Pages that change the registry: claims, managers, profile edits, moderation. Thin: forms in, services do."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from registry import services
from registry.forms import (
    ClaimDecisionForm,
    ClaimForm,
    DocumentForm,
    HideForm,
    ImportForm,
    ManagerAddForm,
    MergeForm,
    ModeratorProfileForm,
    ProfileForm,
    SignUpForm,
    StatusEventForm,
    YearlyReportForm,
)
from registry.http import form_add_errors, organisation_or_redirect
from registry.models import ChangeRecord, ImportJob, Invitation, OwnershipClaim, report_due_on
from registry.rules import is_moderator


def _organisation(request, org_id: str, url_name: str, perm: str | None = None):
    """The organisation and a response to return instead (redirect to the canonical URL or to sign in)."""
    organisation, moved = organisation_or_redirect(org_id, url_name)
    if moved:
        return None, moved
    if perm:
        if not request.user.is_authenticated:
            return None, redirect_to_login(request.get_full_path())
        if not request.user.has_perm(perm, organisation):
            raise PermissionDenied  # the profile is public; changing it is not
    return organisation, None


REPORT_EXAMPLE = {
    "bin": "950440770016",
    "year": "2024",
    "submitted_on": "2025-03-15",
    "income_social_order": "4500000",
    "income_state_grants": "",
    "income_state_awards": "",
    "income_foreign": "",
    "income_business": "250000",
    "income_individuals": "120000",
    "income_membership_fees": "",
    "income_own_activities": "",
    "income_other": "",
    "expenses_total": "4700000",
    "paid_staff": "4",
    "volunteers": "15",
    "members": "",
    "beneficiaries": "900",
    "has_board": "yes",
    "network_member": "yes",
    "met_other_csos": "yes",
    "exchanged_information": "no",
    "stable_finances": "no",
    "technology_access": "yes",
    "equal_opportunity_policy": "",
    "staff_in_unions": "no",
    "labour_rights_training": "no",
    "labour_policy_public": "no",
    "code_of_conduct_public": "yes",
    "financial_info_public": "yes",
    "environmental_policy_public": "",
    "decision_making": "elected_board",
}
IMPORT_EXAMPLES = {
    "organisations": [
        "950440770016",  # fictional: never a real organisation's BIN in an example
        "«Мысал» қоры",
        "Фонд «Пример»",
        "Example Foundation",
        "foundation",
        "KZ-71",
        "1995-04-12",
        "active",
        "health;women",
        "Астана, ул. Примерная, 1",
        "+7 7172 00 00 00",
        "info@example.kz",
        "https://example.kz",
    ],
    "reports": list(REPORT_EXAMPLE.values()),
    "awards": [
        "MSZ-2025-017",
        "state_grant",
        "example-ministry",
        "950440770016",
        "Support for rural youth centres",
        "Equipment and training for 12 centres",
        "children_youth",
        "KZ-71",
        "12 500 000",
        "KZT",
        "2025-03-01",
        "2025-04-01",
        "2025-12-31",
        "",
        "",
        "",
        "contracted",
    ],
}


@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """A CSV with the format's exact header and one example row (docs/imports.md)."""
    from django.utils.module_loading import import_string

    from registry.csv_export import csv_response
    from registry.imports import IMPORT_KINDS

    if kind not in IMPORT_KINDS or kind not in IMPORT_EXAMPLES:
        raise Http404
    return csv_response(
        f"qogam-template-{kind}", import_string(IMPORT_KINDS[kind].importer).columns, [IMPORT_EXAMPLES[kind]]
    )


@require_GET
def organisation_history(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, response = _organisation(request, org_id, "registry:organisation_history")
    if response:
        return response
    changes = organisation.changes.select_related("user")[:500]
    return render(request, "registry/organisation_history.html", {"organisation": organisation, "changes": changes})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_claim(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, response = _organisation(
        request, org_id, "registry:organisation_claim", "registry.claim_organisation"
    )
    if response:
        return response
    form = ClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_submit(user=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Your claim was sent to the moderators. You will see their decision here."))
            return redirect("registry:my_organisations")
    return render(request, "registry/claim_form.html", {"organisation": organisation, "form": form})


@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, response = _organisation(request, org_id, "registry:organisation_edit", "registry.edit_organisation")
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
def organisation_managers(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, response = _organisation(
        request, org_id, "registry:organisation_managers", "registry.manage_managers"
    )
    if response:
        return response
    form = ManagerAddForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                membership = get_object_or_404(
                    organisation.memberships, pk=request.POST.get("membership"), ended_at__isnull=True
                )
                services.manager_remove(membership=membership, acting_user=request.user)
                messages.success(request, _("Removed."))
                return redirect("registry:organisation_managers", org_id=organisation.org_id)
            if request.POST.get("action") == "revoke":
                invitation = get_object_or_404(organisation.invitations, pk=request.POST.get("invitation"))
                services.invitation_revoke(invitation=invitation, acting_user=request.user)
                messages.success(request, _("The invitation is withdrawn; its link no longer works."))
                return redirect("registry:organisation_managers", org_id=organisation.org_id)
            if form.is_valid():
                added = services.manager_add_or_invite(
                    organisation=organisation,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    acting_user=request.user,
                    link=lambda token: request.build_absolute_uri(reverse("registry:invitation", args=[token])),
                )
                if isinstance(added, Invitation):
                    messages.success(
                        request,
                        _("No account has that e-mail yet: an invitation is sent to %(email)s.")
                        % {"email": added.email},
                    )
                else:
                    messages.success(request, _("Added."))
                return redirect("registry:organisation_managers", org_id=organisation.org_id)
        except ValidationError as error:
            if form.is_bound:
                form_add_errors(form, error)
            else:  # a refused removal: say why above the list
                messages.error(request, " ".join(error.messages))
    memberships = organisation.memberships.filter(ended_at__isnull=True).select_related("user", "granted_by")
    invitations = organisation.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")
    return render(
        request,
        "registry/organisation_managers.html",
        {"organisation": organisation, "form": form, "memberships": memberships, "invitations": invitations},
    )


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation e-mail: sign in or create an account, then accept. The token is the secret."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("organisation", "invited_by"),
        token_hash=services.invitation_token_hash(token),
    )
    problem = services.invitation_problem(invitation)
    if request.method == "POST" and not problem:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(request, _("You now manage this organisation's record."))
            return redirect("registry:organisation_detail", org_id=invitation.organisation.org_id)
    return render(
        request,
        "registry/invitation.html",
        {"invitation": invitation, "problem": problem},
        status=410 if problem and request.method == "GET" else 200,
    )


@login_required
@require_GET
def my_organisations(request: HttpRequest) -> HttpResponse:
    memberships = request.user.memberships.filter(ended_at__isnull=True).select_related("organisation")
    claims = request.user.claims.select_related("organisation").order_by("-created_at")
    return render(request, "registry/my_organisations.html", {"memberships": memberships, "claims": claims})


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """The person's API token: shown to them alone; creating a new one revokes the old at once."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.filter(user=request.user).first()
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            Token.objects.filter(user=request.user).delete()  # a credential, not a record: nothing to keep
            messages.success(request, _("The token is revoked; programs using it are refused from now on."))
        else:
            Token.objects.filter(user=request.user).delete()
            Token.objects.create(user=request.user)
            messages.success(request, _("A new token is ready; the old one no longer works."))
        return redirect("registry:api_token")
    return render(request, "registry/api_token.html", {"token": token})


def _moderator_only(request) -> None:
    if not request.user.has_perm("registry.moderate"):
        raise Http404  # the queue and its documents are not revealed to anyone else


@require_GET
def moderation_claims(request: HttpRequest) -> HttpResponse:
    _moderator_only(request)
    pending = OwnershipClaim.objects.filter(status=OwnershipClaim.Status.PENDING).select_related(
        "user", "organisation__legal_form"
    )
    decided = (
        OwnershipClaim.objects.exclude(status=OwnershipClaim.Status.PENDING)
        .select_related("user", "organisation", "decided_by")
        .order_by("-decided_at")[:50]
    )
    return render(
        request,
        "registry/moderation_claims.html",
        {"pending": pending, "decided": decided, "form": ClaimDecisionForm()},
    )


@require_POST
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _moderator_only(request)
    claim = get_object_or_404(OwnershipClaim, pk=pk)
    form = ClaimDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.claim_decide(
                claim=claim,
                moderator=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Decision recorded."))
    else:
        messages.error(request, _("Choose approve or reject."))
    return redirect("registry:moderation_claims")


@require_GET
def claim_document(request: HttpRequest, pk: int) -> HttpResponse:
    _moderator_only(request)
    claim = get_object_or_404(OwnershipClaim, pk=pk)
    if not claim.document:
        raise Http404
    response = FileResponse(claim.document.open("rb"), as_attachment=True)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_http_methods(["GET", "POST"])
def organisation_report(request: HttpRequest, org_id: str, year: int) -> HttpResponse:
    organisation, response = _organisation(
        request, org_id, "registry:organisation_detail", "registry.edit_organisation"
    )
    if response:
        return response
    if year >= timezone.localdate().year or (organisation.registered_on and year < organisation.registered_on.year):
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
    organisation, response = _organisation(request, org_id, "registry:organisation_documents")
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
        {"organisation": organisation, "documents": documents, "form": form, "hide_form": hide_form},
    )


@require_GET
def document_download(request: HttpRequest, org_id: str, pk: int) -> HttpResponse:
    organisation, response = _organisation(request, org_id, "registry:organisation_documents")
    if response:
        return response
    document = get_object_or_404(organisation.documents, pk=pk, hidden_at__isnull=True)
    download = FileResponse(document.file.open("rb"), as_attachment=True)
    download["X-Content-Type-Options"] = "nosniff"
    download["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return download


@require_http_methods(["GET", "POST"])
def organisation_status_event(request: HttpRequest, org_id: str) -> HttpResponse:
    """Moderators record a suspension, liquidation, reorganisation … with its date and legal basis."""
    organisation, response = _organisation(request, org_id, "registry:organisation_status_event", "registry.moderate")
    if response:
        return response
    form = StatusEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_status_record(organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("The status change is recorded in the status history."))
            return redirect("registry:organisation_detail", org_id=organisation.org_id)
    return render(request, "registry/status_event_form.html", {"organisation": organisation, "form": form})


@require_http_methods(["GET", "POST"])
def organisation_merge(request: HttpRequest, org_id: str) -> HttpResponse:
    """Moderators merge a duplicate into this record, or undo an earlier merge."""
    organisation, response = _organisation(request, org_id, "registry:organisation_merge", "registry.moderate")
    if response:
        return response
    merging = request.method == "POST" and request.POST.get("action") != "undo"
    form = MergeForm(request.POST if merging else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "undo":
                merge = get_object_or_404(organisation.merges_received, pk=request.POST.get("merge"))
                services.organisation_unmerge(merge=merge, moderator=request.user)
                messages.success(request, _("The merge is undone; the duplicate has its own page again."))
                return redirect("registry:organisation_merge", org_id=organisation.org_id)
            if form.is_valid():
                services.organisation_merge(
                    survivor=organisation,
                    merged=form.cleaned_data["duplicate"],
                    moderator=request.user,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("Merged. The duplicate's identifiers now lead here."))
                return redirect("registry:organisation_detail", org_id=organisation.org_id)
        except ValidationError as error:
            if form.is_bound:
                form_add_errors(form, error)
            else:
                messages.error(request, " ".join(error.messages))
    merges = organisation.merges_received.select_related("merged", "moderator", "undone_by")
    return render(
        request, "registry/organisation_merge.html", {"organisation": organisation, "form": form, "merges": merges}
    )


def _import_jobs(request):
    """The jobs this user may see; a 404 for anyone with no import format at all (the page is not revealed)."""
    from registry.imports import visible_jobs_filter

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
        return redirect("registry:import_detail", pk=job.pk)
    return render(request, "registry/imports.html", {"form": form, "jobs": jobs[:30], "kinds": form.kinds})


@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(_import_jobs(request), pk=pk)
    if request.method == "POST":
        if not (job.dry_run and job.succeeded and not hasattr(job, "confirmed_by")):
            messages.error(request, _("Only a dry run without problems can be applied, once."))
            return redirect("registry:import_detail", pk=job.pk)
        applied = services.import_job_start(kind=job.kind, file=None, acting_user=request.user, confirms=job)
        return redirect("registry:import_detail", pk=applied.pk)
    done, total = cache.get(services.import_progress_key(job.pk)) or (0, 0)
    return render(
        request,
        "registry/import_detail.html",
        {"job": job, "done": done, "total": total, "confirmed": getattr(job, "confirmed_by", None)},
    )


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("registry:my_organisations")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""  # only back to this site, e.g. an invitation page
    form = SignUpForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = get_user_model().objects.create_user(
            data["username"],
            data["email"],
            data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if next_url:
            messages.success(request, _("Welcome. Your account is ready."))
            return redirect(next_url)
        messages.success(request, _("Welcome. Find your organisation in the directory and claim it."))
        return redirect("registry:my_organisations")
    return render(request, "registration/sign_up.html", {"form": form, "next": next_url})
