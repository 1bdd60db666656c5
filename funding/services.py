"""Every write to funding data: validated by the model rules, atomic, with status history kept as rows.

Every write takes the acting person and leaves FundingChange rows (who, in what role, when, old -> new), the
public history of the award and the competition; and announces itself after commit (funding.signals).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.changes import announce
from funding.models import (
    Administrator,
    AdministratorOfficial,
    Amendment,
    Application,
    Award,
    AwardStatusEvent,
    CommissionMember,
    CommissionScore,
    Competition,
    Evaluation,
    FundingChange,
    Lot,
    Mechanism,
    Payment,
    Programme,
)
from funding.selectors import officer_administrator
from funding.signals import award_changed, competition_changed
from registry.models import FieldOfActivity, Organisation, Person, Region, RoleSource
from registry.selectors import region_problem
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

# The fields a new record's history row lists, in this order.
AUDITED: dict[str, tuple[str, ...]] = {
    FundingChange.Record.PROGRAMME: ("year", "mechanism", "title", "field", "budget"),
    FundingChange.Record.COMPETITION: ("reference", "mechanism", "title", "announced_on", "deadline_on", "decided_on"),
    FundingChange.Record.LOT: ("number", "title", "planned_amount", "field", "region", "reported_applicants"),
    FundingChange.Record.APPLICATION: ("applicant", "amount_requested", "submitted_on", "outcome"),
    FundingChange.Record.AWARD: (
        "mechanism",
        "recipient",
        "title",
        "amount",
        "awarded_on",
        "starts_on",
        "ends_on",
        "field",
        "region",
    ),
    FundingChange.Record.STATUS: ("kind", "occurred_on", "reason"),
    FundingChange.Record.PAYMENT: ("kind", "paid_on", "amount"),
    FundingChange.Record.EVALUATION: ("report_due_on", "report_received_on", "evaluator", "result"),
}


def _validated_save_in_time(record: Award | Lot, *, region: Region | None, on: datetime.date | None) -> None:
    """validated_save, with the regions-in-time rule (registry.selectors.region_problem) reported beside the
    model's own rules: a record may name only a region that existed on its date."""
    errors: dict[str, list[ValidationError]] = {}
    if problem := region_problem(region, on):
        errors["region"] = [ValidationError(problem)]
    try:
        record.full_clean()
    except ValidationError as exc:
        for name, found in exc.error_dict.items():
            errors.setdefault(name, []).extend(found)
    if errors:
        raise ValidationError(errors)
    record.save()


def _text(value) -> str:
    """A value as the history keeps it: an organisation by its org-id, a code table row by its code, a date in
    ISO form; the history page puts labels back on codes."""
    if value is None:
        return ""
    if isinstance(value, Organisation):
        return value.org_id
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _audit(
    record: Model,
    kind: str,
    *,
    acting_user,
    source: str,
    administrator: Administrator,
    competition: Competition | None = None,
    award: Award | None = None,
    programme: Programme | None = None,
    changes: Iterable[tuple[str, object, object]] | None = None,
) -> None:
    """History rows for one write: the given (field, old, new) changes, or every audited field of a new record."""
    if changes is None:
        changes = [(name, None, getattr(record, name)) for name in AUDITED[kind]]
    role = source
    if source == FundingChange.Source.OFFICER and acting_user.is_superuser:
        role = FundingChange.Source.SITE_ADMIN
    FundingChange.objects.bulk_create(
        FundingChange(
            administrator=administrator,
            programme=programme,
            competition=competition,
            award=award,
            record=kind,
            record_id=record.pk,
            field=field,
            old_value=_text(old),
            new_value=_text(new),
            user=acting_user,
            source=role,
            on_behalf_of=officer_administrator(acting_user, administrator),
        )
        for field, old, new in changes
        if _text(old) != _text(new)
    )


def _audit_award(award: Award, record: Model, kind: str, *, acting_user, source: str, changes=None) -> None:
    """History rows for a write to an award or to what hangs from it (its status, payments, amendments…)."""
    _audit(
        record,
        kind,
        acting_user=acting_user,
        source=source,
        administrator=award.administrator,
        competition=award.competition,
        award=award,
        changes=changes,
    )


def _award_announce(award: Award, changes: dict, *, recipients=(), years=()) -> None:
    announce(
        award_changed,
        sender=Award,
        award_id=award.pk,
        recipient_ids=frozenset({award.recipient_id, *recipients}),
        years=frozenset({award.awarded_on.year, *years}),
        changes=changes,
    )


def _competition_announce(administrator: Administrator, competition: Competition | None, changes: dict) -> None:
    announce(
        competition_changed,
        sender=Competition,
        competition_id=competition.pk if competition else None,
        administrator_id=administrator.pk,
        changes=changes,
    )


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
    acting_user,
) -> Administrator:
    """A new funder. Administrators are set up by site administrators (the admin); their history is the admin
    log, as for the registry's code tables."""
    if not acting_user.is_superuser:
        raise ValidationError(_("only site administrators add administrators."))
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
    acting_user,
    source: str = FundingChange.Source.OFFICER,
) -> Programme:
    programme = validated_save(
        Programme(administrator=administrator, year=year, mechanism=mechanism, title=title, field=field, budget=budget)
    )
    _audit(
        programme,
        FundingChange.Record.PROGRAMME,
        acting_user=acting_user,
        source=source,
        administrator=administrator,
        programme=programme,
    )
    _competition_announce(administrator, None, {"programme": (None, programme.pk)})
    return programme


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
    acting_user,
    source: str = FundingChange.Source.OFFICER,
) -> Competition:
    competition = validated_save(
        Competition(
            administrator=administrator,
            mechanism=mechanism,
            reference=reference,
            title=title,
            announced_on=announced_on,
            deadline_on=deadline_on,
            decided_on=decided_on,
            programme=programme,
            public_id=new_local_id(),
        )
    )
    _audit(
        competition,
        FundingChange.Record.COMPETITION,
        acting_user=acting_user,
        source=source,
        administrator=administrator,
        competition=competition,
    )
    _competition_announce(administrator, competition, {"created": (False, True)})
    return competition


@transaction.atomic
def lot_create(
    *,
    competition: Competition,
    number: int,
    title: str,
    planned_amount: Decimal,
    field: FieldOfActivity | None = None,
    region: Region | None = None,
    acting_user,
    source: str = FundingChange.Source.OFFICER,
) -> Lot:
    lot = Lot(
        competition=competition,
        number=number,
        title=title,
        planned_amount=planned_amount,
        field=field,
        region=region,
    )
    # A lot is drawn up when its competition is announced: its region is the one of that day.
    _validated_save_in_time(lot, region=region, on=competition.announced_on)
    _audit(
        lot,
        FundingChange.Record.LOT,
        acting_user=acting_user,
        source=source,
        administrator=competition.administrator,
        competition=competition,
    )
    _competition_announce(competition.administrator, competition, {"lot": (None, number)})
    return lot


@transaction.atomic
def lot_reported_applicants_set(
    *, lot: Lot, applicants: int, acting_user, source: str = FundingChange.Source.IMPORT
) -> Lot:
    """The number of applicants a file reports for a lot whose applications are not recorded one by one."""
    lot = Lot.objects.select_for_update().select_related("competition__administrator").get(pk=lot.pk)
    old = lot.reported_applicants
    lot.reported_applicants = applicants
    lot.full_clean()
    lot.save(update_fields=["reported_applicants"])
    competition = lot.competition
    _audit(
        lot,
        FundingChange.Record.LOT,
        acting_user=acting_user,
        source=source,
        administrator=competition.administrator,
        competition=competition,
        changes=[("reported_applicants", old, applicants)],
    )
    _competition_announce(competition.administrator, competition, {"reported_applicants": (old, applicants)})
    return lot


@transaction.atomic
def application_create(
    *,
    lot: Lot,
    applicant: Organisation,
    amount_requested: Decimal | None = None,
    submitted_on: datetime.date | None = None,
    outcome: str = Application.Outcome.PENDING,
    rejection_reason: str = "",
    acting_user,
    source: str = FundingChange.Source.OFFICER,
) -> Application:
    application = validated_save(
        Application(
            lot=lot,
            applicant=applicant,
            amount_requested=amount_requested,
            submitted_on=submitted_on,
            outcome=outcome,
            rejection_reason=rejection_reason,
        )
    )
    competition = lot.competition
    _audit(
        application,
        FundingChange.Record.APPLICATION,
        acting_user=acting_user,
        source=source,
        administrator=competition.administrator,
        competition=competition,
    )
    _competition_announce(competition.administrator, competition, {"application": (None, application.pk)})
    return application


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
    acting_user,
    source: str = FundingChange.Source.OFFICER,
) -> Award:
    award = Award(
        public_id=new_local_id(),
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
    _validated_save_in_time(award, region=region, on=awarded_on)
    AwardStatusEvent.objects.create(award=award, kind=Award.Status.CONTRACTED, occurred_on=awarded_on)
    _audit_award(award, award, FundingChange.Record.AWARD, acting_user=acting_user, source=source)
    _award_announce(award, {"created": (False, True), "amount": (None, str(amount))})
    return award


@transaction.atomic
def award_status_record(
    *,
    award: Award,
    kind: str,
    occurred_on: datetime.date,
    reason: str = "",
    acting_user,
    source: str = FundingChange.Source.OFFICER,
) -> AwardStatusEvent:
    award = Award.objects.select_for_update().get(pk=award.pk)
    errors: dict[str, list[ValidationError]] = {}
    if kind not in NEXT_STATUS[Award.Status(award.status)]:
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
    old = award.status
    award.status = kind
    award.save(update_fields=["status", "updated_at"])
    _audit_award(
        award,
        event,
        FundingChange.Record.STATUS,
        acting_user=acting_user,
        source=source,
        changes=[("status", old, kind), ("occurred_on", None, occurred_on), ("reason", "", reason)],
    )
    _award_announce(award, {"status": (old, kind)})
    return event


@transaction.atomic
def payment_create(
    *,
    award: Award,
    paid_on: datetime.date,
    amount: Decimal,
    kind: str,
    acting_user,
    source: str = FundingChange.Source.OFFICER,
) -> Payment:
    # The lock serialises concurrent payments to one award, so two can not together exceed its amount.
    award = Award.objects.select_for_update().get(pk=award.pk)
    payment = validated_save(Payment(award=award, paid_on=paid_on, amount=amount, kind=kind))
    _audit_award(award, payment, FundingChange.Record.PAYMENT, acting_user=acting_user, source=source)
    _award_announce(award, {"payment": (None, str(amount))}, years=[paid_on.year])
    return payment


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
def award_amend(
    *,
    award: Award,
    field_name: str,
    new_value: str,
    reason: str,
    amended_on: datetime.date,
    acting_user,
    source: str = FundingChange.Source.OFFICER,
) -> Amendment:
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
    _audit_award(
        award,
        amendment,
        FundingChange.Record.AMENDMENT,
        acting_user=acting_user,
        source=source,
        changes=[(field_name, old_value, parsed)],
    )
    _award_announce(award, {field_name: (_text(old_value), _text(parsed))})
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
    acting_user,
    source: str = FundingChange.Source.OFFICER,
) -> Evaluation:
    evaluation = validated_save(
        Evaluation(
            award=award,
            report_due_on=report_due_on,
            report_received_on=report_received_on,
            evaluator=evaluator,
            result=result,
            note=note,
        )
    )
    _audit_award(award, evaluation, FundingChange.Record.EVALUATION, acting_user=acting_user, source=source)
    _award_announce(award, {"evaluation": (None, result)})
    return evaluation


# ---------------------------------------------------------------- people who decide the money (issue 17)

# The five criteria of an NGO award (DOMAIN §3.3, the Rules for awarding NGO premiums): offered as they are, stored
# by code. Other mechanisms' commissions score on the criteria their protocol writes, stored as written.
NGO_AWARD_CRITERIA = {
    "social_contribution": _("social contribution (to a sector, a region or the country)"),
    "experience": _("experience"),
    "public_recognition": _("public recognition"),
    "innovation": _("innovation"),
    "performance": _("performance"),
}
# Selection in two stages (a working group, then the expert commission) where the rules provide it.
TWO_STAGE_MECHANISMS = {Mechanism.NGO_AWARD, Mechanism.STATE_GRANT}
# History rows of a commission seat are the competition's and of a score the application's (the pages that show a
# competition's history read those records); an official's post is the administrator's own record.
RECORD_OFFICIAL = "official"
MSG_NGO_AWARD_CRITERION = _("an NGO award is scored on its five criteria: %(criteria)s.")
MSG_CRITERION_NEEDED = _("write the criterion as the protocol names it.")
MSG_ONE_STAGE = _("this mechanism selects in one stage: the stage is 1.")
MSG_TWO_STAGES = _("the selection has at most two stages (the working group, then the commission).")
MSG_OFFICIAL_ENDED = _("this post already ended on %(date)s.")
MSG_OFFICIAL_END_BEFORE_START = _("a post can not end before it starts (%(date)s).")
MSG_MEMBER_HAS_SCORES = _("this member's scores are recorded; a member who scored stays on the commission's record.")
MSG_SCORE_ABOVE_MAXIMUM = _("the score is above the highest possible score (%(max)s).")


def criterion_label(criterion: str) -> str:
    """A stored criterion in words: an NGO award's by its name, any other as the protocol wrote it."""
    return str(NGO_AWARD_CRITERIA.get(criterion, criterion))


def _seat_text(member: CommissionMember) -> str:
    return f"{member.person.name} ({member.role}, {member.stage})"


def _score_text(score: CommissionScore | None) -> str:
    if score is None:
        return ""
    maximum = f" / {Decimal(score.max_score):.2f}" if score.max_score is not None else ""
    return f"{score.member.person.name}, {score.criterion}: {Decimal(score.score):.2f}{maximum}"


@transaction.atomic
def administrator_official_add(
    *,
    administrator: Administrator,
    person: Person,
    position: str,
    role_source: str,
    started_on: datetime.date | None = None,
    ended_on: datetime.date | None = None,
    source_note: str = "",
    acting_user,
    source: str = FundingChange.Source.OFFICER,
) -> AdministratorOfficial:
    """A person's public post at an administrator, dated, with where it was published."""
    official = validated_save(
        AdministratorOfficial(
            administrator=administrator,
            person=person,
            position=position.strip(),
            started_on=started_on,
            ended_on=ended_on,
            source=role_source,
            source_note=source_note,
        )
    )
    _audit(
        official,
        RECORD_OFFICIAL,
        acting_user=acting_user,
        source=source,
        administrator=administrator,
        changes=[
            ("person", None, person.name),
            ("position", None, official.position),
            ("started_on", None, started_on),
            ("ended_on", None, ended_on),
        ],
    )
    _competition_announce(administrator, None, {"official": (None, person.pk)})
    return official


@transaction.atomic
def administrator_official_end(
    *,
    official: AdministratorOfficial,
    ended_on: datetime.date,
    acting_user,
    source: str = FundingChange.Source.OFFICER,
) -> AdministratorOfficial:
    """End a post on the day it ended; the post stays, dated (the revolving-door flag reads it)."""
    official = AdministratorOfficial.objects.select_for_update().select_related("administrator").get(pk=official.pk)
    if official.ended_on is not None:
        raise ValidationError({"ended_on": ValidationError(MSG_OFFICIAL_ENDED, params={"date": official.ended_on})})
    if official.started_on and ended_on < official.started_on:
        raise ValidationError(
            {"ended_on": ValidationError(MSG_OFFICIAL_END_BEFORE_START, params={"date": official.started_on})}
        )
    official.ended_on = ended_on
    validated_save(official)
    _audit(
        official,
        RECORD_OFFICIAL,
        acting_user=acting_user,
        source=source,
        administrator=official.administrator,
        changes=[("ended_on", None, ended_on)],
    )
    _competition_announce(official.administrator, None, {"official": (None, official.person_id)})
    return official


def _stage_problem(competition: Competition, stage: int) -> str | None:
    if competition.mechanism in TWO_STAGE_MECHANISMS:
        return None if stage in (1, 2) else str(MSG_TWO_STAGES)
    return None if stage == 1 else str(MSG_ONE_STAGE)


@transaction.atomic
def commission_member_add(
    *,
    competition: Competition,
    person: Person,
    role: str = CommissionMember.Role.MEMBER,
    stage: int = 1,
    affiliation: str = "",
    role_source: str = RoleSource.PROTOCOL,
    source_note: str = "",
    acting_user,
    source: str = FundingChange.Source.OFFICER,
) -> CommissionMember:
    """A member of the competition's evaluation commission at one stage, as its protocol names them."""
    if problem := _stage_problem(competition, stage):
        raise ValidationError({"stage": problem})
    member = validated_save(
        CommissionMember(
            competition=competition,
            person=person,
            role=role,
            stage=stage,
            affiliation=affiliation.strip(),
            source=role_source,
            source_note=source_note,
        )
    )
    _audit(
        competition,
        FundingChange.Record.COMPETITION,
        acting_user=acting_user,
        source=source,
        administrator=competition.administrator,
        competition=competition,
        changes=[("commission", None, _seat_text(member))],
    )
    _competition_announce(competition.administrator, competition, {"commission": (None, person.pk)})
    return member


@transaction.atomic
def commission_member_remove(
    *, member: CommissionMember, acting_user, source: str = FundingChange.Source.OFFICER
) -> None:
    """Take off a seat entered by mistake (kept with its removal time, and in the competition's history); a member
    who scored stays."""
    member = CommissionMember.objects.select_related("competition__administrator", "person").get(pk=member.pk)
    if member.scores.exists():
        raise ValidationError(MSG_MEMBER_HAS_SCORES)
    competition, text, person_id = member.competition, _seat_text(member), member.person_id
    member.removed_at = timezone.now()  # kept, not deleted: nothing people have seen is deleted
    member.save(update_fields=["removed_at"])
    _audit(
        competition,
        FundingChange.Record.COMPETITION,
        acting_user=acting_user,
        source=source,
        administrator=competition.administrator,
        competition=competition,
        changes=[("commission", text, None)],
    )
    _competition_announce(competition.administrator, competition, {"commission": (person_id, None)})


def criterion_clean(competition: Competition, criterion: str) -> str:
    """The criterion as stored: an NGO award's code (its name in any language is not accepted: the code is the
    key), any other mechanism's as the protocol wrote it."""
    criterion = " ".join(criterion.split())
    if competition.mechanism == Mechanism.NGO_AWARD:
        if criterion not in NGO_AWARD_CRITERIA:
            raise ValidationError(
                {
                    "criterion": ValidationError(
                        MSG_NGO_AWARD_CRITERION, params={"criteria": ", ".join(NGO_AWARD_CRITERIA)}
                    )
                }
            )
    elif not criterion:
        raise ValidationError({"criterion": MSG_CRITERION_NEEDED})
    return criterion


@transaction.atomic
def commission_score_set(
    *,
    application: Application,
    member: CommissionMember,
    criterion: str,
    score: Decimal,
    max_score: Decimal | None = None,
    acting_user,
    source: str = FundingChange.Source.OFFICER,
) -> tuple[CommissionScore, bool]:
    """One member's score of one application on one criterion, recorded or corrected: (score, changed). The
    member must sit on the application's competition's commission (CommissionScore.clean)."""
    application = Application.objects.select_related("lot__competition__administrator").get(pk=application.pk)
    competition = application.lot.competition
    criterion = criterion_clean(competition, criterion)
    if max_score is not None and score > max_score:
        raise ValidationError({"score": ValidationError(MSG_SCORE_ABOVE_MAXIMUM, params={"max": max_score})})
    existing = (
        CommissionScore.objects.select_for_update()
        .select_related("member__person")
        .filter(application=application, member=member, criterion=criterion)
        .first()
    )
    if existing is not None and existing.score == score and existing.max_score == max_score:
        return existing, False
    old = _score_text(existing)
    record = existing or CommissionScore(application=application, member=member, criterion=criterion)
    record.score, record.max_score = score, max_score
    validated_save(record)
    record.member = CommissionMember.objects.select_related("person").get(pk=member.pk)
    _audit(
        application,
        FundingChange.Record.APPLICATION,
        acting_user=acting_user,
        source=source,
        administrator=competition.administrator,
        competition=competition,
        changes=[("score", old, _score_text(record))],
    )
    _competition_announce(competition.administrator, competition, {"score": (None, application.pk)})
    return record, True
