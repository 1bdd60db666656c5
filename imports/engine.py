"""The import engine: read a CSV or XLSX file, check every row, then apply all rows or none.

Each app keeps its own importers (`registry/importers.py`, `funding/importers.py`) and names them in its
AppConfig (`importers = [...]`); `imports.apps` registers them here at start-up, so no app below this one
imports the engine. An importer is a plain class:

- `kind`, `label`: the format's code and its name on the page;
- `columns`: {column: cell type} in file order, a cell type being one of `CELL_TYPES` (the engine reads every
  cell into its type and reports a cell it can not read at its row and column);
- `key_column` and `key(record)`: rows are matched by their key, so a repeated key is a problem;
- `field_columns`: {model field: column}, to put a model rule's message under the column that holds it;
- `options`: the values it is built with (awards: the administrator's code), `__init__(**options)`;
- `parse_row(values) -> record` and `apply_row(record, acting_user) -> "created" | "updated" | "unchanged"`,
  each raising django's `ValidationError` keyed by column (or by model field) for a row's problems;
- `allowed(user, options)`, `visible_jobs(user) -> Q | None` and `option_choices(user)`: who may run it;
- `example`: one example row for the template file.

A run parses every row, then applies them inside one transaction with a savepoint per row, so the model rules
of every row are checked and reported in one go; any problem (or a dry run) rolls everything back. Importing
the same file again changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_ROWS = 100_000
MAX_DIGITS = 16  # before the decimal point: more is a typing error, not a tenge amount
TRUE = {"yes", "true", "1", "да", "иә"}
FALSE = {"no", "false", "0", "нет", "жоқ"}
PROGRESS_EVERY = 200
OUTCOMES = ("created", "updated", "unchanged")


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


# ---------------------------------------------------------------- the formats the site knows


@dataclass(frozen=True)
class ImportKind:
    """A registered importer class, with what the imports page asks of it."""

    code: str
    importer: type

    @property
    def label(self) -> str:
        return str(self.importer.label)

    @property
    def options(self) -> tuple[str, ...]:
        return tuple(getattr(self.importer, "options", ()))

    def allowed(self, user, options: dict) -> bool:
        return set(options) == set(self.options) and bool(self.importer.allowed(user, options))

    def visible(self, user) -> Q | None:
        return self.importer.visible_jobs(user)

    def option_choices(self, user) -> dict[str, list[tuple[str, str]]]:
        method = getattr(self.importer, "option_choices", None)
        return method(user) if method else {}

    def build(self, options: dict):
        return self.importer(**options)


IMPORT_KINDS: dict[str, ImportKind] = {}


def import_kind_register(*, path: str) -> ImportKind:
    """Register the importer class at `path`; its cell types are checked now, so a typo fails at start-up."""
    importer = import_string(path)
    unknown = {kind for kind in importer.columns.values() if kind not in CELL_TYPES}
    if unknown:
        raise ImproperlyConfigured(f"{path}: unknown cell types {sorted(unknown)}; use one of {sorted(CELL_TYPES)}.")
    kind = ImportKind(importer.kind, importer)
    IMPORT_KINDS[kind.code] = kind
    return kind


def import_kinds_for(user) -> list[ImportKind]:
    """The formats this user may import at all (with some choice of options)."""
    return [kind for kind in IMPORT_KINDS.values() if kind.visible(user) is not None]


def import_allowed(user, kind: str, options: dict) -> bool:
    entry = IMPORT_KINDS.get(kind)
    return entry is not None and entry.allowed(user, options)


def visible_jobs_filter(user) -> Q | None:
    """Q over ImportJob for the jobs this user may see (None: no imports page for them at all)."""
    parts = [q for kind in IMPORT_KINDS.values() if (q := kind.visible(user)) is not None]
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


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


def parse_text(value: str) -> str:
    return value.strip()


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


CELL_TYPES: dict[str, Callable[[str], Any]] = {
    "text": parse_text,
    "date": parse_date,
    "money": parse_decimal,
    "count": parse_int,
    "yesno": parse_bool,
}


# ---------------------------------------------------------------- running an import


def check_header(header: list[str], columns: Iterable[str]) -> list[Problem]:
    expected = list(columns)
    problems = [Problem(1, name, _("this column is missing.")) for name in expected if name not in header]
    problems += [
        Problem(1, name or "?", _("this column is not part of the format (see the column help on the page)."))
        for name in header
        if name not in expected
    ]
    seen = set()
    for name in header:
        if name in seen:
            problems.append(Problem(1, name, _("this column appears twice.")))
        seen.add(name)
    return problems


def validation_problems(row: int | None, error: ValidationError, columns: dict[str, str]) -> list[Problem]:
    """A ValidationError as problems, each under the column that holds the field it names."""
    if not hasattr(error, "error_dict"):
        return [Problem(row, None, message) for message in error.messages]
    return [
        Problem(row, columns.get(name, name if name != "__all__" else None), message)
        for name, errors in error.error_dict.items()
        for message in ValidationError(errors).messages
    ]


def _typed_cells(importer, number: int, values: dict[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    typed: dict[str, Any] = {}
    problems = []
    for column, kind in importer.columns.items():
        try:
            typed[column] = CELL_TYPES[kind](values.get(column, ""))
        except ValueError as exc:
            problems.append(Problem(number, column, str(exc)))
            typed[column] = None
    return typed, problems


def _parse(importer, number: int, values: dict[str, str]) -> tuple[dict | None, list[Problem]]:
    typed, problems = _typed_cells(importer, number, values)
    try:
        record = importer.parse_row(typed)
    except ValidationError as exc:
        unread = {p.column for p in problems}  # a cell that could not be read is not also "required"
        problems += [p for p in validation_problems(number, exc, importer.field_columns) if p.column not in unread]
        return None, problems
    return (None if problems else record), problems


def run_import(
    importer, data: bytes, filename: str, *, acting_user, dry_run: bool = False, progress=None
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
        if len(cells) > len(header) and any(cells[len(header) :]):
            result.problems.append(Problem(number, None, _("this row has more cells than the header.")))
            continue
        record, problems = _parse(importer, number, dict(zip(header, cells, strict=False)))
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
                    outcome = importer.apply_row(record, acting_user)
            except ValidationError as exc:
                result.problems += validation_problems(number, exc, importer.field_columns)
                continue
            if outcome not in OUTCOMES:
                raise ImproperlyConfigured(f"{type(importer).__name__}.apply_row returned {outcome!r}")
            setattr(result, outcome, getattr(result, outcome) + 1)
        if result.problems or dry_run:
            transaction.set_rollback(True)
    if result.problems:
        result.created = result.updated = result.unchanged = 0
    report(total, total)
    return result
