"""What changed and who changed it: field changes shown on the History tab, and reversible merges."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from registry.models.organisation import Organisation


class ChangeRecord(models.Model):
    """One field of one organisation changed: who, when, from what to what. Shown on the public History tab."""

    class Source(models.TextChoices):
        MANAGER = "manager", _("the organisation's manager")
        MODERATOR = "moderator", _("a moderator")
        IMPORT = "import", _("an official import")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="changes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("by"), max_length=10, choices=Source.choices)
    field = models.CharField(_("field"), max_length=60)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    version = models.PositiveIntegerField(_("version"), help_text=_("the profile version this change produced"))
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [models.Index(fields=["organisation", "changed_at"], name="change_org_time")]

    def __str__(self) -> str:
        return f"{self.organisation_id}.{self.field}"


class Merge(models.Model):
    """A duplicate merged into the record that lives on; `moved` lists every row moved, so it can be undone."""

    survivor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="merges_received")
    merged = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="merges_given")
    reason = models.CharField(_("reason"), max_length=500)
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    # {"app_label.model": {"field": "organisation", "ids": [1, 2]}, ...}
    moved = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        constraints = [models.CheckConstraint(condition=~Q(survivor=F("merged")), name="merge_not_into_itself")]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
