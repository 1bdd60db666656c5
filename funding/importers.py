"""Funding's import formats: one administrator's awards, officials, commission members and scores
(docs/imports.md), run by the import engine.

Plain classes the engine (imports/engine.py) runs: it reads the file and each cell into its type; this says
what a row means. FundingConfig names it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding import services
from funding.filters import administrator_family
from funding.models import (
    Administrator,
    AdministratorOfficial,
    Application,
    Award,
    CommissionMember,
    CommissionScore,
    Competition,
    FundingChange,
    Lot,
    Mechanism,
)
from funding.selectors import administrators_entered_by
from registry import services as registry_services
from registry.importers import (
    RowErrors,
    errors_in_columns,
    person_for_row,
    person_names_from,
    reference_values,
)
from registry.models import Organisation, RoleSource
from registry.selectors import reference_data, region_problem

IMPORT_STATUSES = ("contracted", "in_progress", "completed")
LATER = {"contracted": 0, "in_progress": 1, "completed": 2, "terminated": 3}
# Fields an import may not change once an award is recorded: corrections to them go through the award page.
FIXED = ("mechanism", "recipient_id", "field_id", "region_id", "awarded_on")
MSG_UNKNOWN_ADMINISTRATOR = _("no administrator has the code “%(code)s”.")
COMPETITION_COLUMNS = {
    "reference": "competition_id",
    "title": "competition_id",
    "announced_on": "awarded_on",
    "year": "awarded_on",
}
LOT_COLUMNS = {"number": "lot", "planned_amount": "amount", "reported_applicants": "applicants"}


class AwardImporter:
    """`award_id,mechanism,administrator,recipient_bin,title,description,field,region,amount,currency,awarded_on,
    starts_on,ends_on,competition_id,lot,applicants,status`, for one administrator and its departments."""

    kind = "awards"
    label = gettext_lazy("Awards")
    options = ("administrator",)
    key_column = "award_id"
    model = Award
    column_sources = {"award_id": "reference", "recipient_bin": "recipient", "competition_id": "competition"}
    labels = {"applicants": Lot._meta.get_field("reported_applicants").verbose_name}
    required = ("award_id", "mechanism", "administrator", "recipient_bin", "title", "amount", "awarded_on")
    notes = {
        "award_id": gettext_lazy("Your own reference for the award: importing again matches awards by it."),
        "administrator": gettext_lazy("The administrator chosen on the form, or one of its departments."),
        "recipient_bin": gettext_lazy("The BIN of an organisation already in the registry."),
        "region": gettext_lazy("A region code valid on the award date; blank when unknown."),
        "currency": gettext_lazy("Blank or KZT: a foreign-currency award is entered on its page."),
        "competition_id": gettext_lazy("Your reference for the competition: it is created the first time it appears."),
        "lot": gettext_lazy("The lot's number in the competition; 1 when blank."),
        "applicants": gettext_lazy("How many applied, when the applications themselves are not in the file."),
        "status": gettext_lazy("Blank means contracted. A termination needs its reason: record it on the award page."),
    }
    AMENDABLE = ("amount", "starts_on", "ends_on", "title")
    columns = {
        "award_id": "text",
        "mechanism": "text",
        "administrator": "text",
        "recipient_bin": "text",
        "title": "text",
        "description": "text",
        "field": "text",
        "region": "text",
        "amount": "money",
        "currency": "text",
        "awarded_on": "date",
        "starts_on": "date",
        "ends_on": "date",
        "competition_id": "text",
        "lot": "small",
        "applicants": "count",
        "status": "text",
    }
    # A model rule's message goes under the column that holds its field: the award's fields here, the
    # competition's and the lot's where they are created (COMPETITION_COLUMNS, LOT_COLUMNS).
    field_columns = {
        "reference": "award_id",
        "recipient": "recipient_bin",
        "competition": "competition_id",
        "new_value": "amount",
        "kind": "status",
        "occurred_on": "status",
    }
    example = [
        "MSZ-2025-017",
        "state_grant",
        "example-ministry",
        "950440770016",
        "Support for rural youth centres",
        "Equipment and training for 12 centres",
        "children_youth",
        "KZ-71",
        "12 500 000",
        "KZT",
        "2025-03-01",
        "2025-04-01",
        "2025-12-31",
        "",
        "",
        "",
        "contracted",
    ]

    def __init__(self, administrator: str):
        self.reference = reference_data()
        family = administrator_family(administrator)
        if family is None:
            raise ValidationError({"administrator": MSG_UNKNOWN_ADMINISTRATOR % {"code": administrator}})
        self.administrators = {a.code: a for a in Administrator.objects.filter(pk__in=family)}
        self.code = administrator

    @classmethod
    def allowed(cls, user, options: dict) -> bool:
        administrator = Administrator.objects.filter(code=options.get("administrator") or "").first()
        return administrator is not None and user.has_perm("funding.enter_records", administrator)

    @classmethod
    def visible_jobs(cls, user) -> Q | None:
        if user.is_superuser:
            return Q(kind=cls.kind)
        codes = list(administrators_entered_by(user).values_list("code", flat=True))
        return Q(kind=cls.kind, options__administrator__in=codes) if codes else None

    @classmethod
    def option_choices(cls, user) -> dict[str, list[tuple[str, str]]]:
        administrators = sorted(administrators_entered_by(user), key=lambda a: a.name)
        return {"administrator": [(a.code, f"{a.name} ({a.code})") for a in administrators]}

    @classmethod
    def column_values(cls, column: str) -> list[tuple[str, str]]:
        reference = reference_data()
        if column == "mechanism":
            return [(code, str(label)) for code, label in Mechanism.choices]
        if column == "field":
            return reference_values(reference.fields)
        if column == "region":
            return reference_values(reference.regions)
        if column == "status":
            return [(code, str(Award.Status(code).label)) for code in IMPORT_STATUSES]
        return []

    def key(self, record: dict):
        return record["administrator"].pk, record["award_id"]

    def row_changes(self, record: dict) -> tuple[str, list | None]:
        """What apply_row will change: the amended fields and a later status (the fixed fields it refuses)."""
        existing = Award.objects.filter(administrator=record["administrator"], reference=record["award_id"]).first()
        if existing is None:
            return record["award_id"], None
        changes = [
            (name, getattr(existing, name), record[name])
            for name in self.AMENDABLE
            if record[name] is not None and record[name] != getattr(existing, name)
        ]
        status, wanted = existing.status, LATER[record["status"]]
        if wanted >= 1 and LATER[status] < 1 and record["starts_on"]:  # as _advance moves it
            status = "in_progress"
        if wanted >= 2 and LATER[status] < 2:
            status = "completed"
        if status != existing.status:
            changes.append(("status", existing.get_status_display(), Award.Status(status).label))
        return record["award_id"], changes

    def parse_row(self, values: dict) -> dict:
        errors = RowErrors()
        record = {
            name: values[name]
            for name in ("award_id", "title", "description", "recipient_bin", "competition_id", "amount")
        }
        record |= {name: values[name] for name in ("awarded_on", "starts_on", "ends_on", "lot", "applicants")}
        if not values["award_id"]:
            errors.add("award_id", _("your reference for the award is required: re-imports are matched by it."))
        if not values["title"]:
            errors.add("title", _("the title is required."))
        record["mechanism"] = values["mechanism"]
        if values["mechanism"] not in Mechanism.values:
            errors.add(
                "mechanism",
                _("“%(value)s” is not one of %(choices)s.")
                % {"value": values["mechanism"], "choices": ", ".join(Mechanism.values)},
            )
        record["administrator"] = self.administrators.get(values["administrator"])
        if record["administrator"] is None:
            errors.add(
                "administrator",
                _("“%(value)s” is not %(code)s or one of its departments.")
                % {"value": values["administrator"], "code": self.code},
            )
        for name, table in (("field", self.reference.fields), ("region", self.reference.regions)):
            record[name] = table.get(values[name]) if values[name] else None
            if values[name] and record[name] is None:
                errors.add(name, _("“%(value)s” is not a known code.") % {"value": values[name]})
        if values["amount"] is None:
            errors.add("amount", _("the amount is required."))
        elif values["amount"] <= 0:
            errors.add("amount", _("the amount must be more than zero."))
        if values["currency"].upper() not in ("", "KZT"):
            errors.add("currency", _("this format takes amounts in KZT; record a foreign-currency award on its page."))
        if values["awarded_on"] is None:
            errors.add("awarded_on", _("the award date is required."))
        elif problem := region_problem(record["region"], values["awarded_on"]):
            errors.add("region", problem)
        status = values["status"].lower() or "contracted"
        if status == "terminated":
            errors.add("status", _("a termination needs its reason: record it on the award page."))
        elif status not in IMPORT_STATUSES:
            errors.add(
                "status",
                _("“%(value)s” is not one of contracted, in_progress, completed.") % {"value": values["status"]},
            )
        record["status"] = status
        errors.raise_any()
        return record

    def apply_row(self, record: dict, acting_user) -> str:
        recipient = Organisation.objects.filter(bin=record["recipient_bin"]).first()
        if recipient is None:
            raise ValidationError({"recipient_bin": _("no organisation has this BIN; import it first.")})
        administrator = record["administrator"]
        competition, lot = self._competition(record, administrator, acting_user)
        existing = Award.objects.filter(administrator=administrator, reference=record["award_id"]).first()
        if existing is not None:
            return self._update(existing, record, recipient, acting_user)
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
            acting_user=acting_user,
            source=FundingChange.Source.IMPORT,
        )
        self._advance(award, record, acting_user)
        return "created"

    def _competition(self, record: dict, administrator, acting_user):
        if not record["competition_id"]:
            return None, None
        competition = Competition.objects.filter(
            administrator=administrator, reference=record["competition_id"]
        ).first()
        if competition is None:
            with errors_in_columns(COMPETITION_COLUMNS):
                competition = self._competition_create(record, administrator, acting_user)
        number = record["lot"] or 1
        with errors_in_columns(LOT_COLUMNS):
            lot = competition.lots.filter(number=number).first() or services.lot_create(
                competition=competition,
                number=number,
                title=record["title"],
                planned_amount=record["amount"],
                field=record["field"],
                region=record["region"],
                acting_user=acting_user,
                source=FundingChange.Source.IMPORT,
            )
            if record["applicants"] is not None and lot.reported_applicants != record["applicants"]:
                services.lot_reported_applicants_set(lot=lot, applicants=record["applicants"], acting_user=acting_user)
        return competition, lot

    def _competition_create(self, record: dict, administrator, acting_user):
        return services.competition_create(
            administrator=administrator,
            mechanism=record["mechanism"],
            reference=record["competition_id"],
            title=_("Competition %(ref)s") % {"ref": record["competition_id"]},
            announced_on=record["awarded_on"],
            acting_user=acting_user,
            source=FundingChange.Source.IMPORT,
        )

    def _advance(self, award: Award, record: dict, acting_user) -> bool:
        moved = False
        if LATER[record["status"]] >= 1 and LATER[award.status] < 1 and record["starts_on"]:
            services.award_status_record(
                award=award,
                kind="in_progress",
                occurred_on=record["starts_on"],
                acting_user=acting_user,
                source=FundingChange.Source.IMPORT,
            )
            moved = True
        if LATER[record["status"]] >= 2 and LATER[award.status] < 2:
            services.award_status_record(
                award=award,
                kind="completed",
                occurred_on=record["ends_on"] or record["awarded_on"],
                acting_user=acting_user,
                source=FundingChange.Source.IMPORT,
            )
            moved = True
        return moved

    def _update(self, award: Award, record: dict, recipient, acting_user) -> str:
        wanted = {
            "mechanism": record["mechanism"],
            "recipient_id": recipient.pk,
            "field_id": record["field"].code if record["field"] else None,
            "region_id": record["region"].code if record["region"] else None,
            "awarded_on": record["awarded_on"],
        }
        differing = [name for name in FIXED if getattr(award, name) != wanted[name]]
        if differing:
            message = _("differs from the award already recorded; correct it on the award page.")
            raise ValidationError({name.removesuffix("_id"): message for name in differing})
        changed = False
        for name in self.AMENDABLE:
            new = record[name]
            if new is not None and new != getattr(award, name):
                services.award_amend(
                    award=award,
                    field_name=name,
                    new_value=str(new),
                    reason="Official import",
                    amended_on=timezone.localdate(),  # the file does not say when; the import is the record
                    acting_user=acting_user,
                    source=FundingChange.Source.IMPORT,
                )
                award.refresh_from_db()
                changed = True
        award.refresh_from_db()
        changed = self._advance(award, record, acting_user) or changed
        return "updated" if changed else "unchanged"


# ---------------------------------------------------------------- people who decide the money (issue 17)

NOTE_ONE_NAME = gettext_lazy(
    "The name as the protocol writes it, in Kazakh, Russian or Latin letters: the same name in another script or "
    "spelling is matched to the person already recorded. Never an ID number (IIN)."
)
NOTE_COMPETITION = gettext_lazy("Your reference for the competition, as in the awards file; it must be recorded.")


def _choice_problem(value: str, choices) -> str:
    return _("“%(value)s” is not one of %(choices)s.") % {"value": value, "choices": ", ".join(choices)}


class AdministratorPeopleFormat:
    """A format of one administrator's records (with its departments), run by its officers, as the awards."""

    kind = ""
    options = ("administrator",)

    def __init__(self, administrator: str):
        family = administrator_family(administrator)
        if family is None:
            raise ValidationError({"administrator": MSG_UNKNOWN_ADMINISTRATOR % {"code": administrator}})
        self.family = family
        self.administrators = {a.code: a for a in Administrator.objects.filter(pk__in=family)}
        self.code = administrator

    allowed = AwardImporter.allowed
    option_choices = AwardImporter.option_choices

    @classmethod
    def visible_jobs(cls, user) -> Q | None:
        if user.is_superuser:
            return Q(kind=cls.kind)
        # The imports pages ask every format in turn: the officer's administrators are read once per request.
        codes = getattr(user, "_people_formats_codes", None)
        if codes is None:
            codes = list(administrators_entered_by(user).values_list("code", flat=True))
            user._people_formats_codes = codes
        return Q(kind=cls.kind, options__administrator__in=codes) if codes else None

    def competition(self, reference: str) -> Competition:
        found = list(
            Competition.objects.select_related("administrator").filter(
                administrator__in=self.family, reference=reference
            )[:2]
        )
        if len(found) != 1:
            message = (
                _("no competition of %(code)s has this reference; import its awards first.")
                if not found
                else _("several competitions of %(code)s have this reference.")
            )
            raise ValidationError({"competition_id": message % {"code": self.code}})
        return found[0]


class OfficialImporter(AdministratorPeopleFormat):
    """`administrator,person,position,from,until,source,source_note`: public posts at the administrator or its
    departments. A row matches the post of the same person, position and start date: importing again changes
    nothing; an end date added later ends it."""

    kind = "officials"
    label = gettext_lazy("Officials of administrators")
    key_column = "person"
    model = AdministratorOfficial
    column_sources = {"from": "started_on", "until": "ended_on"}
    required = ("administrator", "person", "position", "source")
    notes = {
        "administrator": gettext_lazy("The administrator chosen on the form, or one of its departments."),
        "person": NOTE_ONE_NAME,
        "until": gettext_lazy("Blank while in post."),
    }
    columns = {
        "administrator": "text",
        "person": "text",
        "position": "text",
        "from": "date",
        "until": "date",
        "source": "text",
        "source_note": "text",
    }
    field_columns = {"started_on": "from", "ended_on": "until"}
    example = ["example-ministry", "Нұрлан Әлиев", "руководитель управления", "2019-02-01", "", "administrator", ""]

    @classmethod
    def column_values(cls, column: str) -> list[tuple[str, str]]:
        if column == "source":
            return [(code, str(label)) for code, label in RoleSource.choices]
        return []

    def key(self, record: dict):
        return record["administrator"].pk, record["name_key"], record["position"], record["from"]

    def parse_row(self, values: dict) -> dict:
        errors = RowErrors()
        administrator = self.administrators.get(values["administrator"])
        if administrator is None:
            errors.add(
                "administrator",
                _("“%(value)s” is not %(code)s or one of its departments.")
                % {"value": values["administrator"], "code": self.code},
            )
        if not values["person"]:
            errors.add("person", _("the person's name is required."))
        if not values["position"]:
            errors.add("position", _("the position is required."))
        source = values["source"].lower()
        if source not in RoleSource.values:
            errors.add("source", _choice_problem(values["source"], RoleSource.values))
        if values["from"] and values["until"] and values["until"] < values["from"]:
            errors.add("until", _("a post can not end before it starts."))
        errors.raise_any()
        names = person_names_from(values["person"])
        return {
            "administrator": administrator,
            "names": names,
            "name_key": registry_services.person_name_key_of(**names),
            "position": " ".join(values["position"].split()),
            "from": values["from"],
            "until": values["until"],
            "source": source,
            "source_note": values["source_note"],
        }

    def _existing(self, record: dict):
        return AdministratorOfficial.objects.filter(
            administrator=record["administrator"],
            person__name_key=record["name_key"],
            position=record["position"],
            started_on=record["from"],
        ).first()

    def row_changes(self, record: dict) -> tuple[str, list | None]:
        title = f"{record['administrator'].code} · {next(iter(record['names'].values()))}"
        existing = self._existing(record)
        if existing is None:
            return title, None
        if record["until"] is not None and existing.ended_on is None:
            return title, [("until", None, record["until"])]
        return title, []

    def apply_row(self, record: dict, acting_user) -> str:
        existing = self._existing(record)
        if existing is None:
            services.administrator_official_add(
                administrator=record["administrator"],
                person=person_for_row(record["names"], acting_user, "person"),
                position=record["position"],
                started_on=record["from"],
                ended_on=record["until"],
                role_source=record["source"],
                source_note=record["source_note"],
                acting_user=acting_user,
                source=FundingChange.Source.IMPORT,
            )
            return "created"
        if record["until"] is not None and existing.ended_on != record["until"]:
            if existing.ended_on is not None:
                raise ValidationError({"until": _("this post is recorded as ended on another date; correct it here.")})
            services.administrator_official_end(
                official=existing, ended_on=record["until"], acting_user=acting_user, source=FundingChange.Source.IMPORT
            )
            return "updated"
        return "unchanged"


class CommissionMemberImporter(AdministratorPeopleFormat):
    """`competition_id,person,role,stage,affiliation,source_note`: a competition's evaluation commission as its
    protocol names it. A row matches the seat of the same person at the same stage."""

    kind = "commission_members"
    label = gettext_lazy("Commission members")
    key_column = "person"
    model = CommissionMember
    column_sources = {"competition_id": "competition"}
    required = ("competition_id", "person")
    notes = {
        "competition_id": NOTE_COMPETITION,
        "person": NOTE_ONE_NAME,
        "role": gettext_lazy("Blank means member."),
        "stage": gettext_lazy(
            "1 when blank; 2 for the expert commission after the working group (NGO awards, grants)."
        ),
        "source_note": gettext_lazy("The protocol's number and date, or a link."),
    }
    columns = {
        "competition_id": "text",
        "person": "text",
        "role": "text",
        "stage": "small",
        "affiliation": "text",
        "source_note": "text",
    }
    field_columns = {"competition": "competition_id"}
    example = ["MSZ-2025-017", "Нұрлан Әлиев", "chair", "1", "депутат маслихата", "protocol No. 3 of 2025-02-10"]

    @classmethod
    def column_values(cls, column: str) -> list[tuple[str, str]]:
        if column == "role":
            return [(code, str(label)) for code, label in CommissionMember.Role.choices]
        return []

    def key(self, record: dict):
        return record["competition_id"], record["name_key"], record["stage"]

    def parse_row(self, values: dict) -> dict:
        errors = RowErrors()
        if not values["competition_id"]:
            errors.add("competition_id", _("the competition's reference is required."))
        if not values["person"]:
            errors.add("person", _("the person's name is required."))
        role = values["role"].lower() or CommissionMember.Role.MEMBER
        if role not in CommissionMember.Role.values:
            errors.add("role", _choice_problem(values["role"], CommissionMember.Role.values))
        errors.raise_any()
        names = person_names_from(values["person"])
        return {
            "competition_id": values["competition_id"],
            "names": names,
            "name_key": registry_services.person_name_key_of(**names),
            "role": role,
            "stage": values["stage"] or 1,
            "affiliation": values["affiliation"],
            "source_note": values["source_note"],
        }

    def _existing(self, competition: Competition, record: dict):
        return competition.commission.filter(person__name_key=record["name_key"], stage=record["stage"]).first()

    def row_changes(self, record: dict) -> tuple[str, list | None]:
        title = f"{record['competition_id']} · {next(iter(record['names'].values()))}"
        try:
            competition = self.competition(record["competition_id"])
        except ValidationError:
            return title, None  # apply_row says why
        existing = self._existing(competition, record)
        if existing is None:
            return title, None
        return title, (
            [("role", existing.get_role_display(), CommissionMember.Role(record["role"]).label)]
            if existing.role != record["role"]
            else []
        )

    def apply_row(self, record: dict, acting_user) -> str:
        competition = self.competition(record["competition_id"])
        existing = self._existing(competition, record)
        if existing is not None:
            if existing.role != record["role"]:
                raise ValidationError({"role": _("this seat is recorded with another role; correct it on the page.")})
            return "unchanged"
        with errors_in_columns({"stage": "stage", "person": "person"}):
            services.commission_member_add(
                competition=competition,
                person=person_for_row(record["names"], acting_user, "person"),
                role=record["role"],
                stage=record["stage"],
                affiliation=record["affiliation"],
                source_note=record["source_note"],
                acting_user=acting_user,
                source=FundingChange.Source.IMPORT,
            )
        return "created"


class CommissionScoreImporter(AdministratorPeopleFormat):
    """`competition_id,lot,applicant_bin,member,stage,criterion,score,max_score`: each member's score of each
    application on each criterion, as the protocol records it. A row matches the score of the same application,
    member and criterion: importing again changes nothing, a new value corrects it."""

    kind = "commission_scores"
    label = gettext_lazy("Commission scores")
    key_column = "member"
    model = CommissionScore
    column_sources = {"competition_id": "application", "lot": "application", "applicant_bin": "application"}
    labels = {
        "competition_id": Award._meta.get_field("competition").verbose_name,
        "lot": Lot._meta.verbose_name,
        "applicant_bin": Organisation._meta.get_field("bin").verbose_name,
        "stage": CommissionMember._meta.get_field("stage").verbose_name,
    }
    required = ("competition_id", "applicant_bin", "member", "criterion", "score")
    notes = {
        "competition_id": NOTE_COMPETITION,
        "lot": gettext_lazy("The lot's number in the competition; 1 when blank."),
        "applicant_bin": gettext_lazy("The BIN of the organisation whose application was scored; it must be recorded."),
        "member": gettext_lazy("The member's name as on the commission (import the members first)."),
        "stage": gettext_lazy("Needed only when the member sits at both stages."),
        "criterion": gettext_lazy(
            "For an NGO award one of its five criteria (codes below); otherwise as the protocol writes it."
        ),
    }
    columns = {
        "competition_id": "text",
        "lot": "small",
        "applicant_bin": "text",
        "member": "text",
        "stage": "small",
        "criterion": "text",
        "score": "money",
        "max_score": "money",
    }
    field_columns = {"application": "applicant_bin", "score": "score", "max_score": "max_score"}
    example = ["MSZ-2025-017", "1", "950440770016", "Нұрлан Әлиев", "", "Актуальность проекта", "8,5", "10"]

    @classmethod
    def column_values(cls, column: str) -> list[tuple[str, str]]:
        if column == "criterion":
            return [(code, str(label)) for code, label in services.NGO_AWARD_CRITERIA.items()]
        return []

    def key(self, record: dict):
        return record["competition_id"], record["lot"], record["applicant_bin"], record["name_key"], record["criterion"]

    def parse_row(self, values: dict) -> dict:
        errors = RowErrors()
        for column in ("competition_id", "applicant_bin", "member", "criterion"):
            if not values[column]:
                errors.add(column, _("this column is required."))
        if values["score"] is None:
            errors.add("score", _("the score is required."))
        elif values["max_score"] is not None and values["score"] > values["max_score"]:
            errors.add("score", _("the score is above the highest possible score."))
        errors.raise_any()
        names = person_names_from(values["member"])
        return {
            "competition_id": values["competition_id"],
            "lot": values["lot"] or 1,
            "applicant_bin": values["applicant_bin"],
            "name_key": registry_services.person_name_key_of(**names),
            "member": values["member"],
            "stage": values["stage"],
            "criterion": " ".join(values["criterion"].split()),
            "score": values["score"],
            "max_score": values["max_score"],
        }

    def _targets(self, record: dict):
        competition = self.competition(record["competition_id"])
        application = (
            Application.objects.filter(
                lot__competition=competition, lot__number=record["lot"], applicant__bin=record["applicant_bin"]
            )
            .order_by("id")
            .first()
        )
        if application is None:
            raise ValidationError({"applicant_bin": _("no application by this BIN is recorded in this lot.")})
        seats = competition.commission.filter(person__name_key=record["name_key"])
        if record["stage"]:
            seats = seats.filter(stage=record["stage"])
        found = list(seats[:2])
        if len(found) != 1:
            message = (
                _("no member of this competition's commission has this name; import the members first.")
                if not found
                else _("this member sits at both stages: give the stage.")
            )
            raise ValidationError({"member": message})
        return application, found[0]

    def row_changes(self, record: dict) -> tuple[str, list | None]:
        title = f"{record['competition_id']} · {record['applicant_bin']} · {record['member']}"
        try:
            application, member = self._targets(record)
        except ValidationError:
            return title, None  # apply_row says why
        existing = CommissionScore.objects.filter(
            application=application, member=member, criterion=record["criterion"]
        ).first()
        if existing is None:
            return title, None
        return title, [
            (column, getattr(existing, column), record[column])
            for column in ("score", "max_score")
            if getattr(existing, column) != record[column]
        ]

    def apply_row(self, record: dict, acting_user) -> str:
        application, member = self._targets(record)
        existed = CommissionScore.objects.filter(
            application=application, member=member, criterion=record["criterion"]
        ).exists()
        _score, changed = services.commission_score_set(
            application=application,
            member=member,
            criterion=record["criterion"],
            score=record["score"],
            max_score=record["max_score"],
            acting_user=acting_user,
            source=FundingChange.Source.IMPORT,
        )
        if not changed:
            return "unchanged"
        return "updated" if existed else "created"
