"""Who manages an organisation's record: ownership claims, managers and invitations."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.changes import announce
from registry.models import Invitation, Membership, Organisation, OwnershipClaim
from registry.services.common import validated_save
from registry.services.documents import validate_document
from registry.signals import managers_changed

MSG_ALREADY_MANAGER = _("you already manage this organisation.")
MSG_CLAIM_PENDING = _("you already have a claim waiting for a moderator.")
MSG_CLAIM_DECIDED = _("this claim was already decided.")
MSG_REJECTION_REASON = _("say why the claim is rejected; the person who claimed will read it.")
MSG_LAST_OWNER = _("an organisation keeps at least one owner; add another owner first.")
MSG_ALREADY_MEMBER = _("%(user)s already manages this organisation.")
MSG_INVITATION_USED = _("this invitation has already been used.")
MSG_INVITATION_REVOKED = _("this invitation was withdrawn by the organisation; ask its owner for a new one.")
MSG_INVITATION_EXPIRED = _("this invitation has expired; ask the organisation's owner for a new one.")


def _announce(organisation_id: int) -> None:
    announce(managers_changed, sender=Membership, organisation_id=organisation_id)


def _active_membership(user, organisation) -> Membership | None:
    return organisation.memberships.filter(user=user, ended_at__isnull=True).first()


@transaction.atomic
def claim_submit(*, user, organisation: Organisation, position: str, contact: str, document=None) -> OwnershipClaim:
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


@transaction.atomic
def manager_add(*, organisation: Organisation, user, role: str, acting_user) -> Membership:
    if _active_membership(user, organisation):
        raise ValidationError({"email": ValidationError(MSG_ALREADY_MEMBER, params={"user": user.get_username()})})
    membership = validated_save(Membership(user=user, organisation=organisation, role=role, granted_by=acting_user))
    _announce(organisation.pk)
    return membership


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def manager_add_or_invite(
    *, organisation: Organisation, email: str, role: str, acting_user, link: Callable[[str], str]
) -> Membership | Invitation:
    """Add the person whose account has this e-mail; with no such account, e-mail them an invitation.

    `link(token)` makes the absolute URL of the invitation page. A new invitation to the same address
    withdraws the one still pending, so only the latest link works.
    """
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is not None:
        return manager_add(organisation=organisation, user=user, role=role, acting_user=acting_user)
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
    """Make the signed-in person a manager. Used once: of two accepts at once, one wins."""
    if problem := invitation_problem(invitation):
        raise ValidationError(problem)
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
