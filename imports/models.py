"""One run of a bulk import: a dry run, or the real one confirmed from it, done by a Celery task."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def import_file_path(instance: ImportJob, filename: str) -> str:
    return f"imports/{instance.kind}/{filename}"


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("format"), max_length=20)
    options = models.JSONField(
        _("options"), default=dict, blank=True, help_text=_("what the importer is built with, e.g. the administrator")
    )
    file = models.FileField(_("file"), upload_to=import_file_path)
    encoding = models.CharField(
        _("encoding"),
        max_length=20,
        choices=[("auto", _("UTF-8 or UTF-16")), ("windows-1251", _("Windows-1251"))],
        default="auto",
    )
    dry_run = models.BooleanField(_("dry run"), default=True)
    confirms = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applies",
        help_text=_("the dry run this import was confirmed from"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    failure = models.TextField(_("why it failed"), blank=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, help_text=_("[[row, column, message], …], the first 1,000"))
    problem_count = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=dict, blank=True, help_text=_("the header and the first rows, as read"))
    changes = models.JSONField(
        default=list,
        blank=True,
        help_text=_("[[row, record, null (new) or [[column, old, new], …]], …], the first 5,000 rows that change"),
    )
    language = models.CharField(
        max_length=10, blank=True, help_text=_("the language of the person who started it: its messages are in it")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            # A dry run is applied once; an apply that failed may be tried again.
            models.UniqueConstraint(
                fields=["confirms"], condition=~models.Q(status="failed"), name="importjob_one_live_apply"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def succeeded(self) -> bool:
        return self.status == self.Status.DONE and not self.problem_count

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
