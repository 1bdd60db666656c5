"""The last generation of each full download: when, how big, how many rows."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportFile(models.Model):
    kind = models.CharField(_("format"), max_length=20, unique=True)
    filename = models.CharField(_("file name"), max_length=100)
    generated_at = models.DateTimeField(_("generated"))
    size = models.PositiveBigIntegerField(_("size, bytes"))
    rows = models.PositiveIntegerField(_("records"))
    seconds = models.FloatField(_("took, seconds"))
    # Set by the first data change after the file was generated; cleared by the regeneration that includes it.
    stale_since = models.DateTimeField(_("changes since"), null=True, blank=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("download")
        verbose_name_plural = _("downloads")

    def __str__(self) -> str:
        return self.filename
