"""Who manages an organisation's record: memberships, invitations and ownership claims."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models.organisation import Organisation


class Membership(models.Model):
    """A person who manages an organisation's record: its owner or an editor the owner added."""

    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        EDITOR = "editor", _("editor")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text=_("removed managers keep their row"))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], condition=Q(ended_at__isnull=True), name="membership_once_while_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation_id} ({self.role})"


class Invitation(models.Model):
    """An owner's invitation to manage an organisation, sent to an e-mail address with no account yet.

    Only a hash of the token is stored; the link in the e-mail is the only copy. It is used once, expires,
    and can be revoked; none is deleted.
    """

    VALID_FOR = datetime.timedelta(days=14)

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} · {self.organisation_id} ({self.role})"

    @property
    def pending(self) -> bool:
        return not self.accepted_at and not self.revoked_at and self.expires_at > timezone.now()


def claim_document_path(instance: OwnershipClaim, filename: str) -> str:
    return f"claims/{instance.organisation_id}/{filename}"


class OwnershipClaim(models.Model):
    """A signed-in person asks to manage an organisation; a moderator decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="claims")
    position = models.CharField(_("your position in the organisation"), max_length=200)
    contact = models.CharField(_("phone or e-mail to verify the claim"), max_length=200)
    document = models.FileField(
        _("supporting document"),
        upload_to=claim_document_path,
        blank=True,
        help_text=_("an order of appointment or a power of attorney; PDF or image"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ownership claim")
        verbose_name_plural = _("ownership claims")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], condition=Q(status="pending"), name="claim_once_while_pending"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""), name="claim_rejection_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation_id} ({self.status})"


class EmailConfirmation(models.Model):
    """A link sent to an address: following it proves the person reads that mailbox. An account may claim,
    manage, file reports and report concerns only once its current address is confirmed. Only a hash of the
    token is stored; the e-mail holds the only copy."""

    VALID_FOR = datetime.timedelta(days=3)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_confirmations")
    email = models.EmailField(_("e-mail"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("e-mail confirmation")
        verbose_name_plural = _("e-mail confirmations")
        indexes = [models.Index(fields=["user", "confirmed_at"], name="emailconfirmation_user")]

    def __str__(self) -> str:
        return f"{self.email} ({'confirmed' if self.confirmed_at else 'pending'})"
