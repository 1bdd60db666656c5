"""Reference tables keyed by their stable codes (DOMAIN §2.2, §2.5, §2.6), and the demo marker."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from registry.i18n import localized


class TranslatedName(models.Model):
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class LegalForm(TranslatedName):
    """A legal form with its three separate statuses (DOMAIN §2.1): NPO, NGO-eligible, tax NPO."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    npo = models.BooleanField(_("non-commercial organisation"), help_text=_("Civil Code / Law on NCOs 2001"))
    ngo_eligible = models.BooleanField(
        _("NGO-eligible"), help_text=_("may receive state social order, state grants and NGO awards")
    )
    tax_npo = models.BooleanField(
        _("tax NPO"), null=True, blank=True, help_text=_("Tax Code art. 289; blank where it does not apply")
    )
    has_territorial_level = models.BooleanField(_("has a territorial level"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("legal form")
        verbose_name_plural = _("legal forms")


class RegionQuerySet(models.QuerySet["Region"]):
    def valid_on(self, day: datetime.date) -> RegionQuerySet:
        """The units that existed on the day (an open end counts as always)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def current(self) -> RegionQuerySet:
        return self.filter(valid_to__isnull=True)


class Region(TranslatedName):
    """A first-level unit (ISO 3166-2:KZ). Expired units keep their rows so that old records stay correct.

    A record dated `day` may name only a unit valid on that day (registry.selectors.region_problem says why
    not and which unit it was then); the 2018 and 2022 reforms are rows with validity dates and
    `succeeded_by` links (DOMAIN §2.5)."""

    class Kind(models.TextChoices):
        REGION = "region", _("region")
        CITY = "city", _("city of republican significance")

    code = models.CharField(_("ISO 3166-2 code"), max_length=10, primary_key=True)
    kato_prefix = models.CharField(_("KATO prefix"), max_length=2)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    succeeded_by = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="preceded_by", verbose_name=_("succeeded by")
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_from__lte=F("valid_to")),
                name="region_valid_period",
            )
        ]

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def is_valid_on(self, day: datetime.date) -> bool:
        """Did the unit exist on the day? The one rule RegionQuerySet.valid_on states in SQL."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def validity(self) -> str:
        """The unit's period as a reader wants it: "from 2022-06-08", "until 2022-06-07", or "" when open."""
        if self.valid_from and self.valid_to:
            return _("%(start)s to %(end)s") % {"start": self.valid_from, "end": self.valid_to}
        if self.valid_from:
            return _("from %(start)s") % {"start": self.valid_from}
        if self.valid_to:
            return _("until %(end)s") % {"end": self.valid_to}
        return ""

    @property
    def coded_name(self) -> str:
        """The code and the name ("KZ-10 Abai Region"), as messages about a unit name it."""
        return f"{self.code} {self.name}"


class FieldOfActivity(TranslatedName):
    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("field of activity")
        verbose_name_plural = _("fields of activity")


class DemoDataset(models.Model):
    """Present when seed_demo generated the data: every page then says the records are fictional."""

    seed = models.IntegerField()
    organisations = models.PositiveIntegerField()
    # Every irregular case the demo plants on purpose, by flag code: [{"subject_type", "subject_key", "year"}],
    # keyed as that flag's hits are (funding/demo.py builds it; docs/demo.md lists the cases).
    planted = models.JSONField(_("planted cases"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("demo dataset")
        verbose_name_plural = _("demo datasets")

    def __str__(self) -> str:
        return f"seed {self.seed}, {self.organisations} organisations"
