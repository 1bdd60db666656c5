"""Login protection beside django-axes, which pauses sign-in for an account from one address after five wrong
passwords (so an attacker pauses only themselves, never the account's owner elsewhere):

- a cap per address: past ADDRESS_CAP failed sign-ins in an hour from one address, whatever the accounts,
  that address is refused for the rest of the hour (guessing many accounts from one place);
- a slow-down per account: past ACCOUNT_FREE failures on one account in a day, from anywhere, each further
  attempt must wait a little longer (2, 4, 8 … seconds, at most SLOWEST), so guessing one account from many
  addresses gets nowhere;
- device cookies (OWASP's defence against lockout abuse): a browser that has signed in to an account before
  carries a signed cookie naming it, and is exempt from that account's slow-down, so an attacker keeping the
  slow-down at its longest does not keep the owner out. A new browser can always reset the password, which
  signs the person in and remembers the browser.

Counted in the shared cache, or in this process while that is unreachable. Addresses are the trusted client
address (api.common.client_address), never X-Forwarded-For as sent. The messages say nothing about whether
an account exists: any name typed is counted the same.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, PasswordResetConfirmView
from django.core import signing
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext

from api.common import client_address
from registry.auth import account_for_name

ADDRESS_CAP = 30
ADDRESS_WINDOW = 3600
ACCOUNT_FREE = 5
ACCOUNT_WINDOW = 24 * 3600
SLOWEST = 300
DEVICE_COOKIE = "qogam_device"
DEVICE_SALT = "qogam.signin.device"
DEVICE_DAYS = 365
DEVICE_ACCOUNTS = 5  # the accounts one browser remembers
log = logging.getLogger("qogam")
_LOCAL = LocMemCache("qogam-signin-fallback", {})

MSG_ADDRESS_CAPPED = _("Too many failed sign-ins from your network. Try again in an hour, or reset your password.")


def _get(key: str, default: Any) -> Any:
    try:
        return caches["counters"].get(key, default)
    except Exception:  # the shared cache is down: count in this process
        log.warning("sign-in counts kept in this process: the shared cache is unreachable")
        return _LOCAL.get(key, default)


def _set(key: str, value: Any, timeout: int) -> None:
    try:
        caches["counters"].set(key, value, timeout)
    except Exception:
        _LOCAL.set(key, value, timeout)


def _address_key(address: str) -> str:
    return f"signin:address:{address}"


def _account_key(name: str) -> str:
    """One count per account whichever name (user name or address) is typed; a name no account has is
    counted as typed, so the counts tell nothing either."""
    user = account_for_name(name)
    return f"signin:account:{user.pk if user else name.strip().lower()}"


def device_accounts(request) -> list[int]:
    """The accounts this browser has signed in to (from its signed cookie; nothing if forged or expired)."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if not value:
        return []
    try:
        accounts = signing.loads(value, salt=DEVICE_SALT, max_age=DEVICE_DAYS * 24 * 3600)
    except signing.BadSignature:
        return []
    return [a for a in accounts if isinstance(a, int)] if isinstance(accounts, list) else []


def device_remember(request, response, user) -> None:
    """Remember on this browser that it signed in to `user` (the latest few accounts)."""
    accounts = [user.pk, *(a for a in device_accounts(request) if a != user.pk)][:DEVICE_ACCOUNTS]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(accounts, salt=DEVICE_SALT),
        max_age=DEVICE_DAYS * 24 * 3600,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def signin_refusal(*, name: str, address: str, known_device: bool) -> str | None:
    """Why this attempt is refused before the password is even checked, or None."""
    if _get(_address_key(address), 0) >= ADDRESS_CAP:
        return str(MSG_ADDRESS_CAPPED)
    if known_device:
        return None
    failures, last = _get(_account_key(name), (0, 0.0))
    if failures >= ACCOUNT_FREE:
        wait = min(2 ** (failures - ACCOUNT_FREE + 1), SLOWEST) - (time.time() - last)
        if wait > 0:
            seconds = math.ceil(wait)
            return ngettext(
                "Too many failed sign-ins for this name. Wait %(n)s second and try again, or reset your password.",
                "Too many failed sign-ins for this name. Wait %(n)s seconds and try again, or reset your password.",
                seconds,
            ) % {"n": seconds}
    return None


def signin_failed(*, name: str, address: str) -> None:
    _set(_address_key(address), _get(_address_key(address), 0) + 1, ADDRESS_WINDOW)
    failures, _last = _get(_account_key(name), (0, 0.0))
    _set(_account_key(name), (failures + 1, time.time()), ACCOUNT_WINDOW)


class SignInForm(AuthenticationForm):
    """Django's sign-in form with the e-mail address accepted as the name, and the guard above."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail address or user name and password do not match an account we can sign in."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mail or user name")

    def clean(self):
        name = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else ""
        account = account_for_name(name) if name else None
        known_device = account is not None and self.request is not None and account.pk in device_accounts(self.request)
        if refusal := signin_refusal(name=name, address=address, known_device=known_device):
            raise ValidationError(refusal, code="throttled")
        try:
            return super().clean()
        except ValidationError:
            signin_failed(name=name, address=address)
            raise


class SignInView(LoginView):
    """Django's sign-in page with the form above; a successful sign-in remembers the browser."""

    authentication_form = SignInForm

    def form_valid(self, form):
        response = super().form_valid(form)
        device_remember(self.request, response, form.get_user())
        return response


class PasswordSetView(PasswordResetConfirmView):
    """Setting a new password from the reset link (which proves the mailbox) signs the person in and
    remembers the browser: the way back in that no slow-down can block."""

    post_reset_login = True
    post_reset_login_backend = "registry.auth.EmailOrUsernameBackend"

    def form_valid(self, form):
        response = super().form_valid(form)
        device_remember(self.request, response, form.user)
        return response


# Django's own password reset form labels its field "Email"; Django has no Kazakh for it, and our catalogue (on
# LOCALE_PATHS, read before Django's) supplies it. Marked here so makemessages keeps it.
DJANGO_LABELS = (gettext_noop("Email"),)
