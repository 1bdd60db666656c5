"""Charters, financial statements and policies: every version kept, hidden only with a reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.models.organisation import Organisation


def document_path(instance: Document, filename: str) -> str:
    return f"documents/{instance.organisation_id}/{instance.kind}/{filename}"


class Document(models.Model):
    """A charter, financial statement or policy. A new upload of the same kind replaces, never deletes."""

    class Kind(models.TextChoices):
        CHARTER = "charter", _("charter")
        FINANCIAL_STATEMENTS = "financial_statements", _("financial statements")
        POLICY = "policy", _("policy")
        OTHER = "other", _("other document")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=document_path)
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    hidden_reason = models.CharField(_("hidden because"), max_length=500, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-uploaded_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="document_hiding_has_reason"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_current(self) -> bool:
        return not hasattr(self, "replaced_by") or self.replaced_by is None
