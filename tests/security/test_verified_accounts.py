"""Found 1 and 11 (issue 14): an address typed into an account proves nothing, and the account pages say
nothing about which accounts exist.

The takeover as it was done: sign up first as director@<the organisation's domain>, wait for the owner to add
that address as a manager, and be made owner at once. Now the owner's form only ever sends an invitation, which
only the mailbox's reader can accept, and an account whose address is not confirmed can neither claim, nor
manage, nor file, nor report.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from registry import services
from registry.models import Invitation, Membership, OwnershipClaim
from scoring.models import Concern
from tests.funding.factories import make_administrator, make_award
from tests.registry.factories import person

pytestmark = pytest.mark.django_db
DIRECTOR = "director@trust.example.kz"
PASSWORD = "a long pass phrase 2026"


def sign_up(client, email, capture, **extra):
    data = {"email": email, "first_name": "A", "last_name": "B", "password1": PASSWORD, "password2": PASSWORD}
    with capture(execute=True):
        return client.post(reverse("registry:sign_up"), {**data, **extra})


def test_the_takeover_by_signing_up_first_gets_nothing(client, org, owner, django_capture_on_commit_callbacks):
    sign_up(client, DIRECTOR, django_capture_on_commit_callbacks)  # the attacker, who can not read that mailbox
    attacker = get_user_model().objects.get(email=DIRECTOR)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("registry:organisation_managers", args=[org.org_id]),
            {"action": "add", "email": DIRECTOR, "role": "owner"},
        )
    assert not Membership.objects.filter(user=attacker).exists()
    invitation = Invitation.objects.get(email=DIRECTOR)
    assert invitation.pending and mail.outbox[-1].to == [DIRECTOR]  # the link went to the mailbox only
    # Even holding the link, an account whose address is not confirmed can not accept it.
    with pytest.raises(ValidationError, match="accept it signed in with the account that uses that address"):
        services.invitation_accept(invitation=invitation, user=attacker)
    assert not Membership.objects.filter(user=attacker).exists()


def test_an_invitation_is_accepted_only_by_the_account_with_that_confirmed_address(org, owner):
    invitation = services.manager_invite(
        organisation=org, email=DIRECTOR, role="owner", acting_user=owner, link=lambda token: token
    )
    someone_else = person("someone")
    with pytest.raises(ValidationError, match=r"sent to director@trust\.example\.kz"):
        services.invitation_accept(invitation=invitation, user=someone_else)
    unconfirmed = person("director", email=DIRECTOR, verified=False)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=unconfirmed)
    director = person("director2", email=DIRECTOR.upper())
    assert services.invitation_accept(invitation=invitation, user=director).role == "owner"


@pytest.fixture
def unconfirmed(db):
    return person("unconfirmed", verified=False)


def test_an_unconfirmed_account_is_sent_to_confirm_before_acting(client, org, unconfirmed):
    award = make_award(administrator=make_administrator(code="dept"))
    Membership.objects.create(user=unconfirmed, organisation=org, role="owner")  # e.g. made before addresses were
    client.force_login(unconfirmed)
    pages = [
        reverse("registry:organisation_claim", args=[org.org_id]),
        reverse("registry:organisation_edit", args=[org.org_id]),
        reverse("registry:organisation_report", args=[org.org_id, 2024]),
        reverse("registry:organisation_managers", args=[org.org_id]),
        reverse("scoring:concern_new", args=["award", award.public_id]),
    ]
    for url in pages:
        for method in (client.get, client.post):
            response = method(url, {"what": "x", "position": "Director", "contact": "x"})
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("registry:email_verify")), url
    assert not OwnershipClaim.objects.exists() and not Concern.objects.exists()
    with pytest.raises(PermissionDenied):
        services.claim_submit(user=unconfirmed, organisation=org, position="x", contact="y")


def test_the_verify_page_sends_a_link_that_unlocks_the_account(
    client, org, unconfirmed, django_capture_on_commit_callbacks
):
    client.force_login(unconfirmed)
    claim = reverse("registry:organisation_claim", args=[org.org_id])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:email_verify") + f"?next={claim}")
    link = re.search(r"http://testserver(/accounts/confirm/\S+)", mail.outbox[-1].body).group(1)
    assert mail.outbox[-1].to == [unconfirmed.email]
    assert client.post(link)["Location"] == claim
    assert client.get(claim).status_code == 200


def test_a_link_for_an_address_the_account_no_longer_uses_confirms_nothing(unconfirmed):
    confirmation = services.email_confirmation_send(user=unconfirmed, link=lambda token: token)
    unconfirmed.email = "elsewhere@example.kz"
    unconfirmed.save()
    with pytest.raises(ValidationError, match="no longer uses"):
        services.email_confirm(confirmation=confirmation)


def test_sign_up_answers_the_same_whether_or_not_the_address_has_an_account(
    client, signed_in_user, django_capture_on_commit_callbacks
):
    taken = sign_up(client, "CITIZEN@example.kz", django_capture_on_commit_callbacks)
    free = sign_up(client, "nobody@example.kz", django_capture_on_commit_callbacks)
    assert taken.status_code == free.status_code == 200
    pages = [[t.name for t in response.templates if t.name.endswith(".html")] for response in (taken, free)]
    assert pages[0] == pages[1]
    strip = re.compile(r"citizen@example\.kz|nobody@example\.kz|csrfmiddlewaretoken[^>]*", re.I)
    assert strip.sub("", taken.content.decode()) == strip.sub("", free.content.decode())
    # The address's owner learns it by e-mail, and the account is unchanged.
    already, new = mail.outbox[-2:]
    assert already.to == ["CITIZEN@example.kz"] and "An account with it exists already" in already.body
    assert "/accounts/confirm/" in new.body
    signed_in_user.refresh_from_db()
    assert signed_in_user.check_password(PASSWORD) and signed_in_user.first_name == ""
    assert get_user_model().objects.filter(email__iexact="citizen@example.kz").count() == 1


def test_sign_up_asks_for_no_user_name_so_none_can_be_probed(client):
    form = client.get(reverse("registry:sign_up")).context["form"]
    assert "username" not in form.fields


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(client, signed_in_user):
    wrong = client.post(reverse("login"), {"username": "citizen@example.kz", "password": "not it at all"})
    unknown = client.post(reverse("login"), {"username": "nobody@example.kz", "password": "not it at all"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_password_reset_says_the_same_for_any_address(client, signed_in_user):
    known = client.post(reverse("password_reset"), {"email": "citizen@example.kz"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.kz"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
