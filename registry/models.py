"""Organisations and their identity (DOMAIN §2). Reference tables are keyed by their stable codes."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.bin import bin_decode, validate_bin
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
        _("tax NPO"), null=True, help_text=_("Tax Code art. 289; blank where it does not apply")
    )
    has_territorial_level = models.BooleanField(_("has a territorial level"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("legal form")
        verbose_name_plural = _("legal forms")


class Region(TranslatedName):
    """A first-level unit (ISO 3166-2:KZ). Expired units keep their rows so that old records stay correct."""

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


class FieldOfActivity(TranslatedName):
    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("field of activity")
        verbose_name_plural = _("fields of activity")


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


class DemoDataset(models.Model):
    """Present when seed_demo generated the data: every page then says the records are fictional."""

    seed = models.IntegerField()
    organisations = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("demo dataset")
        verbose_name_plural = _("demo datasets")

    def __str__(self) -> str:
        return f"seed {self.seed}, {self.organisations} organisations"


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


REPORT_INCOME_FIELDS = (
    "income_social_order",
    "income_state_grants",
    "income_state_awards",
    "income_foreign",
    "income_business",
    "income_individuals",
    "income_membership_fees",
    "income_own_activities",
    "income_other",
)
REPORT_STATE_INCOME_FIELDS = ("income_social_order", "income_state_grants", "income_state_awards")
REPORT_COUNT_FIELDS = ("paid_staff", "volunteers", "members", "beneficiaries")
REPORT_ANSWER_FIELDS = (
    "has_board",
    "network_member",
    "met_other_csos",
    "exchanged_information",
    "stable_finances",
    "technology_access",
    "equal_opportunity_policy",
    "staff_in_unions",
    "labour_rights_training",
    "labour_policy_public",
    "code_of_conduct_public",
    "financial_info_public",
    "environmental_policy_public",
)


NOT_NEGATIVE = [MinValueValidator(0)]


def report_document_path(instance: YearlyReport, filename: str) -> str:
    return f"reports/{instance.organisation_id}/{instance.year}/{filename}"


class YearlyReport(models.Model):
    """The yearly report to the NGO database (due 31 March for the previous year, DOMAIN §3.4).

    Blank figures and answers mean unknown, never zero or no.
    """

    class DecisionMaking(models.TextChoices):
        MEMBERS = "members", _("members")
        ELECTED_BOARD = "elected_board", _("an elected board")
        ELECTED_LEADER = "elected_leader", _("an elected leader")
        STAFF = "staff", _("staff")
        APPOINTED_BOARD = "appointed_board", _("an appointed board")
        APPOINTED_LEADER = "appointed_leader", _("an appointed leader")
        OTHER = "other", _("other")

    INCOME_FIELDS = REPORT_INCOME_FIELDS
    STATE_INCOME_FIELDS = REPORT_STATE_INCOME_FIELDS
    COUNT_FIELDS = REPORT_COUNT_FIELDS
    ANSWER_FIELDS = REPORT_ANSWER_FIELDS

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reports")
    year = models.PositiveSmallIntegerField(_("reporting year"))
    submitted_on = models.DateField(_("submitted"))
    income_social_order = models.DecimalField(
        _("state social order"), max_digits=18, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    income_state_grants = models.DecimalField(
        _("state grants"), max_digits=18, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    income_state_awards = models.DecimalField(
        _("state NGO awards"), max_digits=18, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    income_foreign = models.DecimalField(
        _("foreign sources"), max_digits=18, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    income_business = models.DecimalField(
        _("business"), max_digits=18, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    income_individuals = models.DecimalField(
        _("individual donations"), max_digits=18, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    income_membership_fees = models.DecimalField(
        _("membership fees"), max_digits=18, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    income_own_activities = models.DecimalField(
        _("own activities"), max_digits=18, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    income_other = models.DecimalField(
        _("other income"), max_digits=18, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    expenses_total = models.DecimalField(
        _("total expenses"), max_digits=18, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    paid_staff = models.PositiveIntegerField(_("paid staff"), null=True, blank=True)
    volunteers = models.PositiveIntegerField(_("volunteers"), null=True, blank=True)
    members = models.PositiveIntegerField(_("members"), null=True, blank=True)
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), null=True, blank=True)
    has_board = models.BooleanField(_("has a board or steering committee"), null=True, blank=True)
    network_member = models.BooleanField(
        _("member of an association, umbrella group or network"), null=True, blank=True
    )
    met_other_csos = models.BooleanField(_("held meetings with other CSOs on similar issues"), null=True, blank=True)
    exchanged_information = models.BooleanField(
        _("exchanged documents or data with other CSOs in the last 3 months"), null=True, blank=True
    )
    stable_finances = models.BooleanField(_("has a stable financial resource base"), null=True, blank=True)
    technology_access = models.BooleanField(
        _("has regular access to computers, phone and e-mail"), null=True, blank=True
    )
    equal_opportunity_policy = models.BooleanField(_("has a written equal-opportunity policy"), null=True, blank=True)
    staff_in_unions = models.BooleanField(_("staff are members of labour unions"), null=True, blank=True)
    labour_rights_training = models.BooleanField(_("trains new staff on labour rights"), null=True, blank=True)
    labour_policy_public = models.BooleanField(_("has a public labour-standards policy"), null=True, blank=True)
    code_of_conduct_public = models.BooleanField(_("has a public code of conduct"), null=True, blank=True)
    financial_info_public = models.BooleanField(_("makes its financial information public"), null=True, blank=True)
    environmental_policy_public = models.BooleanField(_("has a public environmental policy"), null=True, blank=True)
    decision_making = models.CharField(
        _("who takes decisions"), max_length=20, choices=DecisionMaking.choices, blank=True
    )
    financial_statements = models.FileField(_("financial statements"), upload_to=report_document_path, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("yearly report")
        verbose_name_plural = _("yearly reports")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="report_once_a_year"),
            models.CheckConstraint(condition=Q(year__gte=1991, year__lte=2100), name="report_year_range"),
        ] + [
            models.CheckConstraint(
                condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}), name=f"report_{name}_not_negative"
            )
            for name in (*REPORT_INCOME_FIELDS, "expenses_total")
        ]
        indexes = [models.Index(fields=["year", "organisation", "submitted_on"], name="report_year_org")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}"

    @property
    def due_on(self) -> datetime.date:
        return report_due_on(self.year)

    @property
    def on_time(self) -> bool:
        return self.submitted_on <= self.due_on

    @property
    def total_income(self) -> Decimal | None:
        known = [getattr(self, name) for name in self.INCOME_FIELDS if getattr(self, name) is not None]
        return sum(known, Decimal(0)) if known else None

    @property
    def state_income(self) -> Decimal | None:
        known = [getattr(self, name) for name in self.STATE_INCOME_FIELDS if getattr(self, name) is not None]
        return sum(known, Decimal(0)) if known else None

    def clean(self) -> None:
        errors = {}
        if self.submitted_on and self.year and self.submitted_on.year <= self.year:
            errors["submitted_on"] = ValidationError(MSG_REPORT_TOO_EARLY, params={"year": self.year})
        if self.submitted_on and self.submitted_on > datetime.date.today():  # noqa: DTZ011
            errors["submitted_on"] = ValidationError(MSG_REPORT_IN_FUTURE)
        registered = self.organisation.registered_on if self.organisation_id else None
        if registered and self.year and self.year < registered.year:
            errors["year"] = ValidationError(MSG_REPORT_BEFORE_REGISTRATION, params={"year": registered.year})
        if errors:
            raise ValidationError(errors)


def report_due_on(year: int) -> datetime.date:
    """A year's report is due on 31 March of the next year."""
    return datetime.date(year + 1, 3, 31)


MSG_REPORT_TOO_EARLY = _("a report for %(year)s can only be submitted once the year is over.")
MSG_REPORT_IN_FUTURE = _("the submission date is in the future.")
MSG_REPORT_BEFORE_REGISTRATION = _("the organisation was registered in %(year)s; there is no report for earlier years.")


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


def import_file_path(instance: ImportJob, filename: str) -> str:
    return f"imports/{instance.kind}/{filename}"


class ImportJob(models.Model):
    """One run of a bulk import (a dry run, or the real one confirmed from it), done by a Celery task."""

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
    dry_run = models.BooleanField(_("dry run"), default=True)
    confirms = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="confirmed_by",
        help_text=_("the dry run this import was confirmed from"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, help_text=_("[[row, column, message], …], the first 1,000"))
    problem_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def succeeded(self) -> bool:
        return self.status == self.Status.DONE and not self.problem_count


class ExportFile(models.Model):
    """The last generation of one full download (registry/exports.py): when, how big, how many rows."""

    kind = models.CharField(_("format"), max_length=20, unique=True)
    filename = models.CharField(_("file name"), max_length=100)
    generated_at = models.DateTimeField(_("generated"))
    size = models.PositiveBigIntegerField(_("size, bytes"))
    rows = models.PositiveIntegerField(_("records"))
    seconds = models.FloatField(_("took, seconds"))

    class Meta:
        ordering = ["kind"]
        verbose_name = _("download")
        verbose_name_plural = _("downloads")

    def __str__(self) -> str:
        return self.filename
