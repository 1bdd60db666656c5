"""Owners invite people without an account by e-mail; the link is used once, expires and can be withdrawn."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registry.models import Invitation, Membership
from tests.registry.factories import person

pytestmark = pytest.mark.django_db
NEWCOMER = "newcomer@example.kz"


def pending_invitation(org, owner, email: str, token_hash: str) -> Invitation:
    return Invitation.objects.create(
        organisation=org,
        email=email,
        role="editor",
        token_hash=token_hash,
        invited_by=owner,
        expires_at=timezone.now() + Invitation.VALID_FOR,
    )


def invite(client, org, email=NEWCOMER, role="editor"):
    url = reverse("registry:organisation_managers", args=[org.org_id])
    return client.post(url, {"action": "add", "email": email, "role": role})


@pytest.fixture
def link(client, org, owner, django_capture_on_commit_callbacks):
    """The owner invites the newcomer; the link from the e-mail (the only copy of the token)."""
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, org)
    client.logout()
    return re.search(r"http://testserver(/invitations/[^/\s]+/)", mail.outbox[-1].body).group(1)


def test_someone_without_an_account_gets_an_e_mail(client, org, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, org)
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == [NEWCOMER] and org.name in message.subject and "/invitations/" in message.body
    invitation = Invitation.objects.get()
    token = re.search(r"/invitations/([^/\s]+)/", message.body).group(1)
    assert token not in invitation.token_hash  # only a hash is stored
    page = client.get(reverse("registry:organisation_managers", args=[org.org_id])).content.decode()
    assert NEWCOMER in page and "Withdraw" in page
    assert not Membership.objects.filter(organisation=org, role="editor").exists()


def test_someone_with_an_account_gets_an_invitation_too(client, org, owner, signed_in_user):
    """Found 1: an owner adding an address an account uses no longer adds that account at once."""
    client.force_login(owner)
    invite(client, org, email="CITIZEN@example.kz")
    assert not Membership.objects.filter(user=signed_in_user, organisation=org).exists()
    assert Invitation.objects.get().email == "CITIZEN@example.kz"


def test_the_newcomer_signs_up_from_the_link_confirms_the_address_and_accepts(
    client, org, link, django_capture_on_commit_callbacks
):
    page = client.get(link)
    assert page.status_code == 200 and "Create an account" in page.content.decode()
    sign_up = reverse("registry:sign_up") + f"?next={link}&email={NEWCOMER}"
    assert client.get(sign_up).context["form"].initial["email"] == NEWCOMER
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            sign_up,
            {
                "email": NEWCOMER,
                "first_name": "New",
                "last_name": "Comer",
                "password1": "a long pass phrase 2026",
                "password2": "a long pass phrase 2026",
            },
        )
    assert "Check your e-mail" in response.content.decode()
    confirm = re.search(r"http://testserver(/accounts/confirm/\S+)", mail.outbox[-1].body).group(1)
    assert client.post(confirm)["Location"] == link  # back to the invitation, the address now confirmed
    accepted = client.post(link)
    assert accepted["Location"] == reverse("registry:organisation_detail", args=[org.org_id])
    membership = Membership.objects.get(user__email=NEWCOMER, organisation=org)
    assert membership.role == "editor" and membership.granted_by.username == "owner"
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == membership.user and invitation.accepted_at


@pytest.fixture
def newcomer():
    return person("newcomer", email=NEWCOMER)


def test_the_link_works_once(client, link, newcomer, stranger_owner):
    client.force_login(newcomer)
    client.post(link)
    client.force_login(stranger_owner)
    response = client.post(link)
    assert "already been used" in response.content.decode()
    assert client.get(link).status_code == 410
    assert not Membership.objects.filter(user=stranger_owner, role="editor").exists()


def test_an_expired_link_is_refused(client, link, newcomer):
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client.force_login(newcomer)
    response = client.post(link)
    assert "expired" in response.content.decode() and not Membership.objects.filter(user=newcomer).exists()


def test_a_withdrawn_link_is_refused(client, org, owner, link, newcomer):
    client.force_login(owner)
    url = reverse("registry:organisation_managers", args=[org.org_id])
    client.post(url, {"action": "revoke", "invitation": Invitation.objects.get().pk})
    assert Invitation.objects.get().revoked_at  # kept, not deleted
    client.force_login(newcomer)
    response = client.post(link)
    assert "withdrawn" in response.content.decode() and not Membership.objects.filter(user=newcomer).exists()


def test_a_new_invitation_replaces_the_pending_one(client, org, owner, link, django_capture_on_commit_callbacks):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, org, role="owner")
    first, second = Invitation.objects.order_by("created_at", "pk")
    assert first.revoked_at and second.pending and second.role == "owner"
    assert client.get(link).status_code == 410


def test_an_unknown_token_is_a_404(client):
    assert client.get(reverse("registry:invitation", args=["not-a-token"])).status_code == 404


def test_an_anonymous_accept_is_sent_to_sign_in(client, link):
    response = client.post(link)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Invitation.objects.get().pending


def test_sign_up_goes_only_back_to_this_site(client, django_capture_on_commit_callbacks):
    data = {
        "email": "someone@example.kz",
        "first_name": "Some",
        "last_name": "One",
        "password1": "a long pass phrase 2026",
        "password2": "a long pass phrase 2026",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:sign_up") + "?next=https://evil.example.com/", data)
    assert "evil" not in mail.outbox[-1].body
    confirm = re.search(r"http://testserver(/accounts/confirm/[^?\s]+)", mail.outbox[-1].body).group(1)
    response = client.post(confirm + "?next=https://evil.example.com/")
    assert response["Location"] == reverse("registry:my_organisations")


ROLES = ["anonymous", "signed_in_user", "editor", "stranger_owner", "owner", "moderator", "superuser"]
MAY_MANAGE = {"owner", "moderator", "superuser"}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_invite_and_withdraw(client, request, org, owner, editor, role):
    invitation = pending_invitation(org, owner, "pending@example.kz", "0" * 64)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = reverse("registry:organisation_managers", args=[org.org_id])
    invited = invite(client, org)
    withdrawn = client.post(url, {"action": "revoke", "invitation": invitation.pk})
    invitation.refresh_from_db()
    if role == "anonymous":
        assert invited.status_code == withdrawn.status_code == 302 and invited["Location"].startswith(reverse("login"))
    elif role in MAY_MANAGE:
        assert invited.status_code == withdrawn.status_code == 302
        assert invitation.revoked_at and Invitation.objects.filter(email=NEWCOMER).exists()
        return
    else:
        assert invited.status_code == withdrawn.status_code == 403
    assert invitation.revoked_at is None and not Invitation.objects.filter(email=NEWCOMER).exists()


def test_an_invitation_of_another_organisation_can_not_be_withdrawn_here(client, org, other_org, owner):
    foreign = pending_invitation(other_org, owner, "x@example.kz", "1" * 64)
    client.force_login(owner)
    url = reverse("registry:organisation_managers", args=[org.org_id])
    assert client.post(url, {"action": "revoke", "invitation": foreign.pk}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None
