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
- `example`: one example row for the template file;
- the column help (`/imports/help/<kind>/`), read from the same `columns`: `model` and `column_sources`
  ({column: model field} where they differ) give each column's label (the field's verbose name), `labels` the
  few columns no model field holds, `notes` a sentence on a column, `required` the columns a row must fill and
  `column_values(column) -> [(code, label)]` the values a column takes;
- `row_changes(record) -> (title, changes)`: what applying the row will change, `changes` being None for a
  new record or [(column, old, new)] for an existing one (values as Python objects: a region, a date, a bool);
  called just before `apply_row`, in the same savepoint, so a dry run lists what each row will change.

A run parses every row, then applies them inside one transaction with a savepoint per row, so the model rules
of every row are checked and reported in one go; any problem (or a dry run) rolls everything back. Importing
the same file again changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import load_workbook

from registry.models.limits import COUNT_MAX, SMALL_MAX, YEARS  # the same on SQLite and PostgreSQL

log = logging.getLogger("qogam")

MAX_ROWS = 100_000
IMPORT_MAX_BYTES = 20 * 1024 * 1024  # per file, unless a format says otherwise (`max_bytes`)
MAX_DIGITS = 16  # before the decimal point: more is a typing error, not a tenge amount
TRUE = {"yes", "true", "1", "да", "иә"}
FALSE = {"no", "false", "0", "нет", "жоқ"}
PROGRESS_EVERY = 200
OUTCOMES = ("created", "updated", "unchanged")
MAX_CHANGED_ROWS = 5000  # rows whose changes a run keeps to show (a bounded JSON field); the counts cover all


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
    preview: dict = field(default_factory=dict)  # the header and first rows as read (table_preview)
    # [row, title, None (a new record) or [[column, old, new], …]] for the rows that create or change something,
    # the first MAX_CHANGED_ROWS, values in words (`human`) in the language the run was made in
    changes: list = field(default_factory=list)

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


def import_max_bytes(importer) -> int:
    """The largest file a format takes: its `max_bytes`, or IMPORT_MAX_BYTES."""
    return getattr(importer, "max_bytes", IMPORT_MAX_BYTES)


def size_problem(size: int, limit: int) -> str:
    return _("the file is %(size)s MB; this format takes files of up to %(limit)s MB: split it.") % {
        "size": f"{size / 2**20:.1f}",
        "limit": f"{limit / 2**20:.0f}",
    }


# ---------------------------------------------------------------- the formats the site knows


@dataclass(frozen=True)
class ImportKind:
    """A registered importer class, with what the imports page asks of it."""

    code: str
    importer: Any  # an importer class: the engine asks it for the attributes listed in this module's docstring

    @property
    def label(self) -> str:
        return str(self.importer.label)

    @property
    def max_bytes(self) -> int:
        return import_max_bytes(self.importer)

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
    """Register the importer class at `path`; its cell types, example row and column labels are checked now, so
    a typo fails at start-up."""
    importer = import_string(path)
    unknown = {kind for kind in importer.columns.values() if kind not in CELL_TYPES}
    if unknown:
        raise ImproperlyConfigured(f"{path}: unknown cell types {sorted(unknown)}; use one of {sorted(CELL_TYPES)}.")
    if len(importer.example) != len(importer.columns):
        raise ImproperlyConfigured(
            f"{path}: the example row has {len(importer.example)} cells for {len(importer.columns)} columns."
        )
    for column in importer.columns:
        column_label(importer, column)  # a column with no label (no model field, none of its own) fails now
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

ENCODINGS = ("auto", "windows-1251")  # auto: UTF-8 with or without a BOM, or UTF-16 with one
DELIMITERS = (",", ";", "\t")  # Excel's CSV, its CSV in locales with a decimal comma, its "Unicode text"
MAX_COLUMNS = 64  # cells read per XLSX row: any format is far narrower; more is not a table we know
XLSX_MAX_UNPACKED = 256 * 1024 * 1024  # the workbook's parts, unzipped: a small file may not unpack to gigabytes
PREVIEW_ROWS = 5


class FileProblem(ValueError):
    """A file that can not be read as a table, with where it went wrong when that is known."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.problem = Problem(row, column, message)


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # the non-blank rows, each with its row number in the file (header: 1)
    width_checked: bool  # CSV: a row with more or fewer cells than the header is a problem (XLSX: only extra)


def read_table(data: bytes, filename: str, *, encoding: str = "auto") -> Table:
    """The header and the non-blank rows of a CSV or XLSX file, or FileProblem."""
    if filename.lower().endswith(".xlsx"):
        return _read_xlsx(data)
    text = decode_text(data, encoding)
    if "\x00" in text:
        raise FileProblem(_("the file contains NUL bytes: it is not a CSV text file."))
    first = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    lines: list[list[str]] = []
    try:
        for line in reader:
            lines.append(line)
            if len(lines) > 2 * MAX_ROWS + 1:
                break
    except csv.Error as exc:
        raise FileProblem(
            _(
                "the row could not be read (%(error)s): a value holding a quote must be in double quotes, with each of "
                "its quotes doubled."
            )
            % {"error": exc},
            row=reader.line_num,
        ) from exc
    return _split(lines, width_checked=True)


def decode_text(data: bytes, encoding: str) -> str:
    """The file's text: UTF-8 (with or without a BOM) or UTF-16 with a BOM, as Excel saves "CSV UTF-8" and
    "Unicode text"; Windows-1251 only when the person chose it. Anything else is refused at its row and byte,
    never guessed: one stray byte read as Windows-1251 garbles every name in the file."""
    if encoding == "windows-1251":
        codec, body = "cp1251", data
    elif data.startswith(codecs.BOM_UTF8):
        codec, body = "utf-8", data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec, body = "utf-16", data
    else:
        codec, body = "utf-8", data
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        raise _undecodable(body, exc, chosen=encoding == "windows-1251") from exc


def _undecodable(body: bytes, exc: UnicodeDecodeError, *, chosen: bool) -> FileProblem:
    """Where the first byte that is not text in the encoding sits: its row, its column (from the header and the
    delimiters before it on its row) and its place in the row."""
    start = body.rfind(b"\n", 0, exc.start) + 1
    row = body.count(b"\n", 0, exc.start) + 1
    header = body[: body.find(b"\n")].decode("utf-8", errors="replace").strip()
    delimiter = max(DELIMITERS, key=header.count)
    names = [name.strip().strip('"').lower() for name in header.split(delimiter)]
    before = body[start : exc.start].decode("utf-8", errors="replace")
    index = before.count(delimiter)
    column = names[index] if index < len(names) else None
    params = {"byte": exc.start - start + 1, "value": f"0x{body[exc.start]:02X}"}
    if chosen:
        message = _("byte %(byte)s of this row (%(value)s) is not a Windows-1251 character: is the file UTF-8?")
    else:
        message = _(
            "byte %(byte)s of this row (%(value)s) is not UTF-8 text. Save the file as “CSV UTF-8” in Excel; if it "
            "was saved in Windows-1251 (older Excel in Russian), choose that encoding and check the names in the "
            "dry run."
        )
    return FileProblem(message % params, row=row, column=column)


def _read_xlsx(data: bytes) -> Table:
    """The first sheet, read as a stream (openpyxl's read-only mode) and bounded: the size the sheet claims is
    ignored (a 5 KB file may claim A1:XFD1048576), rows stop past the row limit, cells past MAX_COLUMNS."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileProblem(_("the file is not a readable XLSX workbook.")) from exc
    if unpacked > XLSX_MAX_UNPACKED:
        raise FileProblem(
            _("the workbook unpacks to more than %(mb)s MB; save its first sheet as CSV UTF-8.")
            % {"mb": XLSX_MAX_UNPACKED // 2**20}
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        lines = []
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            lines.append(["" if cell is None else _cell_text(cell) for cell in row])
            if len(lines) > 2 * MAX_ROWS + 1:
                break
        workbook.close()
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileProblem(_("the file is not a readable XLSX workbook.")) from exc
    return _split(lines, width_checked=False)


def _cell_text(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _split(lines: list[list[str]], *, width_checked: bool) -> Table:
    numbered = [(n, [c.strip() for c in line]) for n, line in enumerate(lines, start=1)]
    numbered = [(n, line) for n, line in numbered if any(line)]
    if not numbered:
        raise FileProblem(_("the file is empty."))
    (_first_line, header), rows = numbered[0], numbered[1:]
    if len(rows) > MAX_ROWS:
        raise FileProblem(_("the file has more than %(max)s rows; split it into smaller files.") % {"max": MAX_ROWS})
    while header and not header[-1]:
        header.pop()  # XLSX rows are as wide as the widest row: the header's empty cells at the end are not columns
    return Table([h.lower() for h in header], rows, width_checked)


def row_shape_problem(table: Table, number: int, cells: list[str]) -> Problem | None:
    """A row that does not line up with the header: in a CSV, a cell missing (a row cut short) or one too many
    (an unquoted comma shifts every value after it, so the street lands in "phone"); in either, a value beyond
    the last column."""
    width = len(table.header)
    if table.width_checked and len(cells) < width:
        return Problem(
            number,
            table.header[len(cells)],
            _(
                "this row has %(n)s cells and the header %(width)s: the row ends before this column. Leave a cell "
                "empty rather than out, so that no value moves to another column."
            )
            % {"n": len(cells), "width": width},
        )
    extra = cells[width:]
    if (table.width_checked and extra) or any(extra):
        return Problem(
            number,
            table.header[-1],
            _(
                "this row has %(n)s cells and the header %(width)s: there is a value after the last column. A value "
                "holding the delimiter (“%(example)s”) must be in double quotes, as Excel writes it."
            )
            % {"n": len(cells), "width": width, "example": "Астана, ул. Абая 1"},
        )
    return None


def table_preview(table: Table) -> dict:
    """The header and the first rows, as read: the dry run shows them so that a wrong encoding shows at once."""
    return {
        "header": table.header,
        "rows": [
            [number, [cell[:80] for cell in cells[: len(table.header)]]] for number, cells in table.rows[:PREVIEW_ROWS]
        ],
    }


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


def parse_int(value: str, *, largest: int = COUNT_MAX) -> int | None:
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value() or number < 0:
        raise ValueError(_("“%(value)s” is not a whole number of zero or more.") % {"value": value})
    if number > largest:
        raise ValueError(
            _("“%(value)s” is more than %(max)s, the largest this column holds.") % {"value": value, "max": largest}
        )
    return int(number)


def parse_small(value: str) -> int | None:
    return parse_int(value, largest=SMALL_MAX)


def parse_year(value: str) -> int | None:
    year = parse_int(value)
    if year is not None and not YEARS[0] <= year <= YEARS[1]:
        raise ValueError(
            _("“%(value)s” is not a year from %(first)s to %(last)s.")
            % {"value": value, "first": YEARS[0], "last": YEARS[1]}
        )
    return year


CELL_TYPES: dict[str, Callable[[str], Any]] = {
    "text": parse_text,
    "date": parse_date,
    "money": parse_decimal,
    "count": parse_int,  # 0 to 2,147,483,647
    "small": parse_small,  # 0 to 32,767 (a lot number)
    "year": parse_year,
    "yesno": parse_bool,
}


# ---------------------------------------------------------------- the column help and the dry run's changes

CELL_FORMATS = {
    "text": gettext_lazy("text"),
    "date": gettext_lazy("a date: 2021-03-31 or 31.03.2021"),
    "money": gettext_lazy("an amount in tenge: 1 250 000 or 1250000,50, at most two decimals"),
    "count": gettext_lazy("a whole number of zero or more"),
    "small": gettext_lazy("a whole number of zero or more"),
    "year": gettext_lazy("a year, such as 2024"),
    "yesno": gettext_lazy("yes or no (also true/false, 1/0, да/нет, иә/жоқ); blank when unknown"),
}


@dataclass(frozen=True)
class ColumnHelp:
    """One column of a format, as the help page lists it."""

    name: str  # as in the file's header
    label: str
    required: bool
    format: str
    note: str
    values: list[tuple[str, str]]  # (code, label): the values the column takes, when it takes a fixed set
    example: str


def column_label(importer, column: str) -> str:
    """The column's name in words: the verbose name of the model field that holds it, or the importer's own."""
    labels = getattr(importer, "labels", {})
    if column in labels:
        return str(labels[column])
    name = getattr(importer, "column_sources", {}).get(column, column)
    return str(importer.model._meta.get_field(name).verbose_name)


def column_help(importer) -> list[ColumnHelp]:
    """Every column of a format in file order, from the importer's own definitions (one home: the engine
    reads the same `columns`)."""
    examples = dict(zip(importer.columns, importer.example, strict=True))
    values_of: Callable[[str], list[tuple[str, Any]]] = getattr(importer, "column_values", lambda column: [])
    required = set(getattr(importer, "required", ()))
    notes = getattr(importer, "notes", {})
    return [
        ColumnHelp(
            name=name,
            label=column_label(importer, name),
            required=name in required,
            format=str(CELL_FORMATS[kind]),
            note=str(notes.get(name, "")),
            values=[(code, str(label)) for code, label in values_of(name)],
            example=examples[name],
        )
        for name, kind in importer.columns.items()
    ]


def human(value) -> str:
    """A value as a person reads it, in the current language: names of regions and legal forms, yes/no, a
    formatted amount or date; blank as an empty string."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return pgettext("a yes/no answer", "yes") if value else pgettext("a yes/no answer", "no")
    if isinstance(value, Decimal):  # an amount: always with its two decimals, as the registry holds it
        return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    if isinstance(value, int):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, list | tuple | set):
        return "; ".join(sorted(human(item) for item in value))
    return str(value)


def _row_changes(importer, number: int, record) -> list | None:
    """[row, title, None or [[column, old, new], …]] for a row that creates or changes something, else None."""
    describe = getattr(importer, "row_changes", None)
    if describe is None:
        return None
    title, changes = describe(record)
    if changes is None:
        return [number, str(title), None]
    if not changes:
        return None
    return [number, str(title), [[column, human(old), human(new)] for column, old, new in changes]]


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


def validation_problems(row: int | None, error: ValidationError, importer) -> list[Problem]:
    """A ValidationError as problems, each under the file's column that holds the field it names (through the
    importer's `field_columns`). A name that is not a column of the file is never shown: its problem goes under
    the row's key column, the one the person finds the row by."""
    if not hasattr(error, "error_dict"):
        return [Problem(row, importer.key_column, message) for message in error.messages]
    problems = []
    for name, errors in error.error_dict.items():
        column = importer.field_columns.get(name, name)
        if column not in importer.columns:
            log.warning(
                "%s: no column for field %r; its problem is shown under %r", importer.kind, name, importer.key_column
            )
            column = importer.key_column
        problems += [Problem(row, column, message) for message in ValidationError(errors).messages]
    return problems


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
        problems += [p for p in validation_problems(number, exc, importer) if p.column not in unread]
        return None, problems
    return (None if problems else record), problems


def run_import(
    importer,
    data: bytes,
    filename: str,
    *,
    acting_user,
    dry_run: bool = False,
    progress=None,
    encoding: str = "auto",
) -> ImportResult:
    """`progress(done, total)` is called as rows are checked and again as they are applied (2 passes)."""
    result = ImportResult(kind=importer.kind, dry_run=dry_run)
    report = progress or (lambda done, total: None)
    limit = import_max_bytes(importer)
    if len(data) > limit:
        result.problems.append(Problem(None, None, str(size_problem(len(data), limit))))
        return result
    try:
        table = read_table(data, filename, encoding=encoding)
    except FileProblem as exc:
        result.problems.append(exc.problem)
        return result
    header, rows = table.header, table.rows
    result.rows = len(rows)
    result.preview = table_preview(table)
    result.problems = check_header(header, importer.columns)
    if result.problems:
        return result
    records = []
    keys: dict[object, int] = {}
    total = 2 * len(rows)
    for index, (number, cells) in enumerate(rows):
        if index % PROGRESS_EVERY == 0:
            report(index, total)
        if shape := row_shape_problem(table, number, cells):
            result.problems.append(shape)
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
                    change = _row_changes(importer, number, record) if not result.problems else None
                    outcome = importer.apply_row(record, acting_user)
            except ValidationError as exc:
                result.problems += validation_problems(number, exc, importer)
                continue
            if outcome not in OUTCOMES:
                raise ImproperlyConfigured(f"{type(importer).__name__}.apply_row returned {outcome!r}")
            setattr(result, outcome, getattr(result, outcome) + 1)
            if change is not None and len(result.changes) < MAX_CHANGED_ROWS:
                result.changes.append(change)
        if result.problems or dry_run:
            transaction.set_rollback(True)
    if result.problems:
        result.created = result.updated = result.unchanged = 0
        result.changes = []
    report(total, total)
    return result
