"""Every write to funding data: validated by the model rules, atomic, with status history kept as rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from funding.models import (
    Administrator,
    Amendment,
    Application,
    Award,
    AwardStatusEvent,
    Competition,
    Evaluation,
    Lot,
    Payment,
    Programme,
)
from registry.models import FieldOfActivity, Organisation, Region
from registry.services import new_local_id, validated_save

# Allowed next statuses: a contract starts, then ends one way or the other; nothing follows an end.
NEXT_STATUS = {
    Award.Status.CONTRACTED: {Award.Status.IN_PROGRESS, Award.Status.COMPLETED, Award.Status.TERMINATED},
    Award.Status.IN_PROGRESS: {Award.Status.COMPLETED, Award.Status.TERMINATED},
    Award.Status.COMPLETED: set(),
    Award.Status.TERMINATED: set(),
}
MSG_STATUS_ORDER = _("an award that is %(current)s can not become %(next)s.")
MSG_STATUS_DATE = _("the date is before the latest status change (%(date)s).")
MSG_TERMINATION_REASON = _("say why the award was terminated.")
MSG_AMOUNT_BELOW_PAID = _("%(paid)s KZT has already been paid; the amount can not go below that.")
MSG_BAD_VALUE = _("“%(value)s” is not a valid %(field)s.")


def _public_id() -> str:
    return new_local_id()


@transaction.atomic
def administrator_create(
    *,
    code: str,
    kind: str,
    name_kk: str = "",
    name_ru: str = "",
    name_en: str = "",
    bin: str | None = None,
    region: Region | None = None,
    parent: Administrator | None = None,
) -> Administrator:
    administrator = Administrator(
        code=code,
        kind=kind,
        name_kk=name_kk,
        name_ru=name_ru,
        name_en=name_en,
        bin=bin or None,
        region=region,
        parent=parent,
    )
    return validated_save(administrator)


@transaction.atomic
def programme_create(
    *,
    administrator: Administrator,
    year: int,
    mechanism: str,
    title: str,
    field: FieldOfActivity | None = None,
    budget: Decimal | None = None,
) -> Programme:
    programme = Programme(
        administrator=administrator, year=year, mechanism=mechanism, title=title, field=field, budget=budget
    )
    return validated_save(programme)


@transaction.atomic
def competition_create(
    *,
    administrator: Administrator,
    mechanism: str,
    reference: str,
    title: str,
    announced_on: datetime.date,
    deadline_on: datetime.date | None = None,
    decided_on: datetime.date | None = None,
    programme: Programme | None = None,
) -> Competition:
    competition = Competition(
        administrator=administrator,
        mechanism=mechanism,
        reference=reference,
        title=title,
        announced_on=announced_on,
        deadline_on=deadline_on,
        decided_on=decided_on,
        programme=programme,
        public_id=_public_id(),
    )
    return validated_save(competition)


@transaction.atomic
def lot_create(
    *,
    competition: Competition,
    number: int,
    title: str,
    planned_amount: Decimal,
    field: FieldOfActivity | None = None,
    region: Region | None = None,
) -> Lot:
    lot = Lot(
        competition=competition, number=number, title=title, planned_amount=planned_amount, field=field, region=region
    )
    return validated_save(lot)


@transaction.atomic
def application_create(
    *,
    lot: Lot,
    applicant: Organisation,
    amount_requested: Decimal | None = None,
    submitted_on: datetime.date | None = None,
    outcome: str = Application.Outcome.PENDING,
    rejection_reason: str = "",
) -> Application:
    application = Application(
        lot=lot,
        applicant=applicant,
        amount_requested=amount_requested,
        submitted_on=submitted_on,
        outcome=outcome,
        rejection_reason=rejection_reason,
    )
    return validated_save(application)


@transaction.atomic
def award_create(
    *,
    mechanism: str,
    recipient: Organisation,
    administrator: Administrator,
    title: str,
    amount: Decimal,
    awarded_on: datetime.date,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    competition: Competition | None = None,
    lot: Lot | None = None,
    description: str = "",
    field: FieldOfActivity | None = None,
    region: Region | None = None,
    currency: str = "KZT",
    amount_original: Decimal | None = None,
    reference: str = "",
) -> Award:
    award = Award(
        public_id=_public_id(),
        reference=reference,
        mechanism=mechanism,
        recipient=recipient,
        administrator=administrator,
        competition=competition,
        lot=lot,
        title=title,
        description=description,
        field=field,
        region=region,
        amount=amount,
        amount_awarded=amount,
        currency=currency,
        amount_original=amount_original,
        awarded_on=awarded_on,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    validated_save(award)
    AwardStatusEvent.objects.create(award=award, kind=Award.Status.CONTRACTED, occurred_on=awarded_on)
    return award


@transaction.atomic
def award_status_record(*, award: Award, kind: str, occurred_on: datetime.date, reason: str = "") -> AwardStatusEvent:
    award = Award.objects.select_for_update().get(pk=award.pk)
    errors: dict[str, list[ValidationError]] = {}
    if kind not in NEXT_STATUS[award.status]:
        errors.setdefault("kind", []).append(
            ValidationError(
                MSG_STATUS_ORDER, params={"current": award.get_status_display(), "next": Award.Status(kind).label}
            )
        )
    last = award.status_events.order_by("-occurred_on", "-id").first()
    if last and occurred_on < last.occurred_on:
        errors.setdefault("occurred_on", []).append(ValidationError(MSG_STATUS_DATE, params={"date": last.occurred_on}))
    if kind == Award.Status.TERMINATED and not reason:
        errors.setdefault("reason", []).append(ValidationError(MSG_TERMINATION_REASON))
    if errors:
        raise ValidationError(errors)
    event = AwardStatusEvent.objects.create(award=award, kind=kind, occurred_on=occurred_on, reason=reason)
    award.status = kind
    award.save(update_fields=["status", "updated_at"])
    return event


@transaction.atomic
def payment_create(*, award: Award, paid_on: datetime.date, amount: Decimal, kind: str) -> Payment:
    # The lock serialises concurrent payments to one award, so two can not together exceed its amount.
    award = Award.objects.select_for_update().get(pk=award.pk)
    payment = Payment(award=award, paid_on=paid_on, amount=amount, kind=kind)
    return validated_save(payment)


def _parse(field_name: str, value: str):
    try:
        if field_name == Amendment.FieldName.AMOUNT:
            return Decimal(value)
        if field_name in (Amendment.FieldName.STARTS_ON, Amendment.FieldName.ENDS_ON):
            return datetime.date.fromisoformat(value)
    except (ValueError, ArithmeticError) as exc:
        raise ValidationError(
            {
                "new_value": ValidationError(
                    MSG_BAD_VALUE, params={"value": value, "field": Amendment.FieldName(field_name).label}
                )
            }
        ) from exc
    return value


@transaction.atomic
def award_amend(*, award: Award, field_name: str, new_value: str, reason: str, amended_on: datetime.date) -> Amendment:
    """Change an award's amount, dates or title, keeping the old value in an Amendment row."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    parsed = _parse(field_name, new_value)
    old_value = getattr(award, field_name)
    if field_name == Amendment.FieldName.AMOUNT:
        paid = award.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        if parsed < paid:
            raise ValidationError({"new_value": ValidationError(MSG_AMOUNT_BELOW_PAID, params={"paid": paid})})
    setattr(award, field_name, parsed)
    award.full_clean()
    amendment = Amendment(
        award=award,
        amended_on=amended_on,
        field_name=field_name,
        old_value=str(old_value or ""),
        new_value=str(parsed),
        reason=reason,
    )
    amendment.full_clean()
    award.save()
    amendment.save()
    return amendment


@transaction.atomic
def evaluation_record(
    *,
    award: Award,
    report_due_on: datetime.date,
    report_received_on: datetime.date | None = None,
    evaluator: str = "",
    result: str = Evaluation.Result.PENDING,
    note: str = "",
) -> Evaluation:
    evaluation = Evaluation(
        award=award,
        report_due_on=report_due_on,
        report_received_on=report_received_on,
        evaluator=evaluator,
        result=result,
        note=note,
    )
    return validated_save(evaluation)
