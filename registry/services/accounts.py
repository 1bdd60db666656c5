"""People's accounts and who manages an organisation's record: sign-up with a confirmed e-mail address,
ownership claims, managers and invitations."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.changes import announce
from registry.models import EmailConfirmation, Invitation, Membership, Organisation, OwnershipClaim
from registry.rules import decides_claim
from registry.selectors import email_verified
from registry.services.common import validated_save
from registry.services.documents import validate_document
from registry.signals import managers_changed

MSG_ALREADY_MANAGER = _("you already manage this organisation.")
MSG_EMAIL_UNCONFIRMED = _("confirm your e-mail address first.")
MSG_CLAIM_PENDING = _("you already have a claim waiting for a moderator.")
MSG_CLAIM_DECIDED = _("this claim was already decided.")
MSG_FOUR_EYES_CLAIM = _("you filed this claim or manage this organisation: another moderator decides it.")
MSG_REJECTION_REASON = _("say why the claim is rejected; the person who claimed will read it.")
MSG_LAST_OWNER = _("an organisation keeps at least one owner; add another owner first.")
MSG_ALREADY_MEMBER = _("%(user)s already manages this organisation.")
MSG_INVITATION_USED = _("this invitation has already been used.")
MSG_INVITATION_REVOKED = _("this invitation was withdrawn by the organisation; ask its owner for a new one.")
MSG_INVITATION_EXPIRED = _("this invitation has expired; ask the organisation's owner for a new one.")
MSG_INVITATION_OTHER_ADDRESS = _(
    "this invitation was sent to %(email)s: accept it signed in with the account that uses that address, once "
    "the address is confirmed (or create an account with it)."
)
MSG_CONFIRMATION_USED = _("this link has been used already.")
MSG_CONFIRMATION_EXPIRED = _("this link has expired; ask for a new one.")
MSG_CONFIRMATION_STALE = _("this link was sent to an address the account no longer uses; ask for a new one.")
MSG_CONFIRMATION_UNKNOWN = _("this link is not one we sent, or it was cut short; ask for a new one.")


def _announce(organisation_id: int) -> None:
    announce(managers_changed, sender=Membership, organisation_id=organisation_id)


def _active_membership(user, organisation) -> Membership | None:
    return organisation.memberships.filter(user=user, ended_at__isnull=True).first()


@transaction.atomic
def claim_submit(*, user, organisation: Organisation, position: str, contact: str, document=None) -> OwnershipClaim:
    """Ask to own the record; a moderator decides. Only from an account whose address is confirmed."""
    if not email_verified(user):
        raise PermissionDenied(MSG_EMAIL_UNCONFIRMED)
    if _active_membership(user, organisation):
        raise ValidationError(MSG_ALREADY_MANAGER)
    if organisation.claims.filter(user=user, status=OwnershipClaim.Status.PENDING).exists():
        raise ValidationError(MSG_CLAIM_PENDING)
    validate_document(document)
    claim = OwnershipClaim(user=user, organisation=organisation, position=position, contact=contact)
    if document:
        claim.document = document
    validated_save(claim)
    _announce(organisation.pk)
    return claim


@transaction.atomic
def claim_decide(*, claim: OwnershipClaim, moderator, approve: bool, reason: str = "") -> Membership | None:
    claim = OwnershipClaim.objects.select_for_update().get(pk=claim.pk)
    if not decides_claim(moderator, claim):
        raise PermissionDenied(MSG_FOUR_EYES_CLAIM)
    if claim.status != OwnershipClaim.Status.PENDING:
        raise ValidationError(MSG_CLAIM_DECIDED)
    if not approve and not reason.strip():
        raise ValidationError({"decision_reason": MSG_REJECTION_REASON})
    claim.status = OwnershipClaim.Status.APPROVED if approve else OwnershipClaim.Status.REJECTED
    claim.decision_reason = reason.strip()
    claim.decided_by = moderator
    claim.decided_at = timezone.now()
    claim.save()
    _announce(claim.organisation_id)
    if not approve or _active_membership(claim.user, claim.organisation):
        return None
    has_owner = claim.organisation.memberships.filter(ended_at__isnull=True, role=Membership.Role.OWNER).exists()
    return Membership.objects.create(
        user=claim.user,
        organisation=claim.organisation,
        granted_by=moderator,
        role=Membership.Role.EDITOR if has_owner else Membership.Role.OWNER,
    )


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def manager_invite(
    *, organisation: Organisation, email: str, role: str, acting_user, link: Callable[[str], str]
) -> Invitation:
    """E-mail an invitation to the address. Only the person who reads that mailbox can accept it (with an
    account whose confirmed address it is), whether or not an account with the address exists: an address
    typed into an account proves nothing.

    `link(token)` makes the absolute URL of the invitation page. A new invitation to the same address
    withdraws the one still pending, so only the latest link works.
    """
    now = timezone.now()
    organisation.invitations.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = validated_save(
        Invitation(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=invitation_token_hash(token),
            invited_by=acting_user,
            expires_at=now + Invitation.VALID_FOR,
        )
    )
    inviter = acting_user.get_full_name() or acting_user.get_username()
    subject = _("Manage %(name)s on Qogam") % {"name": organisation.name}
    body = _(
        "%(inviter)s invites you to manage the record of %(name)s on Qogam, the registry of Kazakhstan's "
        "civil society organisations, as its %(role)s.\n\nAccept here (the link works once, until %(until)s):\n"
        "%(link)s\n\nIf you do not know this organisation, ignore this message."
    ) % {
        "inviter": inviter,
        "name": organisation.name,
        "role": invitation.get_role_display(),
        "until": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d"),
        "link": link(token),
    }
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    _announce(organisation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, acting_user) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    _announce(invitation.organisation_id)


def invitation_problem(invitation: Invitation) -> str | None:
    """Why this invitation can no longer be accepted, in words; None while it can."""
    if invitation.accepted_at:
        return str(MSG_INVITATION_USED)
    if invitation.revoked_at:
        return str(MSG_INVITATION_REVOKED)
    if invitation.expires_at <= timezone.now():
        return str(MSG_INVITATION_EXPIRED)
    return None


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Make the signed-in person a manager: only with an account whose confirmed address is the one invited.
    Used once: of two accepts at once, one wins."""
    if problem := invitation_problem(invitation):
        raise ValidationError(problem)
    if not email_verified(user) or user.email.strip().lower() != invitation.email.strip().lower():
        raise ValidationError(MSG_INVITATION_OTHER_ADDRESS, params={"email": invitation.email})
    now = timezone.now()
    won = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, accepted_by=user)
    if not won:
        raise ValidationError(MSG_INVITATION_USED)
    organisation = invitation.organisation
    if _active_membership(user, organisation):
        raise ValidationError(MSG_ALREADY_MEMBER, params={"user": user.get_username()})
    membership = validated_save(
        Membership(user=user, organisation=organisation, role=invitation.role, granted_by=invitation.invited_by)
    )
    _announce(organisation.pk)
    return membership


@transaction.atomic
def manager_remove(*, membership: Membership, acting_user) -> None:
    organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    owners = organisation.memberships.filter(ended_at__isnull=True, role=Membership.Role.OWNER)
    if membership.role == Membership.Role.OWNER and owners.count() <= 1:
        raise ValidationError(MSG_LAST_OWNER)
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    _announce(organisation.pk)


# ---------------------------------------------------------------- signing up with a confirmed address


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def email_confirmation_send(*, user, link: Callable[[str], str]) -> EmailConfirmation:
    """E-mail the account's address a link that confirms it (three days, once). Earlier links stop working."""
    now = timezone.now()
    user.email_confirmations.filter(confirmed_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    confirmation = EmailConfirmation.objects.create(
        user=user, email=user.email, token_hash=_token_hash(token), expires_at=now + EmailConfirmation.VALID_FOR
    )
    subject = str(_("Confirm your e-mail address on Qogam"))
    body = render_to_string("registration/email/confirm.txt", {"link": link(token)})
    address = user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [address]))
    return confirmation


def email_confirmation_problem(confirmation: EmailConfirmation | None) -> str | None:
    """Why a link can not confirm anything (in words), or None while it can."""
    if confirmation is None:
        return str(MSG_CONFIRMATION_UNKNOWN)
    if confirmation.confirmed_at:
        return str(MSG_CONFIRMATION_USED)
    if confirmation.expires_at <= timezone.now():
        return str(MSG_CONFIRMATION_EXPIRED)
    if confirmation.email.strip().lower() != confirmation.user.email.strip().lower():
        return str(MSG_CONFIRMATION_STALE)
    return None


def email_confirmation_find(token: str) -> EmailConfirmation | None:
    return EmailConfirmation.objects.select_related("user").filter(token_hash=_token_hash(token)).first()


@transaction.atomic
def email_confirm(*, confirmation: EmailConfirmation):
    """Mark the address confirmed and the account usable. Used once: of two clicks at once, one wins."""
    if problem := email_confirmation_problem(confirmation):
        raise ValidationError(problem)
    won = EmailConfirmation.objects.filter(pk=confirmation.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )
    if not won:
        raise ValidationError(MSG_CONFIRMATION_USED)
    user = confirmation.user
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


def _new_username() -> str:
    """A user name nobody chooses or sees on a public page (people are shown by their names), so signing up
    tells nothing about which user names exist."""
    model = get_user_model()
    while True:
        candidate = f"person-{secrets.token_hex(5)}"
        if not model.objects.filter(username=candidate).exists():
            return candidate


@transaction.atomic
def account_sign_up(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    link: Callable[[str], str],
    sign_in_url: str,
    reset_url: str,
) -> None:
    """Create an account that works once its address is confirmed, and e-mail the link.

    Whatever happens the person is told the same thing ("check your e-mail"), so the page reveals nothing
    about which addresses have accounts: an address that has one gets a note saying so (with the sign-in
    and reset links) instead, and an account never confirmed gets a new link."""
    existing = get_user_model().objects.filter(email__iexact=email).order_by("-is_active", "id").first()
    if existing is not None and existing.is_active:
        subject = str(_("Your Qogam account"))
        body = render_to_string("registration/email/already_registered.txt", {"login": sign_in_url, "reset": reset_url})
        transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
        return
    if existing is not None:  # signed up before and never confirmed: the latest details win
        user = existing
        user.first_name, user.last_name = first_name, last_name
        user.set_password(password)
        user.save()
    else:
        user = get_user_model().objects.create_user(
            _new_username(), email, password, first_name=first_name, last_name=last_name, is_active=False
        )
    email_confirmation_send(user=user, link=link)
