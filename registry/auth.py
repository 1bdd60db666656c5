"""Signing in with the e-mail address or the user name (new accounts have a user name nobody chose or sees)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


def account_for_name(name: str):
    """The account a sign-in name means: the user name exactly, else the one account using that address (an
    address that several accounts share means none of them). None for a name no account has."""
    model = get_user_model()
    user = model._default_manager.filter(username=name).first()
    if user is None and "@" in name:
        matches = list(model._default_manager.filter(email__iexact=name.strip())[:2])
        user = matches[0] if len(matches) == 1 else None
    return user


class EmailOrUsernameBackend(ModelBackend):
    """ModelBackend that also accepts the account's e-mail address (case-insensitive). Unknown names cost a
    password hash too, as ModelBackend's do, so the time taken does not tell which accounts exist."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = account_for_name(username)
        if user is None:
            get_user_model()().set_password(password)  # the same work as for a real account
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
