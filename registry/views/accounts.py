"""People's accounts: signing up, claiming an organisation, its managers and invitations, the API token."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.authtoken.models import Token

from registry import services
from registry.forms import ClaimForm, ManagerAddForm, SignUpForm
from registry.http import confirm_email_first, form_add_errors, organisation_for_request
from registry.models import Invitation
from registry.selectors import email_verified
from registry.signin import device_remember


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
        services.account_sign_up(
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            link=lambda token: _confirmation_link(request, token, next_url),
            sign_in_url=request.build_absolute_uri(reverse("login")),
            reset_url=request.build_absolute_uri(reverse("password_reset")),
        )
        # The same answer whether or not the address has an account: the page tells nobody which do.
        return render(request, "registration/sign_up_sent.html", {"email": data["email"]})
    return render(request, "registration/sign_up.html", {"form": form, "next": next_url})


def _confirmation_link(request, token: str, next_url: str = "") -> str:
    link = request.build_absolute_uri(reverse("registry:email_confirm", args=[token]))
    return f"{link}?{urlencode({'next': next_url})}" if next_url else link


@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a confirmation e-mail: a GET shows a button (mail scanners follow links), a POST confirms,
    makes the account usable and signs the person in."""
    confirmation = services.email_confirmation_find(token)
    problem = services.email_confirmation_problem(confirmation)
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    if request.method == "POST" and confirmation is not None and not problem:
        try:
            user = services.email_confirm(confirmation=confirmation)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            login(request, user, backend="registry.auth.EmailOrUsernameBackend")
            messages.success(request, _("Your e-mail address is confirmed. Welcome."))
            response = redirect(next_url or "registry:my_organisations")
            device_remember(request, response, user)
            return response
    return render(
        request,
        "registration/email_confirm.html",
        {"confirmation": confirmation, "problem": problem},
        status=410 if problem and request.method == "GET" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def email_verify(request: HttpRequest) -> HttpResponse:
    """For an account whose address is not confirmed yet (made before addresses were): send it a link."""
    verified = email_verified(request.user)
    if request.method == "POST" and not verified:
        services.email_confirmation_send(
            user=request.user, link=lambda token: _confirmation_link(request, token, request.GET.get("next", ""))
        )
        messages.success(request, _("A link is on its way to %(email)s.") % {"email": request.user.email})
        return redirect("registry:email_verify")
    return render(request, "registration/email_verify.html", {"verified": verified})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_claim(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, response = organisation_for_request(
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
        except PermissionDenied:  # a site administrator whose own address is not confirmed
            return confirm_email_first(request)
        else:
            messages.success(request, _("Your claim was sent to the moderators. You will see their decision here."))
            return redirect("registry:my_organisations")
    return render(request, "registry/claim_form.html", {"organisation": organisation, "form": form})


@require_http_methods(["GET", "POST"])
def organisation_managers(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, response = organisation_for_request(
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
                invitation = services.manager_invite(
                    organisation=organisation,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    acting_user=request.user,
                    link=lambda token: request.build_absolute_uri(reverse("registry:invitation", args=[token])),
                )
                messages.success(
                    request,
                    _(
                        "An invitation is sent to %(email)s. Whoever reads that mailbox accepts it with an account "
                        "that uses the address."
                    )
                    % {"email": invitation.email},
                )
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
