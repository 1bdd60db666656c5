"""Request-level helpers shared by every app's organisation pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from registry.models import Organisation
from registry.selectors import email_verified, organisation_for_path


def organisation_or_redirect(org_id: str, url_name: str) -> tuple[Organisation | None, HttpResponse | None]:
    """The organisation a URL names, or a 301 to the canonical URL of `url_name`; Http404 when unknown.

    Every identifier an organisation ever had (merged duplicates, the fallback of one that later got a BIN,
    another case) keeps working, on every tab of its profile.
    """
    organisation, survivor = organisation_for_path(org_id)
    if survivor is not None:
        return None, redirect(url_name, org_id=survivor.org_id, permanent=True)
    if organisation is None:
        raise Http404(_("No organisation has the identifier %(org_id)s.") % {"org_id": org_id})
    return organisation, None


def form_add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def organisation_for_request(request, org_id: str, url_name: str, perm: str | None = None):
    """(organisation, None), or (None, the response to return instead): a redirect to the canonical URL, or to
    sign in when `perm` is needed and nobody is signed in. A signed-in person without `perm` gets a 403: the
    profile is public; changing it is not."""
    organisation, moved = organisation_or_redirect(org_id, url_name)
    if moved:
        return None, moved
    if perm:
        if not request.user.is_authenticated:
            return None, redirect_to_login(request.get_full_path())
        if not request.user.has_perm(perm, organisation):
            if not email_verified(request.user) and perm in NEEDS_CONFIRMED_EMAIL:
                return None, confirm_email_first(request)
            raise PermissionDenied
    return organisation, None


def confirm_email_first(request) -> HttpResponse:
    """Send a person whose address is not confirmed yet to confirm it, and back here afterwards."""
    messages.info(request, MSG_EMAIL_UNCONFIRMED)
    return redirect(f"{reverse('registry:email_verify')}?{urlencode({'next': request.path})}")


# Acting on an organisation's record needs a confirmed address; one that is not yet confirmed is sent to do it.
NEEDS_CONFIRMED_EMAIL = ("registry.claim_organisation", "registry.edit_organisation", "registry.manage_managers")
MSG_EMAIL_UNCONFIRMED = _(
    "Confirm your e-mail address first: claiming, managing an organisation, filing its report and reporting a "
    "concern need an address we know is yours."
)


def moderators_only(request) -> None:
    """The moderators' queues and the documents they read are not revealed to anyone else (a 404)."""
    if not request.user.has_perm("registry.moderate"):
        raise Http404
