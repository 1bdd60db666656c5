"""Full downloads (/exports/): each format streamed to a temporary file and renamed into place.

Apps register their formats (the registry: organisations and yearly reports as CSV; funding: awards CSV,
360Giving and OCDS). A regeneration writes each file next to the old one under a temporary name and
`os.replace`s it, so a download in progress keeps reading the old file and no one ever sees half a file.
Rows are read with `.iterator()` in chunks and written as they come: memory does not grow with the data.
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from registry.csv_export import BOM


@dataclass(frozen=True)
class ExportKind:
    code: str
    label: str
    filename: str
    content_type: str
    write: Callable[[IO[str]], int]  # writes the whole file as text; returns the number of rows (records)
    description: str = ""


EXPORT_KINDS: dict[str, ExportKind] = {}


def register_export_kind(kind: ExportKind) -> None:
    EXPORT_KINDS[kind.code] = kind


def exports_root() -> Path:
    return Path(settings.EXPORTS_ROOT)


def write_atomically(path: Path, write: Callable[[IO[str]], int]) -> int:
    """Write through a temporary file in the same directory, then rename over `path` (atomic on POSIX)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            rows = write(stream)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return rows


def export_regenerate(code: str):
    """Regenerate one download and record its time, size and row count. Returns the ExportFile."""
    from registry.models import ExportFile

    kind = EXPORT_KINDS[code]
    started = time.monotonic()
    path = exports_root() / kind.filename
    rows = write_atomically(path, kind.write)
    record, _created = ExportFile.objects.update_or_create(
        kind=code,
        defaults={
            "filename": kind.filename,
            "generated_at": timezone.now(),
            "size": path.stat().st_size,
            "rows": rows,
            "seconds": round(time.monotonic() - started, 3),
        },
    )
    return record


def write_csv(stream: IO[str], header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    writer = csv.writer(stream)
    stream.write(BOM)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
        count += 1
    return count


def _organisations(stream: IO[str]) -> int:
    from registry.csv_export import organisation_csv
    from registry.selectors import directory_base, organisation_rows

    header, rows = organisation_csv(organisation_rows(directory_base()).order_by("id"), settings.QOGAM_SITE_URL)
    return write_csv(stream, header, rows)


def _reports(stream: IO[str]) -> int:
    from registry.csv_export import report_csv

    header, rows = report_csv()
    return write_csv(stream, header, rows)


register_export_kind(
    ExportKind(
        "organisations",
        gettext_lazy("Organisations (CSV)"),
        "qogam-organisations.csv",
        "text/csv; charset=utf-8",
        _organisations,
        gettext_lazy("Every organisation in the registry (merged duplicates excluded), codes with labels."),
    )
)
register_export_kind(
    ExportKind(
        "reports",
        gettext_lazy("Yearly reports (CSV)"),
        "qogam-yearly-reports.csv",
        "text/csv; charset=utf-8",
        _reports,
        gettext_lazy("Every filed yearly report's public figures and answers, in the import format's columns."),
    )
)
