"""Organisations and their identity (DOMAIN §2): names, legal form, region, status history, other names."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from registry.bin import bin_decode, validate_bin
from registry.i18n import localized
from registry.models.reference import FieldOfActivity, LegalForm, Region


def registered_sort_key() -> Func:
    """The registration date to sort by: an organisation whose date is unknown sorts as the earliest. Cursor
    pages need a value on every row, and SQLite and PostgreSQL put NULLs at opposite ends. The date is a
    literal in the SQL, so that the org_registered_key index matches the expression."""
    return Func(F("registered_on"), template="COALESCE(%(expressions)s, '0001-01-01')", output_field=models.DateField())


class Organisation(models.Model):
    class TerritorialLevel(models.TextChoices):
        REPUBLICAN = "republican", _("republican (national)")
        REGIONAL = "regional", _("regional")
        LOCAL = "local", _("local")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        INACTIVE = "inactive", _("registered, not active")
        SUSPENDED = "suspended", _("suspended")
        REORGANISED = "reorganised", _("reorganised")
        LIQUIDATED = "liquidated", _("liquidated")

    # Statuses under which the Ministry of Justice still counts the organisation as registered.
    REGISTERED_STATUSES = (Status.ACTIVE, Status.INACTIVE, Status.SUSPENDED)

    bin = models.CharField(_("BIN"), max_length=12, null=True, blank=True, unique=True, validators=[validate_bin])
    local_id = models.CharField(
        _("local identifier"),
        max_length=16,
        unique=True,
        editable=False,
        help_text=_("Our stable identifier; the public one for organisations without a BIN."),
    )
    name_kk = models.CharField(_("name (Kazakh)"), max_length=500, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=500, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=500, blank=True)
    # Foreign keys below lean on the composite partial indexes in Meta instead of their own.
    legal_form = models.ForeignKey(LegalForm, on_delete=models.PROTECT, verbose_name=_("legal form"), db_index=False)
    territorial_level = models.CharField(
        _("territorial level"), max_length=12, choices=TerritorialLevel.choices, blank=True
    )
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        db_index=False,
    )
    address = models.CharField(_("address"), max_length=500, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    fields = models.ManyToManyField(
        FieldOfActivity,
        blank=True,
        related_name="+",
        verbose_name=_("fields of activity"),
        through="OrganisationField",
    )
    charter_activities = models.TextField(_("charter activities"), blank=True)
    mission = models.TextField(_("mission"), blank=True)
    # Bumped by every profile edit; an edit made against an older version is refused (no lost updates).
    version = models.PositiveIntegerField(default=1, editable=False)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="branches",
        verbose_name=_("parent organisation"),
    )
    # The current status is the latest StatusEvent's outcome, cached here for filtering and facet counts;
    # only registry.services.organisation_status_record writes it.
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
        db_index=False,
        verbose_name=_("merged into"),
        help_text=_("A duplicate record kept so that its old URL redirects."),
    )
    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        # Partial on "not merged" (the directory's base filter) and narrow, so that sorting a page of ids
        # and counting every facet read an index, not the wide rows.
        indexes = [
            models.Index(fields=["name_en", "id"], name="org_name_en", condition=Q(merged_into__isnull=True)),
            models.Index(fields=["name_ru", "id"], name="org_name_ru", condition=Q(merged_into__isnull=True)),
            models.Index(fields=["name_kk", "id"], name="org_name_kk", condition=Q(merged_into__isnull=True)),
            models.Index(
                registered_sort_key(),
                F("id"),
                name="org_registered_key",
                condition=Q(merged_into__isnull=True),
            ),
            models.Index(
                fields=["region", "legal_form", "status", "territorial_level"],
                name="org_facets",
                condition=Q(merged_into__isnull=True),
            ),
            models.Index(
                fields=["legal_form", "status", "region", "territorial_level", "registered_on"],
                name="org_facets_by_form",
                condition=Q(merged_into__isnull=True),
            ),
            models.Index(
                fields=["status", "territorial_level", "region", "legal_form"],
                name="org_facets_by_status",
                condition=Q(merged_into__isnull=True),
            ),
            models.Index(
                fields=["territorial_level", "status", "region", "legal_form"],
                name="org_facets_by_level",
                condition=Q(merged_into__isnull=True),
            ),
            # Each legal form's block in every sort order: a directory page is read form by form, walking each
            # block in order (registry.selectors.page_ids_by_form), since names start with the form.
            models.Index(
                fields=["legal_form", "name_en", "id"], name="org_form_name_en", condition=Q(merged_into__isnull=True)
            ),
            models.Index(
                fields=["legal_form", "name_ru", "id"], name="org_form_name_ru", condition=Q(merged_into__isnull=True)
            ),
            models.Index(
                fields=["legal_form", "name_kk", "id"], name="org_form_name_kk", condition=Q(merged_into__isnull=True)
            ),
            models.Index(
                F("legal_form"),
                registered_sort_key(),
                F("id"),
                name="org_form_registered",
                condition=Q(merged_into__isnull=True),
            ),
            models.Index(fields=["phone"], name="org_phone"),
            # Almost every row has no merge; a full index on the column only lures planners away from the above.
            models.Index(fields=["merged_into"], name="org_merged", condition=Q(merged_into__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="organisation_not_own_parent"),
            models.CheckConstraint(condition=~Q(merged_into=F("id")), name="organisation_not_merged_into_self"),
            models.CheckConstraint(
                condition=~Q(name_kk="") | ~Q(name_ru="") | ~Q(name_en=""), name="organisation_has_a_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:organisation_detail", kwargs={"org_id": self.org_id})

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def org_id(self) -> str:
        """The org-id.guide identifier: KZ-BIN-… where there is a BIN, our 360G fallback otherwise."""
        return bin_org_id(self.bin) if self.bin else fallback_org_id(self.local_id)

    @property
    def fallback_org_id(self) -> str:
        return fallback_org_id(self.local_id)

    @property
    def bin_info(self):
        return bin_decode(self.bin) if self.bin else None

    @property
    def is_registered(self) -> bool:
        return self.status in self.REGISTERED_STATUSES

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.territorial_level and self.legal_form_id and not self.legal_form.has_territorial_level:
            errors.setdefault("territorial_level", []).append(
                ValidationError(MSG_NO_TERRITORIAL_LEVEL, params={"form": self.legal_form.name})
            )
        if self.bin and self.registered_on:
            month = bin_decode(self.bin).registration_month
            if (month.year, month.month) > (self.registered_on.year, self.registered_on.month):
                errors.setdefault("registered_on", []).append(
                    ValidationError(MSG_REGISTERED_BEFORE_BIN, params={"month": month.strftime("%Y-%m")})
                )
        if self.registered_on and self.registered_on > datetime.date.today():  # noqa: DTZ011
            errors.setdefault("registered_on", []).append(ValidationError(MSG_REGISTERED_IN_FUTURE))
        if self.parent_id and self.pk and self.parent_id == self.pk:
            errors.setdefault("parent", []).append(ValidationError(MSG_OWN_PARENT))
        if errors:
            raise ValidationError(errors)


MSG_NO_TERRITORIAL_LEVEL = _("%(form)s has no territorial level; only public and religious associations do.")
MSG_REGISTERED_BEFORE_BIN = _("the registration date is before the month %(month)s encoded in the BIN.")
MSG_REGISTERED_IN_FUTURE = _("the registration date is in the future.")
MSG_OWN_PARENT = _("an organisation can not be its own parent.")


def bin_org_id(bin_value: str) -> str:
    return f"KZ-BIN-{bin_value}"


def fallback_org_id(local_id: str) -> str:
    # 360Giving's rule for organisations with no registered identifier: 360G-<publisher prefix>-<local id>.
    return f"360G-{settings.QOGAM_PUBLISHER_PREFIX}-org-{local_id}"


class OrganisationField(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    field = models.ForeignKey(FieldOfActivity, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "field"], name="organisation_field_once")]
        indexes = [models.Index(fields=["field", "organisation"], name="orgfield_by_field")]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.field_id}"


class StatusEvent(models.Model):
    """A dated change of legal or activity status with its legal basis (DOMAIN §2.3)."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("registered")
        FOUND_ACTIVE = "found_active", _("found active")
        FOUND_INACTIVE = "found_inactive", _("found inactive")
        SUSPENDED = "suspended", _("suspended")
        RESUMED = "resumed", _("activity resumed")
        REORGANISED = "reorganised", _("reorganised")
        LIQUIDATED = "liquidated", _("liquidated")

    RESULTING_STATUS = {
        Kind.REGISTERED: Organisation.Status.ACTIVE,
        Kind.FOUND_ACTIVE: Organisation.Status.ACTIVE,
        Kind.FOUND_INACTIVE: Organisation.Status.INACTIVE,
        Kind.SUSPENDED: Organisation.Status.SUSPENDED,
        Kind.RESUMED: Organisation.Status.ACTIVE,
        Kind.REORGANISED: Organisation.Status.REORGANISED,
        Kind.LIQUIDATED: Organisation.Status.LIQUIDATED,
    }

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="status_events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    ends_on = models.DateField(_("until"), null=True, blank=True, help_text=_("for a suspension: its last day"))
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "id"]
        verbose_name = _("status event")
        verbose_name_plural = _("status events")
        indexes = [models.Index(fields=["organisation", "occurred_on"], name="statusevent_org_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(occurred_on__lte=F("ends_on")),
                name="statusevent_period",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(kind="suspended"),
                name="statusevent_only_suspension_ends",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"

    @property
    def resulting_status(self) -> str:
        return self.RESULTING_STATUS[self.kind]


class OrganisationName(models.Model):
    """Former names, aliases and abbreviations: searchable, shown on the profile."""

    class Kind(models.TextChoices):
        FORMER = "former", _("former name")
        ALIAS = "alias", _("also known as")
        ABBREVIATION = "abbreviation", _("abbreviation")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="other_names")
    name = models.CharField(_("name"), max_length=500)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    valid_from = models.DateField(_("used from"), null=True, blank=True)
    valid_to = models.DateField(_("used until"), null=True, blank=True)

    class Meta:
        ordering = ["valid_to", "id"]
        verbose_name = _("other name")
        verbose_name_plural = _("other names")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_from__lte=F("valid_to")),
                name="organisationname_period",
            )
        ]

    def __str__(self) -> str:
        return self.name
