"""The awards import format (docs/imports.md), run by registry.imports.run_import."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding.filters import administrator_family
from funding.models import Administrator, Award, Competition, Lot, Mechanism
from funding.selectors import administrators_entered_by
from registry.imports import (
    ImportKind,
    Problem,
    RowProblems,
    parse_date,
    parse_decimal,
    parse_int,
    register_import_kind,
    validation_problems,
)
from registry.models import Organisation

IMPORT_STATUSES = ("contracted", "in_progress", "completed")
LATER = {"contracted": 0, "in_progress": 1, "completed": 2, "terminated": 3}
# Fields an import may not change once an award is recorded: corrections to them go through the award page.
FIXED = ("mechanism", "recipient_id", "field_id", "region_id", "awarded_on")


class AwardImporter:
    """`award_id,mechanism,administrator,recipient_bin,title,description,field,region,amount,currency,awarded_on,
    starts_on,ends_on,competition_id,lot,applicants,status`, for one administrator and its departments."""

    kind = "awards"
    key_column = "award_id"
    columns = [
        "award_id",
        "mechanism",
        "administrator",
        "recipient_bin",
        "title",
        "description",
        "field",
        "region",
        "amount",
        "currency",
        "awarded_on",
        "starts_on",
        "ends_on",
        "competition_id",
        "lot",
        "applicants",
        "status",
    ]
    FIELD_COLUMNS = {
        "recipient": "recipient_bin",
        "amount": "amount",
        "awarded_on": "awarded_on",
        "starts_on": "starts_on",
        "ends_on": "ends_on",
        "field": "field",
        "region": "region",
        "mechanism": "mechanism",
        "title": "title",
        "lot": "lot",
        "competition": "competition_id",
        "new_value": "amount",
        "kind": "status",
        "occurred_on": "status",
    }

    def __init__(self, administrator: str):
        administrator_code = administrator
        from registry.selectors import reference_data

        self.reference = reference_data()
        family = administrator_family(administrator_code)
        if family is None:
            raise ValueError(_("no administrator has the code “%(code)s”.") % {"code": administrator_code})
        self.administrators = {a.code: a for a in Administrator.objects.filter(pk__in=family)}
        self.code = administrator_code

    def key(self, record: dict):
        return record["administrator"].pk, record["award_id"]

    def parse_row(self, row: int, values: dict[str, str]):
        problems: list[Problem] = []

        def problem(column: str, message: str) -> None:
            problems.append(Problem(row, column, message))

        def read(column: str, parser):
            try:
                return parser(values[column])
            except ValueError as exc:
                problem(column, str(exc))
                return None

        record = {
            "award_id": values["award_id"],
            "title": values["title"],
            "description": values["description"],
            "recipient_bin": values["recipient_bin"],
            "competition_id": values["competition_id"],
        }
        if not values["award_id"]:
            problem("award_id", _("your reference for the award is required: re-imports are matched by it."))
        if not values["title"]:
            problem("title", _("the title is required."))
        record["mechanism"] = values["mechanism"]
        if values["mechanism"] not in Mechanism.values:
            problem(
                "mechanism",
                _("“%(value)s” is not one of %(choices)s.")
                % {"value": values["mechanism"], "choices": ", ".join(Mechanism.values)},
            )
        record["administrator"] = self.administrators.get(values["administrator"])
        if record["administrator"] is None:
            problem(
                "administrator",
                _("“%(value)s” is not %(code)s or one of its departments.")
                % {"value": values["administrator"], "code": self.code},
            )
        for name, table in (("field", self.reference.fields), ("region", self.reference.regions)):
            record[name] = table.get(values[name]) if values[name] else None
            if values[name] and record[name] is None:
                problem(name, _("“%(value)s” is not a known code.") % {"value": values[name]})
        record["amount"] = read("amount", parse_decimal)
        if record["amount"] is not None and record["amount"] <= 0:
            problem("amount", _("the amount must be more than zero."))
        if values["currency"].strip().upper() not in ("", "KZT"):
            problem("currency", _("this format takes amounts in KZT; record a foreign-currency award on its page."))
        for name in ("awarded_on", "starts_on", "ends_on"):
            record[name] = read(name, parse_date)
        if values["awarded_on"] == "":
            problem("awarded_on", _("the award date is required."))
        record["lot"] = read("lot", parse_int)
        record["applicants"] = read("applicants", parse_int)
        status = values["status"].strip().lower() or "contracted"
        if status == "terminated":
            problem("status", _("a termination needs its reason: record it on the award page."))
        elif status not in IMPORT_STATUSES:
            problem(
                "status",
                _("“%(value)s” is not one of contracted, in_progress, completed.") % {"value": values["status"]},
            )
        record["status"] = status
        return (None if problems else record), problems

    def apply_row(self, row: int, record: dict, acting_user) -> str:
        from funding import services

        recipient = Organisation.objects.filter(bin=record["recipient_bin"]).first()
        if recipient is None:
            raise RowProblems([Problem(row, "recipient_bin", _("no organisation has this BIN; import it first."))])
        administrator = record["administrator"]
        try:
            competition, lot = self._competition(record, administrator)
            existing = Award.objects.filter(administrator=administrator, reference=record["award_id"]).first()
            if existing is None:
                award = services.award_create(
                    mechanism=record["mechanism"],
                    recipient=recipient,
                    administrator=administrator,
                    title=record["title"],
                    description=record["description"],
                    amount=record["amount"],
                    awarded_on=record["awarded_on"],
                    starts_on=record["starts_on"],
                    ends_on=record["ends_on"],
                    competition=competition,
                    lot=lot,
                    field=record["field"],
                    region=record["region"],
                    reference=record["award_id"],
                )
                self._advance(award, record)
                return "created"
            return self._update(row, existing, record, recipient)
        except ValidationError as exc:
            raise RowProblems(validation_problems(row, exc, self.FIELD_COLUMNS)) from exc

    def _competition(self, record: dict, administrator):
        from funding import services

        if not record["competition_id"]:
            return None, None
        competition = Competition.objects.filter(
            administrator=administrator, reference=record["competition_id"]
        ).first()
        if competition is None:
            competition = services.competition_create(
                administrator=administrator,
                mechanism=record["mechanism"],
                reference=record["competition_id"],
                title=_("Competition %(ref)s") % {"ref": record["competition_id"]},
                announced_on=record["awarded_on"],
            )
        number = record["lot"] or 1
        lot = competition.lots.filter(number=number).first() or services.lot_create(
            competition=competition,
            number=number,
            title=record["title"],
            planned_amount=record["amount"],
            field=record["field"],
            region=record["region"],
        )
        if record["applicants"] is not None and lot.reported_applicants != record["applicants"]:
            Lot.objects.filter(pk=lot.pk).update(reported_applicants=record["applicants"])
        return competition, lot

    def _advance(self, award: Award, record: dict) -> bool:
        from funding import services

        moved = False
        if LATER[record["status"]] >= 1 and LATER[award.status] < 1 and record["starts_on"]:
            services.award_status_record(award=award, kind="in_progress", occurred_on=record["starts_on"])
            moved = True
        if LATER[record["status"]] >= 2 and LATER[award.status] < 2:
            services.award_status_record(
                award=award, kind="completed", occurred_on=record["ends_on"] or record["awarded_on"]
            )
            moved = True
        return moved

    def _update(self, row: int, award: Award, record: dict, recipient) -> str:
        from funding import services

        wanted = {
            "mechanism": record["mechanism"],
            "recipient_id": recipient.pk,
            "field_id": record["field"].code if record["field"] else None,
            "region_id": record["region"].code if record["region"] else None,
            "awarded_on": record["awarded_on"],
        }
        differing = [name for name in FIXED if getattr(award, name) != wanted[name]]
        if differing:
            raise RowProblems(
                [
                    Problem(
                        row,
                        self.FIELD_COLUMNS.get(name.removesuffix("_id"), name),
                        _("differs from the award already recorded; correct it on the award page."),
                    )
                    for name in differing
                ]
            )
        changed = False
        for name in ("amount", "starts_on", "ends_on", "title"):
            new = record[name]
            if new is not None and new != getattr(award, name):
                services.award_amend(
                    award=award,
                    field_name=name,
                    new_value=str(new),
                    reason="Official import",
                    amended_on=timezone.localdate(),  # the file does not say when; the import is the record
                )
                award.refresh_from_db()
                changed = True
        award.refresh_from_db()
        changed = self._advance(award, record) or changed
        return "updated" if changed else "unchanged"


# ---------------------------------------------------------------- the awards format on the imports page


def _awards_allowed(user, options: dict) -> bool:
    administrator = Administrator.objects.filter(code=options.get("administrator") or "").first()
    return administrator is not None and user.has_perm("funding.enter_records", administrator)


def _awards_visible(user) -> Q | None:
    if user.is_superuser:
        return Q(kind="awards")
    codes = list(administrators_entered_by(user).values_list("code", flat=True))
    return Q(kind="awards", options__administrator__in=codes) if codes else None


def _awards_choices(user) -> dict[str, list[tuple[str, str]]]:
    administrators = sorted(administrators_entered_by(user), key=lambda a: a.name)
    return {"administrator": [(a.code, f"{a.name} ({a.code})") for a in administrators]}


register_import_kind(
    ImportKind(
        "awards",
        gettext_lazy("Awards"),
        "funding.imports.AwardImporter",
        _awards_allowed,
        _awards_visible,
        options=("administrator",),
        option_choices=_awards_choices,
    )
)
