"""Moderators' pages: ownership claims, status events and merges."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from registry import services
from registry.forms import ClaimDecisionForm, MergeForm, StatusEventForm
from registry.http import form_add_errors, moderators_only, organisation_for_request
from registry.models import OwnershipClaim
from registry.rules import decides_about
from registry.selectors import organisations_managed_ids


@require_GET
def moderation_claims(request: HttpRequest) -> HttpResponse:
    moderators_only(request)
    pending = OwnershipClaim.objects.filter(status=OwnershipClaim.Status.PENDING).select_related(
        "user", "organisation__legal_form"
    )
    # Four eyes: each claim with whether this moderator may decide it (not their own, not an organisation
    # they manage); the page says so where they may not.
    managed = organisations_managed_ids(request.user)
    pending = [(claim, claim.user_id != request.user.pk and claim.organisation_id not in managed) for claim in pending]
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
    moderators_only(request)
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
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", None) or [str(error)]))
        else:
            messages.success(request, _("Decision recorded."))
    else:
        messages.error(request, _("Choose approve or reject."))
    return redirect("registry:moderation_claims")


@require_GET
def claim_document(request: HttpRequest, pk: int) -> HttpResponse:
    moderators_only(request)
    claim = get_object_or_404(OwnershipClaim, pk=pk)
    if not claim.document:
        raise Http404
    response = FileResponse(claim.document.open("rb"), as_attachment=True)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_http_methods(["GET", "POST"])
def organisation_status_event(request: HttpRequest, org_id: str) -> HttpResponse:
    """Moderators record a suspension, liquidation, reorganisation … with its date and legal basis."""
    organisation, response = organisation_for_request(
        request, org_id, "registry:organisation_status_event", "registry.moderate"
    )
    if response:
        return response
    # Four eyes: a moderator who manages this organisation sees who may record its status, and nothing more.
    if not decides_about(request.user, organisation):
        return _someone_else_decides(request, organisation, "registry/status_event_form.html")
    form = StatusEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_status_record(organisation=organisation, moderator=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("The status change is recorded in the status history."))
            return redirect("registry:organisation_detail", org_id=organisation.org_id)
    return render(request, "registry/status_event_form.html", {"organisation": organisation, "form": form})


def _someone_else_decides(request: HttpRequest, organisation, template: str, **context) -> HttpResponse:
    """The moderator page of an organisation the moderator manages: the form gives way to who decides instead
    (403 to a write, so nothing is changed)."""
    return render(
        request,
        template,
        {"organisation": organisation, "someone_else_decides": services.MSG_FOUR_EYES_ORGANISATION, **context},
        status=403 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def organisation_merge(request: HttpRequest, org_id: str) -> HttpResponse:
    """Moderators merge a duplicate into this record, or undo an earlier merge."""
    organisation, response = organisation_for_request(
        request, org_id, "registry:organisation_merge", "registry.moderate"
    )
    if response:
        return response
    if not decides_about(request.user, organisation):
        return _someone_else_decides(
            request, organisation, "registry/organisation_merge.html", merges=_merges_received(organisation)
        )
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
        except PermissionDenied as refusal:  # the duplicate is an organisation this moderator manages
            form.add_error("duplicate", str(refusal))
    return render(
        request,
        "registry/organisation_merge.html",
        {"organisation": organisation, "form": form, "merges": _merges_received(organisation)},
    )


def _merges_received(organisation):
    return organisation.merges_received.select_related("merged", "moderator", "undone_by")
