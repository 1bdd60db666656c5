"""Scores and sector summaries: derived data, rebuilt by runs and swapped in whole (docs/methodology.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from scoring.flags.catalogue import RULES, FlagRule
from scoring.records import record_url

SIZE_BANDS = [
    ("none", _("no income reported")),
    ("under_1m", _("under 1 million KZT")),
    ("1m_10m", _("1 to 10 million KZT")),
    ("10m_100m", _("10 to 100 million KZT")),
    ("100m_plus", _("100 million KZT and more")),
]


class SummaryRun(models.Model):
    """One regeneration. Readers use the current complete run only; a new one becomes current in the same
    transaction that finishes it, so nobody reads a half-built set."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    progress = ""  # the regeneration's last progress message, read from the cache for a running run (not stored)

    kind = models.CharField(max_length=12, default="full")  # full, or incremental (rows patched in place)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    current = models.BooleanField(default=False)
    version = models.CharField(max_length=20)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["current"], condition=models.Q(current=True), name="one_current_run")
        ]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class OrganisationScore(models.Model):
    """One organisation's indicators for one reporting year (one filed report), in one run."""

    run = models.ForeignKey(SummaryRun, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("registry.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    version = models.CharField(max_length=20)
    # The segment keys, copied when scored so the summaries group without joins.
    region = models.CharField(max_length=10, blank=True)
    legal_form = models.CharField(max_length=40)
    size = models.CharField(max_length=12, choices=SIZE_BANDS)
    on_time = models.BooleanField()
    days_late = models.IntegerField(null=True, blank=True)
    income_diversity = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    state_dependency = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    tier = models.SmallIntegerField()
    # One column per CSI organisation indicator (scoring.indicators.CSI_INDICATORS; a test checks they match):
    # 100 positive, 0 negative, blank unknown.
    csi_2_1_1 = models.SmallIntegerField("2.1.1", null=True, blank=True)
    csi_2_2_1 = models.SmallIntegerField("2.2.1", null=True, blank=True)
    csi_2_3_1 = models.SmallIntegerField("2.3.1", null=True, blank=True)
    csi_2_3_2 = models.SmallIntegerField("2.3.2", null=True, blank=True)
    csi_2_4_1 = models.SmallIntegerField("2.4.1", null=True, blank=True)
    csi_2_5_1 = models.SmallIntegerField("2.5.1", null=True, blank=True)
    csi_2_5_2 = models.SmallIntegerField("2.5.2", null=True, blank=True)
    csi_3_1_1 = models.SmallIntegerField("3.1.1", null=True, blank=True)
    csi_3_2_1 = models.SmallIntegerField("3.2.1", null=True, blank=True)
    csi_3_2_2 = models.SmallIntegerField("3.2.2", null=True, blank=True)
    csi_3_2_3 = models.SmallIntegerField("3.2.3", null=True, blank=True)
    csi_3_2_4 = models.SmallIntegerField("3.2.4", null=True, blank=True)
    csi_3_3_1 = models.SmallIntegerField("3.3.1", null=True, blank=True)
    csi_3_3_2 = models.SmallIntegerField("3.3.2", null=True, blank=True)
    csi_3_4_1 = models.SmallIntegerField("3.4.1", null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "organisation", "year"], name="score_once_per_run")]
        indexes = [models.Index(fields=["run", "year"], name="score_run_year")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year} (run {self.run_id})"


class SectorSummary(models.Model):
    """One reporting year x one segment, in one run. `data` holds the figures docs/methodology.md lists."""

    run = models.ForeignKey(SummaryRun, on_delete=models.CASCADE, related_name="summaries")
    year = models.PositiveSmallIntegerField()
    segment = models.CharField(max_length=60)  # all, region:KZ-71, legal_form:foundation, field:health, size:…
    n_organisations = models.PositiveIntegerField()  # organisations that filed a report for the year
    suppressed = models.BooleanField()  # fewer than 10: figures withheld
    data = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "year", "segment"], name="summary_once_per_run")]

    def __str__(self) -> str:
        return f"{self.year} {self.segment}"


class StaleSummary(models.Model):
    """A changed report or award left this organisation-year (and so its segments) to recompute."""

    organisation = models.ForeignKey("registry.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="stale_once")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}"


class StaleSegment(models.Model):
    """A change moved an organisation out of (or into) a segment: its summaries for `year`, or for every year
    of the current run when `year` is blank (the registered and active counts), are to recompute."""

    segment = models.CharField(max_length=60)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["segment", "year"], name="stale_segment_once"),
            models.UniqueConstraint(
                fields=["segment"], condition=models.Q(year__isnull=True), name="stale_segment_every_year_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.segment} {self.year or 'every year'}"


class Flag(models.Model):
    """One red flag raised by a run (scoring/flags.py): worth a look, never a verdict."""

    run = models.ForeignKey(SummaryRun, on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(max_length=30)
    subject_type = models.CharField(max_length=20)  # award, competition, administrator, organisation
    subject_key = models.CharField(max_length=40)  # award or competition public id, administrator code, org pk
    title = models.CharField(max_length=300)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    administrator = models.CharField(max_length=80, blank=True)
    region = models.CharField(max_length=10, blank=True)
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    amount = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    values = models.JSONField(default=dict)
    records = models.JSONField(default=list)

    class Meta:
        ordering = ["code", "-year", "id"]
        indexes = [
            models.Index(fields=["run", "code", "year"], name="flag_run_code_year"),
            # /transparency/'s list in its default order, largest amounts first: read 50 down the index
            models.Index(fields=["run", "-amount", "id"], name="flag_run_amount"),
            models.Index(fields=["run", "subject_type", "subject_key"], name="flag_run_subject"),
            models.Index(fields=["run", "organisation"], name="flag_run_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def rule(self) -> FlagRule:
        return RULES[self.code]

    @property
    def subject_url(self) -> str | None:
        return record_url(self.subject_type, self.subject_key)

    @property
    def record_links(self) -> list[tuple[dict, str | None]]:
        """The records involved, each with its page where it has one."""
        return [(record, record_url(record["type"], record["key"])) for record in self.records]


class FlagCell(models.Model):
    """A run's flags counted per (flag, record type, administrator, region, year), written with the flags:
    /transparency/'s breakdowns are sums of these cells (14,622 for 131,924 flags at ten times the national
    size) instead of four GROUP BYs over the flags per request."""

    run = models.ForeignKey(SummaryRun, on_delete=models.CASCADE, related_name="flag_cells")
    code = models.CharField(max_length=30)
    subject_type = models.CharField(max_length=20)
    administrator = models.CharField(max_length=80, blank=True)
    region = models.CharField(max_length=10, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    n = models.IntegerField()
    money = models.DecimalField(max_digits=24, decimal_places=2, null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["run", "code", "year"], name="flag_cell_run_code_year"),
            models.Index(fields=["run", "administrator"], name="flag_cell_run_administrator"),  # a funder's flags
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.administrator} {self.region} {self.year}: {self.n}"


class Concentration(models.Model):
    """State money per administrator (or region) and year: HHI of recipients' shares, top-1 and top-5 shares."""

    run = models.ForeignKey(SummaryRun, on_delete=models.CASCADE, related_name="concentration")
    by = models.CharField(max_length=15)  # administrator or region
    key = models.CharField(max_length=80)
    year = models.PositiveSmallIntegerField()
    total = models.DecimalField(max_digits=20, decimal_places=2)
    awards = models.PositiveIntegerField()
    recipients = models.PositiveIntegerField()
    hhi = models.DecimalField(max_digits=7, decimal_places=1)
    top1_share = models.DecimalField(max_digits=5, decimal_places=1)
    top5_share = models.DecimalField(max_digits=5, decimal_places=1)
    # Distinct organisations that applied to the administrator's competitions announced that year: few
    # recipients mean little where few applied. None for regions and where no application is recorded.
    applicants = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["run", "by", "year"], name="concentration_run_by_year")]

    def __str__(self) -> str:
        return f"{self.by} {self.key} {self.year}"


class Concern(models.Model):
    """A signed-in person's concern about a record; moderators triage it with a public resolution note."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        UNDER_REVIEW = "under_review", _("under review")
        RESOLVED = "resolved", _("resolved")
        DISMISSED = "dismissed", _("dismissed")

    # A person in a public role may ask for a correction of what is kept about them (docs/privacy.md).
    SUBJECTS = [
        ("award", _("award")),
        ("organisation", _("organisation")),
        ("administrator", _("administrator")),
        ("person", _("person")),
    ]

    subject_type = models.CharField(_("record type"), max_length=20, choices=SUBJECTS)
    subject_key = models.CharField(_("record"), max_length=40)
    what = models.TextField(_("what looks wrong"), max_length=4000)
    evidence = models.TextField(_("evidence links"), blank=True, max_length=4000, help_text=_("one link a line"))
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("resolution note (public)"), blank=True, max_length=4000)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_key"], name="concern_subject")]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_key}: {self.get_status_display()}"
