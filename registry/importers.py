"""The registry's import formats: organisations, yearly reports and roles in organisations (docs/imports.md).

Plain classes that the import engine (imports/engine.py) runs: it reads the file and each cell into its type,
and reports problems by row and column; these say what a row means. RegistryConfig names them.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import services
from registry.bin import bin_problem
from registry.models import (
    REPORT_ANSWER_FIELDS,
    REPORT_COUNT_FIELDS,
    REPORT_FILE_COLUMNS,
    REPORT_MONEY_FIELDS,
    ChangeRecord,
    Organisation,
    OrganisationRole,
    Person,
    RoleSource,
    YearlyReport,
)
from registry.rules import is_moderator
from registry.selectors import reference_data


class RowErrors:
    """Problems of one row, collected by column, raised together."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, column: str, message) -> None:
        self.errors.setdefault(column, []).append(str(message))

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


@contextmanager
def errors_in_columns(columns: dict[str, str]):
    """A service's ValidationError with its model fields named as the file's columns: the `reference` of a
    competition is the file's `competition_id`, the `number` of a lot its `lot`."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        named: dict[str, list] = {}
        for name, errors in exc.error_dict.items():
            named.setdefault(columns.get(name, name), []).extend(errors)
        raise ValidationError(named) from exc


class ModeratorFormat:
    """A format that only moderators (and site admins) import."""

    options: tuple[str, ...] = ()
    kind = ""

    @classmethod
    def allowed(cls, user, options: dict) -> bool:
        return is_moderator(user)

    @classmethod
    def visible_jobs(cls, user) -> Q | None:
        return Q(kind=cls.kind) if is_moderator(user) else None


# ---------------------------------------------------------------- organisations


NOTE_NAMES = gettext_lazy("At least one of the three names is required.")


def reference_values(table: dict) -> list[tuple[str, str]]:
    return [(code, item.name) for code, item in table.items()]


class OrganisationImporter(ModeratorFormat):
    """Keyed by BIN. An official import may change identity fields; every change is recorded (source: import)."""

    kind = "organisations"
    label = gettext_lazy("Organisations")
    key_column = "bin"
    model = Organisation
    required = ("bin", "legal_form")
    notes = {
        "bin": gettext_lazy("12 digits with a valid check digit: organisations are matched by it."),
        "name_kk": NOTE_NAMES,
        "name_ru": NOTE_NAMES,
        "name_en": NOTE_NAMES,
        "region": gettext_lazy("A region code; blank when unknown. Codes of regions before a reform are accepted."),
        "registered_on": gettext_lazy("Not before the month the BIN encodes."),
        "status": gettext_lazy(
            "Blank means active. A suspension needs its court decision and dates, so a moderator records it."
        ),
        "fields": gettext_lazy("One or more codes, separated by “;”."),
    }
    PROFILE_COLUMNS = ("name_kk", "name_ru", "name_en", "legal_form", "region", "registered_on")
    PROFILE_COLUMNS += ("address", "phone", "email", "website")
    columns = {
        "bin": "text",
        "name_kk": "text",
        "name_ru": "text",
        "name_en": "text",
        "legal_form": "text",
        "region": "text",
        "registered_on": "date",
        "status": "text",
        "fields": "text",
        "address": "text",
        "phone": "text",
        "email": "text",
        "website": "text",
    }
    field_columns = {
        "territorial_level": "legal_form",
        "occurred_on": "status",
        "kind": "status",
    }
    example = [
        "950440770016",  # fictional: never a real organisation's BIN in an example
        "«Мысал» қоры",
        "Фонд «Пример»",
        "Example Foundation",
        "foundation",
        "KZ-71",
        "1995-04-12",
        "active",
        "health;women",
        "Астана, ул. Примерная, 1",
        "+7 7172 00 00 00",
        "info@example.kz",
        "https://example.kz",
    ]
    STATUS_EVENTS = {
        "active": "found_active",
        "inactive": "found_inactive",
        "liquidated": "liquidated",
        "reorganised": "reorganised",
    }

    def __init__(self) -> None:
        self.reference = reference_data()

    @classmethod
    def column_values(cls, column: str) -> list[tuple[str, str]]:
        reference = reference_data()
        tables = {"legal_form": reference.legal_forms, "region": reference.regions, "fields": reference.fields}
        if column in tables:
            return reference_values(tables[column])
        if column == "status":
            return [(code, Organisation.Status(code).label) for code in cls.STATUS_EVENTS]
        return []

    def key(self, record: dict) -> str:
        return record["bin"]

    def row_changes(self, record: dict) -> tuple[str, list | None]:
        """What apply_row will change, compared as organisation_profile_update compares (foreign keys by code)."""
        existing = (
            Organisation.objects.select_related("legal_form", "region")
            .prefetch_related("fields")
            .filter(bin=record["bin"])
            .first()
        )
        if existing is None:
            return record["bin"], None
        changes = []
        for column in self.PROFILE_COLUMNS:
            old, new = getattr(existing, column), record[column]
            if (old or None) != (new or None):
                changes.append((column, old, new))
        old_fields = {field.code: field for field in existing.fields.all()}
        if set(old_fields) != {field.code for field in record["fields"]}:
            changes.append(("fields", list(old_fields.values()), record["fields"]))
        if existing.status != record["status"]:
            changes.append(("status", existing.get_status_display(), Organisation.Status(record["status"]).label))
        return record["bin"], changes

    def parse_row(self, values: dict) -> dict:
        errors = RowErrors()
        if not values["bin"]:
            errors.add("bin", _("a BIN is required: imports match organisations by BIN."))
        elif (error := bin_problem(values["bin"])) is not None:
            errors.add("bin", error.message % (error.params or {}))
        record = {name: values[name] for name in ("bin", "name_kk", "name_ru", "name_en", "address", "phone")}
        if not (values["name_kk"] or values["name_ru"] or values["name_en"]):
            errors.add("name_ru", _("give the name in at least one language."))
        record["legal_form"] = self.reference.legal_forms.get(values["legal_form"])
        if record["legal_form"] is None:
            errors.add(
                "legal_form",
                _("“%(code)s” is not a legal form code (the column help lists them).") % {"code": values["legal_form"]},
            )
        record["region"] = self.reference.regions.get(values["region"]) if values["region"] else None
        if values["region"] and record["region"] is None:
            errors.add("region", _("“%(code)s” is not a region code such as KZ-71.") % {"code": values["region"]})
        record["registered_on"] = values["registered_on"]
        status = values["status"].lower() or "active"
        if status == "suspended":
            errors.add("status", _("a suspension needs its dates and court decision: a moderator records it."))
        elif status not in self.STATUS_EVENTS:
            errors.add(
                "status",
                _("“%(value)s” is not one of active, inactive, liquidated, reorganised.") % {"value": values["status"]},
            )
        record["status"] = status
        codes = [c.strip() for c in values["fields"].split(";") if c.strip()]
        unknown = [c for c in codes if c not in self.reference.fields]
        if unknown:
            errors.add("fields", _("unknown field codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        record["fields"] = [self.reference.fields[c] for c in codes if c in self.reference.fields]
        for name in ("email", "website"):
            field = Organisation._meta.get_field(name)
            try:
                record[name] = field.clean(values[name], None) if values[name] else ""
            except ValidationError:
                errors.add(name, _("“%(value)s” is not a valid %(what)s.") % {"value": values[name], "what": name})
        errors.raise_any()
        return record

    def apply_row(self, record: dict, acting_user) -> str:
        record = dict(record)
        existing = Organisation.objects.filter(bin=record["bin"]).first()
        status = record.pop("status")
        fields = record.pop("fields")
        if existing is None:
            organisation = services.organisation_create(**record, fields=fields, legal_basis="Official import")
            if status != "active" and record["registered_on"]:
                self._status_record(organisation, status, record["registered_on"], acting_user)
            return "created"
        values = {k: v for k, v in record.items() if k != "bin"}
        changes: list = services.organisation_profile_update(
            organisation=existing,
            acting_user=acting_user,
            expected_version=existing.version,
            source=ChangeRecord.Source.IMPORT,
            values=values,
            fields=fields,
        )
        if existing.status != status:
            self._status_record(existing, status, timezone.localdate(), acting_user)
            changes.append(status)
        return "updated" if changes else "unchanged"

    def _status_record(self, organisation: Organisation, status: str, occurred_on, acting_user) -> None:
        """The file's status, recorded as the official import's event; four eyes hold here too (a row about an
        organisation the importing moderator manages is that row's problem)."""
        try:
            services.organisation_status_record(
                organisation=organisation,
                kind=self.STATUS_EVENTS[status],
                occurred_on=occurred_on,
                legal_basis="Official import",
                moderator=acting_user,
            )
        except PermissionDenied as refusal:
            raise ValidationError({"status": str(refusal)}) from refusal


# ---------------------------------------------------------------- yearly reports


class ReportImporter(ModeratorFormat):
    """The NGO-database report format, keyed by BIN and year; the organisation must exist."""

    kind = "reports"
    label = gettext_lazy("Yearly reports")
    key_column = "year"
    model = YearlyReport
    labels = {"bin": Organisation._meta.get_field("bin").verbose_name}
    required = ("bin", "year")
    notes = {
        "bin": gettext_lazy("The organisation must already be in the registry."),
        "submitted_on": gettext_lazy(
            "The filing date, after the year's end; today when blank. A report already in the registry keeps its own."
        ),
    }
    columns = {
        name: (
            "money"
            if name in REPORT_MONEY_FIELDS
            else "year"
            if name == "year"
            else "count"
            if name in REPORT_COUNT_FIELDS
            else "yesno"
            if name in REPORT_ANSWER_FIELDS
            else "date"
            if name == "submitted_on"
            else "text"
        )
        for name in REPORT_FILE_COLUMNS
    }
    field_columns = {name: name for name in REPORT_FILE_COLUMNS}
    example = [
        "950440770016",
        "2024",
        "2025-03-15",
        "4500000",
        "",
        "",
        "",
        "250000",
        "120000",
        "",
        "",
        "",
        "4700000",
        "4",
        "15",
        "",
        "900",
        "yes",
        "yes",
        "yes",
        "no",
        "no",
        "yes",
        "",
        "no",
        "no",
        "no",
        "yes",
        "yes",
        "",
        "elected_board",
    ]
    VALUE_COLUMNS = (*REPORT_MONEY_FIELDS, *REPORT_COUNT_FIELDS, *REPORT_ANSWER_FIELDS)

    @classmethod
    def column_values(cls, column: str) -> list[tuple[str, str]]:
        if column == "decision_making":
            return [(code, str(label)) for code, label in YearlyReport.DecisionMaking.choices]
        return []

    def key(self, record: dict) -> tuple[str, int]:
        return record["bin"], record["year"]

    def row_changes(self, record: dict) -> tuple[str, list | None]:
        title = f"{record['bin']} · {record['year']}"
        existing = YearlyReport.objects.filter(organisation__bin=record["bin"], year=record["year"]).first()
        if existing is None:
            return title, None
        changes = []
        for column, new in record["values"].items():
            old = getattr(existing, column)
            if old != new:
                if column == "decision_making":
                    old, new = existing.get_decision_making_display(), self._decision_label(new)
                changes.append((column, old, new))
        return title, changes

    @staticmethod
    def _decision_label(code: str) -> str:
        return str(YearlyReport.DecisionMaking(code).label) if code else ""

    def parse_row(self, values: dict) -> dict:
        errors = RowErrors()
        if not values["bin"]:
            errors.add("bin", _("a BIN is required: reports are matched to organisations by BIN."))
        if values["year"] is None:
            errors.add("year", _("the reporting year is required."))
        decisions = YearlyReport.DecisionMaking.values
        decision = values["decision_making"].lower()
        if decision and decision not in decisions:
            errors.add(
                "decision_making",
                _("“%(value)s” is not one of %(choices)s.")
                % {"value": values["decision_making"], "choices": ", ".join(sorted(decisions))},
            )
        errors.raise_any()
        report_values = {name: values[name] for name in self.VALUE_COLUMNS}
        report_values["decision_making"] = decision
        return {
            "bin": values["bin"],
            "year": values["year"],
            "submitted_on": values["submitted_on"],
            "values": report_values,
        }

    def apply_row(self, record: dict, acting_user) -> str:
        organisation = Organisation.objects.filter(bin=record["bin"]).first()
        if organisation is None:
            raise ValidationError({"bin": _("no organisation has this BIN; import the organisations first.")})
        existing = organisation.reports.filter(year=record["year"]).first()
        if existing and all(getattr(existing, k) == v for k, v in record["values"].items()):
            return "unchanged"
        services.report_submit(
            organisation=organisation,
            year=record["year"],
            acting_user=acting_user,
            values=record["values"],
            submitted_on=record["submitted_on"],
            source=ChangeRecord.Source.IMPORT,
        )
        return "updated" if existing else "created"


# ---------------------------------------------------------------- people in public roles (issue 17)

_KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_CYRILLIC = re.compile("[А-Яа-яЁё]")


def person_names_from(text: str) -> dict[str, str]:
    """A name written in one cell, under the language its letters show: Kazakh letters, Russian (Cyrillic without
    them) or Latin. Only the matching key joins spellings, so a guess here never merges two people."""
    text = " ".join(text.split())
    if any(letter in _KAZAKH_LETTERS for letter in text):
        return {"name_kk": text}
    if _CYRILLIC.search(text):
        return {"name_ru": text}
    return {"name_en": text}


def person_for_row(names: dict[str, str], acting_user, column: str):
    """The person a row names (services.person_find_or_create), with a namesakes' problem under `column`."""
    try:
        return services.person_find_or_create(**names, acting_user=acting_user)
    except ValidationError as exc:
        raise ValidationError({column: exc.messages}) from exc


NOTE_PERSON = gettext_lazy(
    "The name as published; at least one of the three. The same name in another script or spelling is matched to "
    "the person already recorded. Never an ID number (IIN)."
)


class OrganisationRoleImporter(ModeratorFormat):
    """`bin,name_kk,name_ru,name_en,role,title,from,until,source,source_note`: heads, founders and board members
    from the state register or another published source. A row matches the role of the same person, kind and
    start date: importing again changes nothing; an end date added later ends it."""

    kind = "organisation_roles"
    label = gettext_lazy("Roles in organisations")
    key_column = "bin"
    model = OrganisationRole
    column_sources = {"role": "kind", "from": "started_on", "until": "ended_on"}
    labels = {
        "bin": Organisation._meta.get_field("bin").verbose_name,
        "name_kk": Person._meta.get_field("name_kk").verbose_name,
        "name_ru": Person._meta.get_field("name_ru").verbose_name,
        "name_en": Person._meta.get_field("name_en").verbose_name,
    }
    required = ("bin", "role", "source")
    notes = {
        "bin": gettext_lazy("The organisation must already be in the registry."),
        "name_kk": NOTE_PERSON,
        "name_ru": NOTE_PERSON,
        "name_en": NOTE_PERSON,
        "from": gettext_lazy("Blank when the source gives no date; a new head's date ends the current head's role."),
        "until": gettext_lazy("Blank while the role lasts."),
    }
    columns = {
        "bin": "text",
        "name_kk": "text",
        "name_ru": "text",
        "name_en": "text",
        "role": "text",
        "title": "text",
        "from": "date",
        "until": "date",
        "source": "text",
        "source_note": "text",
    }
    field_columns = {
        "kind": "role",
        "started_on": "from",
        "ended_on": "until",
        "person": "name_ru",
        "organisation": "bin",
    }
    example = [
        "950440770016",
        "Нұрлан Әлиев",
        "Нурлан Алиев",
        "Nurlan Aliyev",
        "head",
        "председатель правления",
        "2021-06-01",
        "",
        "state_register",
        "extract of 2025-01-10",
    ]
    CORRECTABLE = ("title", "source", "source_note")

    @classmethod
    def visible_jobs(cls, user) -> Q | None:
        # Asked with the other formats on every imports page: whether the user moderates is read once per request.
        moderates = getattr(user, "_roles_format_moderates", None)
        if moderates is None:
            moderates = user._roles_format_moderates = is_moderator(user)
        return Q(kind=cls.kind) if moderates else None

    @classmethod
    def column_values(cls, column: str) -> list[tuple[str, str]]:
        if column == "role":
            return [(code, str(label)) for code, label in OrganisationRole.Kind.choices]
        if column == "source":
            return [(code, str(label)) for code, label in RoleSource.choices]
        return []

    def key(self, record: dict):
        return record["bin"], record["name_key"], record["role"], record["from"]

    def parse_row(self, values: dict) -> dict:
        errors = RowErrors()
        if not values["bin"]:
            errors.add("bin", _("a BIN is required: roles are matched to organisations by BIN."))
        names = {name: values[name] for name in ("name_kk", "name_ru", "name_en")}
        if not any(names.values()):
            errors.add("name_ru", _("give the person's name in at least one language."))
        role = values["role"].lower()
        if role not in OrganisationRole.Kind.values:
            errors.add(
                "role",
                _("“%(value)s” is not one of %(choices)s.")
                % {"value": values["role"], "choices": ", ".join(OrganisationRole.Kind.values)},
            )
        source = values["source"].lower()
        if source not in RoleSource.values:
            errors.add(
                "source",
                _("“%(value)s” is not one of %(choices)s.")
                % {"value": values["source"], "choices": ", ".join(RoleSource.values)},
            )
        if values["from"] and values["until"] and values["until"] < values["from"]:
            errors.add("until", _("a role can not end before it starts."))
        errors.raise_any()
        return {
            "bin": values["bin"],
            "names": names,
            "name_key": services.person_name_key_of(**names),
            "role": role,
            "title": values["title"],
            "from": values["from"],
            "until": values["until"],
            "source": source,
            "source_note": values["source_note"],
        }

    def _existing(self, record: dict):
        return (
            OrganisationRole.objects.select_related("person")
            .filter(
                organisation__bin=record["bin"],
                person__name_key=record["name_key"],
                kind=record["role"],
                started_on=record["from"],
            )
            .first()
        )

    def row_changes(self, record: dict) -> tuple[str, list | None]:
        title = f"{record['bin']} · {next(name for name in record['names'].values() if name)}"
        existing = self._existing(record)
        if existing is None:
            return title, None
        changes = [
            (column, getattr(existing, column), record[column])
            for column in self.CORRECTABLE
            if getattr(existing, column) != record[column]
        ]
        if record["until"] is not None and existing.ended_on != record["until"]:
            changes.append(("until", existing.ended_on, record["until"]))
        return title, changes

    def apply_row(self, record: dict, acting_user) -> str:
        organisation = Organisation.objects.filter(bin=record["bin"]).first()
        if organisation is None:
            raise ValidationError({"bin": _("no organisation has this BIN; import the organisations first.")})
        existing = self._existing(record)
        source = ChangeRecord.Source.IMPORT
        if existing is None:
            services.organisation_role_add(
                organisation=organisation,
                person=person_for_row(record["names"], acting_user, "name_ru"),
                kind=record["role"],
                title=record["title"],
                started_on=record["from"],
                ended_on=record["until"],
                source=record["source"],
                source_note=record["source_note"],
                acting_user=acting_user,
                change_source=source,
            )
            return "created"
        changed = False
        values = {column: record[column] for column in self.CORRECTABLE if getattr(existing, column) != record[column]}
        if values:
            services.organisation_role_correct(
                role=existing, values=values, acting_user=acting_user, change_source=source
            )
            changed = True
        if record["until"] is not None and existing.ended_on != record["until"]:
            if existing.ended_on is None:
                services.organisation_role_end(
                    role=existing, ended_on=record["until"], acting_user=acting_user, change_source=source
                )
            else:
                services.organisation_role_correct(
                    role=existing, values={"ended_on": record["until"]}, acting_user=acting_user, change_source=source
                )
            changed = True
        return "updated" if changed else "unchanged"
