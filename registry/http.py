"""Request-level helpers shared by every app's organisation pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from registry.models import Organisation
from registry.selectors import organisation_for_path


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
