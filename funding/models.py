"""State money to NGOs (DOMAIN §3): who planned it, how it was competed, who won, what was paid and evaluated."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from registry.bin import validate_bin
from registry.models import FieldOfActivity, Organisation, Person, Region, RoleSource, TranslatedName, bin_org_id
from registry.models.limits import COUNT, SMALL, YEAR
from registry.selectors import organisation_status_on

MONEY = {"max_digits": 18, "decimal_places": 2}
POSITIVE = [MinValueValidator(Decimal("0.01"))]
# A social-order project runs for at most three years (multi-year schemes up to 3 years, DOMAIN §3.1).
SOCIAL_ORDER_MAX_MONTHS = 36
# Our rule for retroactive starts: implementation may begin at most this many days before the award is
# signed (contracts are sometimes signed after work on a continuing service has begun); beyond that the
# dates are more likely a typing error than a practice.
MAX_RETROACTIVE_START_DAYS = 30


class Mechanism(models.TextChoices):
    SOCIAL_ORDER = "social_order", _("state social order")
    STATE_GRANT = "state_grant", _("state grant")
    NGO_AWARD = "ngo_award", _("NGO award")
    FOREIGN_GRANT = "foreign_grant", _("foreign grant")
    BUSINESS_GRANT = "business_grant", _("business grant")
    OTHER = "other", _("other")


# Only NGOs may receive these (Law "On State Social Order, Grants and Awards for NGOs").
STATE_MECHANISMS = (Mechanism.SOCIAL_ORDER, Mechanism.STATE_GRANT, Mechanism.NGO_AWARD)


class Administrator(TranslatedName):
    """The funder side: a ministry, an akimat or one of its departments, the grant operator, a donor …"""

    class Kind(models.TextChoices):
        CENTRAL_MINISTRY = "central_ministry", _("central ministry")
        REGIONAL_AKIMAT = "regional_akimat", _("regional akimat")
        REGIONAL_DEPARTMENT = "regional_department", _("regional department")
        DISTRICT_DEPARTMENT = "district_department", _("city or district department")
        GRANT_OPERATOR = "grant_operator", _("grant operator")
        AWARDS_SECRETARIAT = "awards_secretariat", _("awards secretariat")
        FOREIGN_DONOR = "foreign_donor", _("foreign donor")
        BUSINESS = "business", _("business")
        OTHER = "other", _("other")

    class BudgetLevel(models.TextChoices):
        REPUBLICAN = "republican", _("republican budget")
        LOCAL = "local", _("local budgets")
        NON_STATE = "non_state", _("not state money")

    code = models.SlugField(_("code"), max_length=80, unique=True, help_text=_("used in URLs and imports"))
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    # Derived from the kind in SQL, so that totals by budget level are one GROUP BY.
    budget_level = models.GeneratedField(
        expression=models.Case(
            models.When(
                kind__in=["central_ministry", "grant_operator", "awards_secretariat"], then=models.Value("republican")
            ),
            models.When(
                kind__in=["regional_akimat", "regional_department", "district_department"], then=models.Value("local")
            ),
            default=models.Value("non_state"),
        ),
        output_field=models.CharField(max_length=12, choices=BudgetLevel.choices),
        db_persist=True,
        verbose_name=_("budget"),
    )
    bin = models.CharField(_("BIN"), max_length=12, null=True, blank=True, unique=True, validators=[validate_bin])
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrator")
        verbose_name_plural = _("administrators")
        constraints = [models.CheckConstraint(condition=~Q(parent=F("id")), name="administrator_not_own_parent")]

    def get_absolute_url(self) -> str:
        return reverse("funding:funder_detail", kwargs={"code": self.code})

    @property
    def org_id(self) -> str:
        return bin_org_id(self.bin) if self.bin else f"360G-{settings.QOGAM_PUBLISHER_PREFIX}-funder-{self.code}"


class Programme(models.Model):
    """One administrator's plan for a year, mechanism and theme, with its budget."""

    administrator = models.ForeignKey(Administrator, on_delete=models.PROTECT, related_name="programmes")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    mechanism = models.CharField(_("mechanism"), max_length=20, choices=Mechanism.choices)
    field = models.ForeignKey(FieldOfActivity, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=500)
    budget = models.DecimalField(_("budget, KZT"), null=True, blank=True, validators=POSITIVE, **MONEY)

    class Meta:
        ordering = ["-year", "administrator", "mechanism"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.UniqueConstraint(fields=["administrator", "year", "mechanism", "field"], name="programme_once"),
            models.CheckConstraint(condition=Q(year__gte=1991, year__lte=2100), name="programme_year_range"),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gt=0), name="programme_budget_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class Competition(models.Model):
    administrator = models.ForeignKey(Administrator, on_delete=models.PROTECT, related_name="competitions")
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="competitions"
    )
    mechanism = models.CharField(_("mechanism"), max_length=20, choices=Mechanism.choices)
    public_id = models.CharField(_("public identifier"), max_length=16, unique=True, editable=False)
    reference = models.CharField(_("publisher's reference"), max_length=100)
    title = models.CharField(_("title"), max_length=500)
    announced_on = models.DateField(_("announced"))
    deadline_on = models.DateField(_("application deadline"), null=True, blank=True)
    decided_on = models.DateField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-announced_on", "id"]
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")
        constraints = [
            models.UniqueConstraint(fields=["administrator", "reference"], name="competition_reference_once"),
            models.CheckConstraint(
                condition=Q(deadline_on__isnull=True) | Q(announced_on__lte=F("deadline_on")),
                name="competition_deadline_after_announcement",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(announced_on__lte=F("decided_on")),
                name="competition_decision_after_announcement",
            ),
        ]
        indexes = [models.Index(fields=["administrator", "announced_on"], name="competition_admin_date")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funding:competition_detail", kwargs={"public_id": self.public_id})

    def clean(self) -> None:
        if self.deadline_on and self.decided_on and self.decided_on < self.deadline_on:
            raise ValidationError({"decided_on": MSG_DECIDED_BEFORE_DEADLINE})


class Lot(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="lots")
    number = models.PositiveSmallIntegerField(_("lot number"), validators=[MinValueValidator(1), *SMALL])
    title = models.CharField(_("title"), max_length=500)
    field = models.ForeignKey(FieldOfActivity, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    planned_amount = models.DecimalField(_("planned amount, KZT"), validators=POSITIVE, **MONEY)
    # From imports that carry only the number of applicants, not the applications themselves.
    reported_applicants = models.PositiveIntegerField(_("applicants reported"), null=True, blank=True, validators=COUNT)
    specification = models.TextField(
        _("tender specification"), blank=True, help_text=_("what the lot asks for, as the competition published it")
    )

    class Meta:
        ordering = ["competition", "number"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(fields=["competition", "number"], name="lot_number_once"),
            models.CheckConstraint(condition=Q(planned_amount__gt=0), name="lot_planned_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Application(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("pending")
        WON = "won", _("won")
        LOST = "lost", _("lost")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="applications")
    amount_requested = models.DecimalField(
        _("amount requested, KZT"), null=True, blank=True, validators=POSITIVE, **MONEY
    )
    submitted_on = models.DateField(_("submitted"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)

    class Meta:
        ordering = ["lot", "id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["lot", "applicant"], name="application_once_per_lot"),
            models.CheckConstraint(
                condition=~Q(outcome="rejected") | ~Q(rejection_reason=""), name="application_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(amount_requested__isnull=True) | Q(amount_requested__gt=0),
                name="application_amount_positive",
            ),
        ]
        indexes = [models.Index(fields=["applicant", "lot"], name="application_by_applicant")]

    def __str__(self) -> str:
        return f"{self.applicant_id} → {self.lot_id} ({self.outcome})"

    def clean(self) -> None:
        if self.outcome == self.Outcome.REJECTED and not self.rejection_reason:
            raise ValidationError({"rejection_reason": MSG_REJECTION_NEEDS_REASON})


class Award(models.Model):
    """Money awarded to one organisation: a social-order contract, a grant, a prize, or money from elsewhere."""

    class Status(models.TextChoices):
        CONTRACTED = "contracted", _("contracted")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        TERMINATED = "terminated", _("terminated")

    public_id = models.CharField(_("public identifier"), max_length=16, unique=True, editable=False)
    reference = models.CharField(_("publisher's reference"), max_length=100, blank=True)
    mechanism = models.CharField(_("mechanism"), max_length=20, choices=Mechanism.choices)
    recipient = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="awards", verbose_name=_("recipient")
    )
    administrator = models.ForeignKey(
        Administrator, on_delete=models.PROTECT, related_name="awards", verbose_name=_("administrator")
    )
    competition = models.ForeignKey(
        Competition,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("competition"),
    )
    lot = models.ForeignKey(
        Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="awards", verbose_name=_("lot")
    )
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    field = models.ForeignKey(
        FieldOfActivity,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("field of activity"),
    )
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region of implementation"),
    )
    amount = models.DecimalField(_("amount, KZT"), validators=POSITIVE, help_text=_("as amended"), **MONEY)
    amount_awarded = models.DecimalField(_("amount awarded, KZT"), validators=POSITIVE, editable=False, **MONEY)
    currency = models.CharField(
        _("original currency"),
        max_length=3,
        default="KZT",
        validators=[RegexValidator(r"^[A-Z]{3}$", _("an ISO 4217 code such as KZT, USD or EUR"))],
    )
    amount_original = models.DecimalField(
        _("amount in the original currency"), null=True, blank=True, validators=POSITIVE, **MONEY
    )
    awarded_on = models.DateField(_("awarded"))
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    # Cache of the latest AwardStatusEvent, written only by funding.services.
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CONTRACTED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-awarded_on", "-id"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive"),
            models.CheckConstraint(condition=Q(amount_awarded__gt=0), name="award_amount_awarded_positive"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(starts_on__lte=F("ends_on")),
                name="award_period",
            ),
            models.CheckConstraint(
                condition=Q(currency="KZT") | Q(amount_original__isnull=False), name="award_original_amount_known"
            ),
            models.UniqueConstraint(
                fields=["administrator", "reference"], condition=~Q(reference=""), name="award_reference_once"
            ),
        ]
        indexes = [
            models.Index(fields=["awarded_on", "id"], name="award_date"),
            models.Index(fields=["mechanism", "awarded_on"], name="award_mechanism_date"),
            models.Index(fields=["administrator", "awarded_on"], name="award_admin_date"),
            models.Index(fields=["recipient", "awarded_on"], name="award_recipient_date"),
            models.Index(fields=["region", "awarded_on"], name="award_region_date"),
            models.Index(fields=["field", "awarded_on"], name="award_field_date"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funding:award_detail", kwargs={"public_id": self.public_id})

    @property
    def year(self) -> int:
        return self.awarded_on.year

    @property
    def grant_id(self) -> str:
        """360Giving identifier."""
        return f"360G-{settings.QOGAM_PUBLISHER_PREFIX}-{self.public_id}"

    @property
    def warnings(self) -> list[str]:
        """Recordable but worth a look: shown on the award page and, later, as flags."""
        found = []
        if self.field_id and self.recipient_id:
            recipient_fields = {f.code for f in self.recipient.fields.all()}
            if recipient_fields and self.field_id not in recipient_fields:
                found.append(str(MSG_FIELD_OUTSIDE_CHARTER % {"field": self.field.name}))
        return found

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}

        def add(field: str, message, **params) -> None:
            errors.setdefault(field, []).append(ValidationError(message, params=params or None))

        if self.recipient_id and self.mechanism in STATE_MECHANISMS:
            recipient = self.recipient
            if not recipient.legal_form.ngo_eligible:
                add(
                    "recipient",
                    MSG_NOT_AN_NGO,
                    name=recipient.name,
                    form=recipient.legal_form.name,
                    mechanism=self.get_mechanism_display(),
                )
            if self.awarded_on:
                status, event = organisation_status_on(recipient, self.awarded_on)
                if status is None:
                    add("recipient", MSG_NOT_YET_REGISTERED, name=recipient.name, awarded=self.awarded_on)
                elif status in (
                    Organisation.Status.LIQUIDATED,
                    Organisation.Status.REORGANISED,
                    Organisation.Status.SUSPENDED,
                ):
                    add(
                        "recipient",
                        MSG_RECIPIENT_STATUS,
                        name=recipient.name,
                        status=event.get_kind_display(),
                        date=event.occurred_on,
                        awarded=self.awarded_on,
                    )
        if self.starts_on and self.ends_on:
            if self.starts_on > self.ends_on:
                add("ends_on", MSG_ENDS_BEFORE_START)
            elif (
                self.mechanism == Mechanism.SOCIAL_ORDER
                and months_between(self.starts_on, self.ends_on) > SOCIAL_ORDER_MAX_MONTHS
            ):
                add(
                    "ends_on",
                    MSG_TOO_LONG,
                    months=months_between(self.starts_on, self.ends_on),
                    limit=SOCIAL_ORDER_MAX_MONTHS,
                )
        if self.starts_on and self.awarded_on and (self.awarded_on - self.starts_on).days > MAX_RETROACTIVE_START_DAYS:
            add(
                "awarded_on",
                MSG_RETROACTIVE,
                days=(self.awarded_on - self.starts_on).days,
                limit=MAX_RETROACTIVE_START_DAYS,
            )
        if self.lot_id:
            if not self.competition_id:
                add("lot", MSG_LOT_WITHOUT_COMPETITION)
            elif self.lot.competition_id != self.competition_id:
                add("lot", MSG_LOT_OF_OTHER_COMPETITION, lot=str(self.lot), competition=str(self.competition))
        if self.competition_id and self.administrator_id and self.competition.administrator_id != self.administrator_id:
            add("competition", MSG_COMPETITION_OF_OTHER_ADMINISTRATOR)
        if self.competition_id and self.mechanism and self.competition.mechanism != self.mechanism:
            add("mechanism", MSG_MECHANISM_DIFFERS, mechanism=self.competition.get_mechanism_display())
        if self.currency and self.currency != "KZT" and self.amount_original is None:
            add("amount_original", MSG_ORIGINAL_AMOUNT_NEEDED, currency=self.currency)
        if errors:
            raise ValidationError(errors)


class AwardStatusEvent(models.Model):
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="status_events")
    kind = models.CharField(_("status"), max_length=12, choices=Award.Status.choices)
    occurred_on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "id"]
        verbose_name = _("award status event")
        verbose_name_plural = _("award status events")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="terminated") | ~Q(reason=""), name="awardstatus_termination_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class Payment(models.Model):
    class Kind(models.TextChoices):
        ADVANCE = "advance", _("advance")
        INTERIM = "interim", _("interim")
        FINAL = "final", _("final")

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid"))
    amount = models.DecimalField(_("amount, KZT"), validators=POSITIVE, **MONEY)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]
        indexes = [models.Index(fields=["award", "paid_on"], name="payment_award_date")]

    def __str__(self) -> str:
        return f"{self.amount} KZT {self.paid_on}"

    def clean(self) -> None:
        if not self.award_id or self.amount is None:
            return
        others = self.award.payments.exclude(pk=self.pk).aggregate(total=Sum("amount"))["total"] or Decimal(0)
        if others + self.amount > self.award.amount:
            raise ValidationError(
                {
                    "amount": ValidationError(
                        MSG_OVERPAID, params={"total": others + self.amount, "amount": self.award.amount}
                    )
                }
            )
        if self.paid_on and self.paid_on < self.award.awarded_on:
            raise ValidationError(
                {"paid_on": ValidationError(MSG_PAID_BEFORE_AWARD, params={"date": self.award.awarded_on})}
            )


class Amendment(models.Model):
    class FieldName(models.TextChoices):
        AMOUNT = "amount", _("amount")
        STARTS_ON = "starts_on", _("start date")
        ENDS_ON = "ends_on", _("end date")
        TITLE = "title", _("title")

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="amendments")
    amended_on = models.DateField(_("date"))
    field_name = models.CharField(_("what changed"), max_length=12, choices=FieldName.choices)
    old_value = models.CharField(_("old value"), max_length=500)
    new_value = models.CharField(_("new value"), max_length=500)
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["amended_on", "id"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="amendment_has_reason")]

    def __str__(self) -> str:
        return f"{self.field_name}: {self.old_value} → {self.new_value}"


class Evaluation(models.Model):
    class Result(models.TextChoices):
        PENDING = "pending", _("pending")
        EFFECTIVE = "effective", _("effective")
        PARTLY_EFFECTIVE = "partly_effective", _("partly effective")
        NOT_EFFECTIVE = "not_effective", _("not effective")

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="evaluations")
    report_due_on = models.DateField(_("report due"))
    report_received_on = models.DateField(_("report received"), null=True, blank=True)
    evaluator = models.CharField(_("evaluator"), max_length=300, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, default=Result.PENDING)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["report_due_on", "id"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.get_result_display()} (due {self.report_due_on})"

    @property
    def is_overdue(self) -> bool:
        return self.report_received_on is None and self.report_due_on < datetime.date.today()  # noqa: DTZ011


class PublishedTotal(models.Model):
    """An official yearly total where award-level records are missing; an unknown total stays unknown."""

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    mechanism = models.CharField(_("mechanism"), max_length=20, choices=Mechanism.choices)
    budget_level = models.CharField(
        _("budget"), max_length=12, choices=[("all", _("all budgets")), *Administrator.BudgetLevel.choices]
    )
    amount = models.DecimalField(_("amount, KZT"), null=True, blank=True, help_text=_("blank when unknown"), **MONEY)
    source = models.CharField(_("source"), max_length=500)

    class Meta:
        ordering = ["year", "mechanism"]
        verbose_name = _("published total")
        verbose_name_plural = _("published totals")
        constraints = [
            models.UniqueConstraint(fields=["year", "mechanism", "budget_level"], name="published_total_once")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.mechanism}: {self.amount if self.amount is not None else 'unknown'}"


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months a project spans, counting a started month: 1 Jan - 31 Dec is 12."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    return months + (1 if end.day >= start.day - 1 else 0)


MSG_NOT_AN_NGO = _(
    "%(name)s is a %(form)s, which may not receive %(mechanism)s: only NGOs may (no parties, "
    "trade unions, religious associations or state bodies)."
)
MSG_NOT_YET_REGISTERED = _("%(name)s was not yet registered on the award date %(awarded)s.")
MSG_RECIPIENT_STATUS = _("%(name)s was %(status)s on %(date)s and so could not receive an award on %(awarded)s.")
MSG_ENDS_BEFORE_START = _("the project ends before it starts.")
MSG_TOO_LONG = _("a social-order project lasts at most %(limit)s months; this one spans %(months)s.")
MSG_RETROACTIVE = _(
    "the award date is %(days)s days after the project start; a project may start at most "
    "%(limit)s days before its award (rule MAX_RETROACTIVE_START_DAYS, docs/methodology.md)."
)
MSG_LOT_WITHOUT_COMPETITION = _("a lot can only be given with its competition.")
MSG_LOT_OF_OTHER_COMPETITION = _("lot “%(lot)s” does not belong to the competition “%(competition)s”.")
MSG_COMPETITION_OF_OTHER_ADMINISTRATOR = _("the competition was held by another administrator.")
MSG_MECHANISM_DIFFERS = _("the competition was for %(mechanism)s.")
MSG_ORIGINAL_AMOUNT_NEEDED = _("give the amount in %(currency)s as well as in KZT.")
MSG_FIELD_OUTSIDE_CHARTER = _("the project's field (%(field)s) is not among the recipient's fields of activity.")
MSG_OVERPAID = _("payments would total %(total)s KZT, more than the award's %(amount)s KZT (as amended).")
MSG_PAID_BEFORE_AWARD = _("a payment can not precede the award (%(date)s).")
MSG_DECIDED_BEFORE_DEADLINE = _("the decision can not come before the application deadline.")
MSG_REJECTION_NEEDS_REASON = _("say why the application was rejected.")


class OfficerMembership(models.Model):
    """Ministry or akimat staff who enter an administrator's records (and, if granted, its departments')."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="officer_memberships")
    administrator = models.ForeignKey(Administrator, on_delete=models.PROTECT, related_name="officers")
    include_children = models.BooleanField(_("also its departments"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "administrator"], condition=Q(ended_at__isnull=True), name="officer_once_while_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.administrator_id}"


class FundingChange(models.Model):
    """One write to a funding record: who, in what role, when, and the value before and after. Public: the
    award's and the competition's history show it (people as the organisation's History tab shows them)."""

    class Source(models.TextChoices):
        OFFICER = "officer", _("an officer")
        IMPORT = "import", _("an official import")
        SITE_ADMIN = "site_admin", _("a site administrator")

    class Record(models.TextChoices):
        PROGRAMME = "programme", _("programme")
        COMPETITION = "competition", _("competition")
        LOT = "lot", _("lot")
        APPLICATION = "application", _("application")
        AWARD = "award", _("award")
        STATUS = "status", _("status")
        PAYMENT = "payment", _("payment")
        AMENDMENT = "amendment", _("amendment")
        EVALUATION = "evaluation", _("evaluation")
        OFFICIAL = "official", _("official")

    administrator = models.ForeignKey(Administrator, on_delete=models.PROTECT, related_name="changes")
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    competition = models.ForeignKey(
        Competition, null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    award = models.ForeignKey(Award, null=True, blank=True, on_delete=models.PROTECT, related_name="changes")
    record = models.CharField(_("record"), max_length=12, choices=Record.choices)
    record_id = models.PositiveBigIntegerField(_("record id"))
    field = models.CharField(_("field"), max_length=40, blank=True)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("by"), max_length=12, choices=Source.choices)
    # The administrator whose officer made the change (the record's own, or a parent with its departments).
    on_behalf_of = models.ForeignKey(
        Administrator, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("for")
    )
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("funding change")
        verbose_name_plural = _("funding changes")
        indexes = [
            models.Index(fields=["award", "changed_at"], name="fundingchange_award"),
            models.Index(fields=["competition", "changed_at"], name="fundingchange_competition"),
        ]

    def __str__(self) -> str:
        return f"{self.record} {self.record_id}.{self.field}"


# ---------------------------------------------------------------- people who decide the money (issue 17)


class AdministratorOfficial(models.Model):
    """A person's public post at an administrator (a head of department, a deputy akim ...), dated, with its
    source. Only posts the administrator or the law makes public; no personal identification number."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="official_posts")
    administrator = models.ForeignKey(Administrator, on_delete=models.PROTECT, related_name="officials")
    position = models.CharField(_("position"), max_length=300)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=RoleSource.choices)
    source_note = models.CharField(_("source details"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["administrator", "-started_on", "id"]
        verbose_name = _("official of an administrator")
        verbose_name_plural = _("officials of administrators")
        constraints = [
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(ended_on__isnull=True) | Q(started_on__lte=F("ended_on")),
                name="official_period",
            )
        ]
        indexes = [models.Index(fields=["person", "started_on"], name="official_person")]

    def __str__(self) -> str:
        return f"{self.person} ({self.position}, {self.administrator_id})"


class SeatsInPlace(models.Manager):
    """Commission seats that stand: a seat taken off as a mistake is kept (removed_at) but read nowhere."""

    def get_queryset(self):
        return super().get_queryset().filter(removed_at__isnull=True)


class CommissionMember(models.Model):
    """A member of a competition's evaluation commission (for NGO awards, stage 1 is the working group and stage 2
    the expert commission), as the competition's protocol names them."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        DEPUTY_CHAIR = "deputy_chair", _("deputy chair")
        MEMBER = "member", _("member")
        SECRETARY = "secretary", _("secretary (no vote)")

    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="commission")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="commission_seats")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    stage = models.PositiveSmallIntegerField(
        _("selection stage"),
        default=1,
        validators=[MinValueValidator(1), *SMALL],
        help_text=_("1 unless the selection has two stages"),
    )
    affiliation = models.CharField(_("affiliation as published"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=RoleSource.choices, default=RoleSource.PROTOCOL)
    source_note = models.CharField(_("source details"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A seat entered by mistake is taken off, never deleted: it leaves every page, and its history stays.
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SeatsInPlace()
    all_objects = models.Manager()  # noqa: DJ012 (a manager, not a field; declared after the default one)

    class Meta:
        ordering = ["competition", "stage", "role", "id"]
        verbose_name = _("commission member")
        verbose_name_plural = _("commission members")
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "person", "stage"],
                condition=Q(removed_at__isnull=True),
                name="commission_seat_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}, {self.competition_id})"


class CommissionScore(models.Model):
    """One commission member's score of one application on one criterion, as the protocol records it."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="scores")
    member = models.ForeignKey(CommissionMember, on_delete=models.PROTECT, related_name="scores")
    criterion = models.CharField(_("criterion"), max_length=200)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    max_score = models.DecimalField(
        _("highest possible score"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "member", "criterion"]
        verbose_name = _("commission score")
        verbose_name_plural = _("commission scores")
        constraints = [
            models.UniqueConstraint(fields=["application", "member", "criterion"], name="score_once"),
            models.CheckConstraint(
                condition=Q(max_score__isnull=True) | Q(score__lte=F("max_score")), name="score_within_maximum"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.criterion}: {self.score}"

    def clean(self) -> None:
        if self.member_id and self.application_id and self.member.competition_id != self.application.lot.competition_id:
            raise ValidationError({"member": _("The member sits on another competition's commission.")})


# ---------------------------------------------------------------- the explorer's rollup (issue 18)


class _AwardCells(models.Model):
    """The awards of one cell: their sum and number (derived data, kept current by funding/rollups.py from the
    change events, never written by hand)."""

    year = models.PositiveSmallIntegerField()
    mechanism = models.CharField(max_length=20, choices=Mechanism.choices)
    administrator = models.ForeignKey(Administrator, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, null=True, on_delete=models.CASCADE, related_name="+")
    field = models.ForeignKey(FieldOfActivity, null=True, on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(**MONEY)  # the awards' amounts (as amended), summed
    awards = models.PositiveIntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.year} {self.mechanism} {self.administrator_id} {self.region_id} {self.field_id}: {self.awards}"


class AwardCell(_AwardCells):
    """The awards of one (year, mechanism, administrator, region, field): their sum and number.

    The explorer sums these cells for its additive totals (by year, mechanism, administrator, region, field)
    instead of recounting every award per request; the combinations that occur grow far more slowly than the
    awards (8,751 cells for 19,073 awards at national size, 29,516 for 191,730 at ten times)."""

    class Meta:
        indexes = [
            models.Index(fields=["year", "mechanism", "administrator"], name="award_cell_key"),
            # Index-only GROUP BYs for the explorer's breakdowns without a filter, its most read view.
            models.Index(fields=["mechanism", "amount", "awards"], name="award_cell_by_mechanism"),
            models.Index(fields=["administrator", "amount", "awards"], name="award_cell_by_administrator"),
            models.Index(fields=["region", "amount", "awards"], name="award_cell_by_region"),
            models.Index(fields=["field", "amount", "awards"], name="award_cell_by_field"),
        ]


class _AwardMargin(models.Model):
    """AwardCells summed over two of administrator, region and field: what the explorer sums for the totals
    and breakdowns that neither filter nor group by those two (its unfiltered view, years and mechanisms). The
    combinations of (year, mechanism, administrator, region, field) grow with the awards (10,510 cells at the
    national size, 29,516 at ten times); each margin's barely do (1,617 -> 1,819 by administrator, 1,022 ->
    1,100 by region, 510 -> 550 by field). Derived, like the cells (funding/rollups.py)."""

    year = models.PositiveSmallIntegerField()
    mechanism = models.CharField(max_length=20, choices=Mechanism.choices)
    amount = models.DecimalField(**MONEY)
    awards = models.PositiveIntegerField()

    class Meta:
        abstract = True


class AdministratorMargin(_AwardMargin):
    """The awards of one (year, mechanism, administrator), whatever their region and field."""

    administrator = models.ForeignKey(Administrator, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.year} {self.mechanism} {self.administrator_id}: {self.awards}"


class RegionMargin(_AwardMargin):
    """The awards of one (year, mechanism, region), whatever their administrator and field."""

    region = models.ForeignKey(Region, null=True, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.year} {self.mechanism} {self.region_id}: {self.awards}"


class FieldMargin(_AwardMargin):
    """The awards of one (year, mechanism, field), whatever their administrator and region."""

    field = models.ForeignKey(FieldOfActivity, null=True, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.year} {self.mechanism} {self.field_id}: {self.awards}"


class AwardPeriodCell(_AwardCells):
    """An AwardCell split by the years of its awards' activity (funding.rollups.ACTIVITY_PERIOD), which the
    explorer sums under active_from/active_to on whole years (41,049 cells at ten times the national size: kept
    apart so that the views without a period sum the fewer AwardCells)."""

    start_year = models.PositiveSmallIntegerField()
    end_year = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["end_year", "start_year"], name="award_period_cell_years")]


class _PeriodMargin(_AwardMargin):
    """AwardPeriodCells summed over two of administrator, region and field, as _AwardMargin sums the AwardCells:
    what the explorer sums under a period of activity for the totals and breakdowns that neither filter nor
    group by those two. At ten times the national size a period of one year matched 5,447 period cells (1,044
    at 1x), which every part of the page summed; the margins' rows grow with the combinations of years of
    activity, mechanism and the one dimension kept, not with the awards."""

    start_year = models.PositiveSmallIntegerField()
    end_year = models.PositiveSmallIntegerField()

    class Meta:
        abstract = True


class AdministratorPeriodMargin(_PeriodMargin):
    """The awards of one (year, mechanism, administrator, years of activity), whatever their region and field."""

    administrator = models.ForeignKey(Administrator, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["end_year", "start_year"], name="administrator_period_years")]

    def __str__(self) -> str:
        return f"{self.year} {self.mechanism} {self.administrator_id} {self.start_year}-{self.end_year}: {self.awards}"


class RegionPeriodMargin(_PeriodMargin):
    """The awards of one (year, mechanism, region, years of activity), whatever their administrator and field."""

    region = models.ForeignKey(Region, null=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["end_year", "start_year"], name="region_period_years")]

    def __str__(self) -> str:
        return f"{self.year} {self.mechanism} {self.region_id} {self.start_year}-{self.end_year}: {self.awards}"


class FieldPeriodMargin(_PeriodMargin):
    """The awards of one (year, mechanism, field, years of activity), whatever their administrator and region."""

    field = models.ForeignKey(FieldOfActivity, null=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["end_year", "start_year"], name="field_period_years")]

    def __str__(self) -> str:
        return f"{self.year} {self.mechanism} {self.field_id} {self.start_year}-{self.end_year}: {self.awards}"


class RecipientCell(models.Model):
    """An AwardCell split by recipient: what one recipient received in one (year, mechanism, administrator,
    region, field). Recipients are not additive across cells (one organisation funded in two years is one
    recipient, not two), so the distinct recipients and the top recipients are counted over these rows; and a
    recipient's change rewrites only that recipient's rows."""

    year = models.PositiveSmallIntegerField()
    mechanism = models.CharField(max_length=20, choices=Mechanism.choices)
    # Indexed by recipient_cell_administrator, which leads with it.
    administrator = models.ForeignKey(Administrator, on_delete=models.CASCADE, related_name="+", db_index=False)
    region = models.ForeignKey(Region, null=True, on_delete=models.CASCADE, related_name="+")
    field = models.ForeignKey(FieldOfActivity, null=True, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    start_year = models.PositiveSmallIntegerField()
    end_year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY)
    awards = models.PositiveIntegerField()

    class Meta:
        indexes = [
            # Index-only reads: the recipients by year under any filter, and the top recipients (by recipient).
            models.Index(
                fields=["year", "recipient", "mechanism", "administrator", "region", "field"],
                name="recipient_cell_year",
            ),
            models.Index(fields=["recipient", "amount", "awards"], name="recipient_cell_totals"),
            # Index-only reads under an administrator filter (the explorer's, a funder's page): its recipients,
            # distinct and by year, and its sums. The busiest administrator's cells since 2019 at 10x: 15 -> 8 ms
            # on SQLite with a page cache another connection's write had emptied.
            models.Index(
                fields=["administrator", "year", "recipient", "amount", "awards"], name="recipient_cell_administrator"
            ),
            # Index-only reads under a period of activity (an end year bounded by the longest activity).
            models.Index(
                fields=["end_year", "start_year", "year", "recipient", "amount", "awards"],
                name="recipient_cell_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.year} {self.mechanism} {self.administrator_id}: {self.awards}"


class RecipientTotal(models.Model):
    """What one recipient received over all its awards: the bound that finds the top recipients under any
    filter without grouping every RecipientCell (funding.selectors.top_recipients): a recipient's total under
    a filter is never more than this."""

    recipient = models.OneToOneField(Organisation, primary_key=True, on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(**MONEY)

    class Meta:
        indexes = [models.Index(fields=["-amount", "recipient"], name="recipient_total_rank")]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.amount}"


class RecipientShare(models.Model):
    """What one recipient received, over all its awards, from one administrator, in one region, in one field or
    for activity in one year (kind "active_year": its awards whose years of activity include that year): under
    a filter on that one value, a bound on its filtered total far tighter than RecipientTotal, so the
    top recipients are found among the first few rows of this value's ranking (funding.selectors._leaders)
    instead of grouping every recipient cell the filter selects."""

    class Kind(models.TextChoices):
        ADMINISTRATOR = "administrator", "administrator"
        REGION = "region", "region"
        FIELD = "field", "field"
        ACTIVE_YEAR = "active_year", "active year"

    kind = models.CharField(max_length=13, choices=Kind.choices)
    key = models.CharField(max_length=40)  # the administrator's id, the region's or the field's code
    recipient = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(**MONEY)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "-amount", "recipient"], name="recipient_share_rank")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.recipient_id}: {self.amount}"


class YearRecipients(models.Model):
    """How many distinct recipients the awards of one year went to: the explorer's by-year recipients without a
    filter, read instead of counting the recipient cells of every year (funding/rollups.py keeps it with them)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    recipients = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.year}: {self.recipients}"


class ActiveYearRecipients(models.Model):
    """How many distinct recipients the awards active in one year went to (their years of activity as the
    explorer's active_from/active_to read them, funding.rollups.ACTIVITY_PERIOD), by the year they were
    awarded (`year`; 0 for every year): the explorer under a period of one whole year and no other filter reads
    these instead of counting the recipient cells (funding/rollups.py keeps them with the cells)."""

    active_year = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField()  # awarded in; 0: any
    recipients = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["active_year", "year"], name="active_year_recipients_once"),
        ]

    def __str__(self) -> str:
        return f"active {self.active_year}, awarded {self.year or 'any year'}: {self.recipients}"


class AdministratorYearRecipients(models.Model):
    """How many distinct recipients one administrator's awards of one year went to: a funder's page reads these
    for its by-year recipients instead of counting its recipient cells (funding/rollups.py keeps them with the
    cells)."""

    administrator = models.ForeignKey(Administrator, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    recipients = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["administrator", "year"], name="administrator_year_recipients_once"),
        ]

    def __str__(self) -> str:
        return f"{self.administrator_id} {self.year}: {self.recipients}"


class GroupRecipients(models.Model):
    """How many distinct recipients the awards of one mechanism, of one region or of both went to, in one year (0:
    every year): the explorer under no other filter reads these instead of counting the recipient cells (their
    year, the busiest region's social order, 27 times as many cells at ten times the national size). Kept by
    adding changes: a recipient's refresh adds 1 to every group it newly belongs to and takes 1 from every group
    it left (funding/rollups.py), so a count is exact without recounting a mechanism's cells."""

    mechanism = models.CharField(max_length=20, blank=True)  # "": every mechanism
    region = models.CharField(max_length=10, blank=True)  # the region's code; "": every region
    year = models.PositiveSmallIntegerField()  # 0: every year
    recipients = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "region", "year"], name="group_recipients_once"),
        ]

    def __str__(self) -> str:
        return f"{self.mechanism or 'any mechanism'} {self.region or 'any region'} {self.year or 'any year'}: " + (
            f"{self.recipients}"
        )


class RollupState(models.Model):
    """One row: up to which award the cells count every award (None: never built). Writers lock it, so two
    processes refreshing the same cells, or a rebuild racing a refresh, can not count an award twice; readers
    use the cells only while no award beyond it exists (one written in bulk, without an announcement, sends
    the explorer back to counting the awards until the next rebuild)."""

    awards_through = models.BigIntegerField(null=True)  # the highest award id counted (0: none exist)
    built_at = models.DateTimeField(null=True)
    # The most years between a cell's start and end year of activity: a period's cells lie within a bounded
    # range of end years (funding.selectors._activity_years). Only grows between rebuilds.
    longest_activity = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"awards through {self.awards_through}"
