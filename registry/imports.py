"""Bulk imports from CSV or XLSX: every problem reported with its row and column, then all rows or none.

A run parses every row, then applies them inside one transaction with a savepoint per row, so the model
rules of every row are checked and reported in one go; any problem (or a dry run) rolls everything back.
Rows are matched to existing records by their key (the BIN for organisations), so importing the same file
again changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import classproperty
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class ImportKind:
    """A file format the imports page and its jobs know: who may run it, and which jobs they may see.

    Apps register their own (funding registers awards), so the page stays one page for every format.
    `options` names the values the importer is built with (awards: the administrator's code).
    """

    code: str
    label: str
    importer: str  # dotted path of the importer class
    allowed: Callable[..., bool]  # (user, options) -> may this user run this format with these options?
    visible: Callable[..., Q | None]  # (user) -> the jobs of this format the user may see, or None
    options: tuple[str, ...] = ()
    option_choices: Callable[..., dict[str, list[tuple[str, str]]]] | None = None  # (user) -> {option: choices}


IMPORT_KINDS: dict[str, ImportKind] = {}


def register_import_kind(kind: ImportKind) -> None:
    IMPORT_KINDS[kind.code] = kind


def kinds_for(user) -> list[ImportKind]:
    """The formats this user may import at all (with some choice of options)."""
    return [kind for kind in IMPORT_KINDS.values() if kind.visible(user) is not None]


def import_allowed(user, kind: str, options: dict) -> bool:
    entry = IMPORT_KINDS.get(kind)
    return entry is not None and set(options) == set(entry.options) and entry.allowed(user, options)


def visible_jobs_filter(user) -> Q | None:
    """Q over ImportJob for the jobs this user may see (None: no imports page for them at all)."""
    parts = [q for kind in IMPORT_KINDS.values() if (q := kind.visible(user)) is not None]
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def _moderator_kind(code: str, label: str, importer: str) -> ImportKind:
    def allowed(user, options) -> bool:
        return user.has_perm("registry.moderate")

    def visible(user) -> Q | None:
        return Q(kind=code) if user.has_perm("registry.moderate") else None

    return ImportKind(code, label, importer, allowed, visible)


MAX_ROWS = 100_000
MAX_DIGITS = 16  # before the decimal point: more is a typing error, not a tenge amount
TRUE = {"yes", "true", "1", "да", "иә"}
FALSE = {"no", "false", "0", "нет", "жоқ"}


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column “%(column)s”") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def applied(self) -> bool:
        return not self.problems and not self.dry_run

    def summary(self) -> str:
        return _("%(rows)s rows: %(created)s new, %(updated)s updated, %(unchanged)s unchanged") % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


class RowProblems(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems


# ---------------------------------------------------------------- reading files


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):  # Excel in Kazakhstan often saves CSV as Windows-1251
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError  # pragma: no cover - cp1251 decodes every byte


def read_table(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank rows, each with its line number in the file (the header is line 1)."""
    if filename.lower().endswith(".xlsx"):
        return _read_xlsx(data)
    text = _decode(data)
    if "\x00" in text:
        raise ValueError(_("the file contains NUL bytes: it is not a CSV text file."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise ValueError(_("the CSV could not be read: %(error)s") % {"error": exc}) from exc
    return _split(lines)


def _read_xlsx(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValueError(_("the file is not a readable XLSX workbook.")) from exc
    sheet = workbook.worksheets[0]
    lines = [["" if cell is None else _cell_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    return _split(lines)


def _cell_text(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _split(lines: list[list[str]]):
    numbered = [(n, [c.strip() for c in line]) for n, line in enumerate(lines, start=1)]
    numbered = [(n, line) for n, line in numbered if any(line)]
    if not numbered:
        raise ValueError(_("the file is empty."))
    (_first_line, header), rows = numbered[0], numbered[1:]
    if len(rows) > MAX_ROWS:
        raise ValueError(
            _("the file has %(n)s rows; split it into files of at most %(max)s.") % {"n": len(rows), "max": MAX_ROWS}
        )
    return [h.strip().lower() for h in header], rows


# ---------------------------------------------------------------- reading cells


def parse_bool(value: str) -> bool | None:
    text = value.strip().lower()
    if not text:
        return None
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(_("“%(value)s” is not yes/no/true/false/1/0 (leave it blank when unknown).") % {"value": value})


def parse_date(value: str) -> datetime.date | None:
    text = value.strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date; write 2021-03-31 or 31.03.2021.") % {"value": value})


def parse_decimal(value: str) -> Decimal | None:
    text = re.sub(r"[\s\u00a0\u202f]", "", value).replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from exc
    if not number.is_finite() or abs(number) >= Decimal(10) ** MAX_DIGITS:
        raise ValueError(_("“%(value)s” is too large to be an amount in tenge.") % {"value": value})
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(_("“%(value)s” has more than two decimals.") % {"value": value})
    return number


def parse_int(value: str) -> int | None:
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value() or number < 0:
        raise ValueError(_("“%(value)s” is not a whole number of zero or more.") % {"value": value})
    return int(number)


# ---------------------------------------------------------------- running an import


def check_header(header: list[str], columns: Iterable[str]) -> list[Problem]:
    expected = list(columns)
    problems = [Problem(1, name, _("this column is missing.")) for name in expected if name not in header]
    problems += [
        Problem(1, name or "?", _("this column is not part of the format (see docs/imports.md)."))
        for name in header
        if name not in expected
    ]
    seen = set()
    for name in header:
        if name in seen:
            problems.append(Problem(1, name, _("this column appears twice.")))
        seen.add(name)
    return problems


def validation_problems(row: int, error: ValidationError, columns: dict[str, str]) -> list[Problem]:
    """A model's ValidationError as problems, each under the column that holds the field."""
    if not hasattr(error, "error_dict"):
        return [Problem(row, None, message) for message in error.messages]
    return [
        Problem(row, columns.get(name, name if name != "__all__" else None), message)
        for name, errors in error.error_dict.items()
        for message in ValidationError(errors).messages
    ]


PROGRESS_EVERY = 200


def run_import(
    importer, data: bytes, filename: str, *, acting_user=None, dry_run: bool = False, progress=None
) -> ImportResult:
    """`progress(done, total)` is called as rows are checked and again as they are applied (2 passes)."""
    result = ImportResult(kind=importer.kind, dry_run=dry_run)
    report = progress or (lambda done, total: None)
    try:
        header, rows = read_table(data, filename)
    except ValueError as exc:
        result.problems.append(Problem(None, None, str(exc)))
        return result
    result.rows = len(rows)
    result.problems = check_header(header, importer.columns)
    if result.problems:
        return result
    records = []
    keys: dict[object, int] = {}
    total = 2 * len(rows)
    for index, (number, cells) in enumerate(rows):
        if index % PROGRESS_EVERY == 0:
            report(index, total)
        values = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
        if len(cells) > len(header) and any(cells[len(header) :]):
            result.problems.append(Problem(number, None, _("this row has more cells than the header.")))
            continue
        record, problems = importer.parse_row(number, values)
        result.problems += problems
        if record is None:
            continue
        key = importer.key(record)
        if key in keys:
            result.problems.append(Problem(number, importer.key_column, _("repeats row %(row)s.") % {"row": keys[key]}))
            continue
        keys[key] = number
        records.append((number, record))
    if result.problems:
        return result
    with transaction.atomic():
        for index, (number, record) in enumerate(records):
            if index % PROGRESS_EVERY == 0:
                report(len(rows) + index, total)
            try:
                with transaction.atomic():
                    outcome = importer.apply_row(number, record, acting_user)
            except RowProblems as exc:
                result.problems += exc.problems
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
        if result.problems or dry_run:
            transaction.set_rollback(True)
    if result.problems:
        result.created = result.updated = result.unchanged = 0
    report(total, total)
    return result


_email = EmailValidator()
_url = URLValidator(schemes=["http", "https"])


def check_email(value: str) -> str:
    if value:
        _email(value)
    return value


def check_url(value: str) -> str:
    if value:
        _url(value)
    return value


# ---------------------------------------------------------------- organisations


class OrganisationImporter:
    """`bin,name_kk,name_ru,name_en,legal_form,region,registered_on,status,fields,address,phone,email,website`

    Keyed by BIN. An official import may change identity fields; every change is recorded (source: import).
    """

    kind = "organisations"
    key_column = "bin"
    columns = [
        "bin",
        "name_kk",
        "name_ru",
        "name_en",
        "legal_form",
        "region",
        "registered_on",
        "status",
        "fields",
        "address",
        "phone",
        "email",
        "website",
    ]
    STATUS_EVENTS = {
        "active": "found_active",
        "inactive": "found_inactive",
        "liquidated": "liquidated",
        "reorganised": "reorganised",
    }
    FIELD_COLUMNS = {
        "bin": "bin",
        "name_kk": "name_kk",
        "name_ru": "name_ru",
        "name_en": "name_en",
        "legal_form": "legal_form",
        "region": "region",
        "registered_on": "registered_on",
        "address": "address",
        "phone": "phone",
        "email": "email",
        "website": "website",
        "territorial_level": "legal_form",
        "occurred_on": "status",
        "kind": "status",
    }

    def __init__(self):
        from registry.selectors import reference_data

        self.reference = reference_data()

    def key(self, record: dict) -> str:
        return record["bin"]

    def parse_row(self, row: int, values: dict[str, str]):
        from registry.bin import bin_problem

        problems: list[Problem] = []

        def problem(column: str, message) -> None:
            problems.append(Problem(row, column, str(message)))

        record: dict = {"bin": values["bin"]}
        if not values["bin"]:
            problem("bin", _("a BIN is required: imports match organisations by BIN."))
        elif (error := bin_problem(values["bin"])) is not None:
            problem("bin", error.message % (error.params or {}))
        for name in ("name_kk", "name_ru", "name_en", "address", "phone"):
            record[name] = values[name]
        if not (values["name_kk"] or values["name_ru"] or values["name_en"]):
            problem("name_ru", _("give the name in at least one language."))
        record["legal_form"] = self.reference.legal_forms.get(values["legal_form"])
        if record["legal_form"] is None:
            problem(
                "legal_form",
                _("“%(code)s” is not a legal form code (docs/imports.md lists them).") % {"code": values["legal_form"]},
            )
        record["region"] = self.reference.regions.get(values["region"]) if values["region"] else None
        if values["region"] and record["region"] is None:
            problem("region", _("“%(code)s” is not a region code such as KZ-71.") % {"code": values["region"]})
        try:
            record["registered_on"] = parse_date(values["registered_on"])
        except ValueError as exc:
            problem("registered_on", exc)
        status = values["status"].strip().lower() or "active"
        if status == "suspended":
            problem("status", _("a suspension needs its dates and court decision: a moderator records it."))
        elif status not in self.STATUS_EVENTS:
            problem(
                "status",
                _("“%(value)s” is not one of active, inactive, liquidated, reorganised.") % {"value": values["status"]},
            )
        record["status"] = status
        codes = [c.strip() for c in values["fields"].split(";") if c.strip()]
        unknown = [c for c in codes if c not in self.reference.fields]
        if unknown:
            problem("fields", _("unknown field codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        record["fields"] = [self.reference.fields[c] for c in codes if c in self.reference.fields]
        for name, check in (("email", check_email), ("website", check_url)):
            try:
                record[name] = check(values[name])
            except ValidationError:
                problem(name, _("“%(value)s” is not a valid %(what)s.") % {"value": values[name], "what": name})
        return (None if problems else record), problems

    def apply_row(self, row: int, record: dict, acting_user) -> str:
        from registry import services
        from registry.models import ChangeRecord, Organisation

        existing = Organisation.objects.filter(bin=record["bin"]).first()
        status = record.pop("status")
        fields = record.pop("fields")
        try:
            if existing is None:
                organisation = services.organisation_create(**record, fields=fields, legal_basis="Official import")
                if status != "active" and record["registered_on"]:
                    services.organisation_status_record(
                        organisation=organisation,
                        kind=self.STATUS_EVENTS[status],
                        occurred_on=record["registered_on"],
                        legal_basis="Official import",
                    )
                return "created"
            values = {k: v for k, v in record.items() if k != "bin"}
            changes = services.organisation_profile_update(
                organisation=existing,
                acting_user=acting_user,
                expected_version=existing.version,
                source=ChangeRecord.Source.IMPORT,
                values=values,
                fields=fields,
            )
            if existing.status != status:
                services.organisation_status_record(
                    organisation=existing,
                    kind=self.STATUS_EVENTS[status],
                    occurred_on=timezone.localdate(),
                    legal_basis="Official import",
                )
                changes.append(status)
            return "updated" if changes else "unchanged"
        except ValidationError as exc:
            raise RowProblems(validation_problems(row, exc, self.FIELD_COLUMNS)) from exc


# ---------------------------------------------------------------- yearly reports


class ReportImporter:
    """The NGO-database report format (docs/imports.md), keyed by BIN and year; the organisation must exist."""

    kind = "reports"
    key_column = "year"

    @classproperty
    def columns(cls) -> list[str]:
        from registry.models import REPORT_ANSWER_FIELDS, REPORT_COUNT_FIELDS, REPORT_INCOME_FIELDS

        money = [*REPORT_INCOME_FIELDS, "expenses_total"]
        return ["bin", "year", "submitted_on", *money, *REPORT_COUNT_FIELDS, *REPORT_ANSWER_FIELDS, "decision_making"]

    def __init__(self):
        from registry.models import REPORT_ANSWER_FIELDS, REPORT_COUNT_FIELDS, REPORT_INCOME_FIELDS, YearlyReport

        self.money = [*REPORT_INCOME_FIELDS, "expenses_total"]
        self.counts = list(REPORT_COUNT_FIELDS)
        self.answers = list(REPORT_ANSWER_FIELDS)
        self.decisions = {value for value, _label in YearlyReport.DecisionMaking.choices}

    def key(self, record: dict) -> tuple[str, int]:
        return record["bin"], record["year"]

    def parse_row(self, row: int, values: dict[str, str]):
        problems: list[Problem] = []
        record: dict = {"bin": values["bin"], "values": {}}

        def read(column: str, parser):
            try:
                return parser(values[column])
            except ValueError as exc:
                problems.append(Problem(row, column, str(exc)))
                return None

        if not values["bin"]:
            problems.append(Problem(row, "bin", _("a BIN is required: reports are matched to organisations by BIN.")))
        record["year"] = read("year", parse_int)
        if record["year"] is None and not any(p.column == "year" for p in problems):
            problems.append(Problem(row, "year", _("the reporting year is required.")))
        record["submitted_on"] = read("submitted_on", parse_date)
        for name in self.money:
            record["values"][name] = read(name, parse_decimal)
        for name in self.counts:
            record["values"][name] = read(name, parse_int)
        for name in self.answers:
            record["values"][name] = read(name, parse_bool)
        decision = values["decision_making"].strip().lower()
        if decision and decision not in self.decisions:
            problems.append(
                Problem(
                    row,
                    "decision_making",
                    _("“%(value)s” is not one of %(choices)s.")
                    % {"value": values["decision_making"], "choices": ", ".join(sorted(self.decisions))},
                )
            )
        record["values"]["decision_making"] = decision
        return (None if problems else record), problems

    def apply_row(self, row: int, record: dict, acting_user) -> str:
        from registry import services
        from registry.models import ChangeRecord, Organisation

        organisation = Organisation.objects.filter(bin=record["bin"]).first()
        if organisation is None:
            raise RowProblems([Problem(row, "bin", _("no organisation has this BIN; import the organisations first."))])
        existing = organisation.reports.filter(year=record["year"]).first()
        if existing and all(getattr(existing, k) == v for k, v in record["values"].items()):
            return "unchanged"
        try:
            services.report_submit(
                organisation=organisation,
                year=record["year"],
                acting_user=acting_user,
                values=record["values"],
                submitted_on=record["submitted_on"],
                source=ChangeRecord.Source.IMPORT,
            )
        except ValidationError as exc:
            raise RowProblems(validation_problems(row, exc, {name: name for name in self.columns})) from exc
        return "updated" if existing else "created"


register_import_kind(
    _moderator_kind("organisations", gettext_lazy("Organisations"), "registry.imports.OrganisationImporter")
)
register_import_kind(_moderator_kind("reports", gettext_lazy("Yearly reports"), "registry.imports.ReportImporter"))
