"""Full downloads (/exports/): each format streamed to a temporary file and renamed into place.

A regeneration writes each file next to the old one under a temporary name and `os.replace`s it, so a
download in progress keeps reading the old file and no one ever sees half a file. Rows are read with
`.iterator()` in chunks and written as they come: memory does not grow with the data.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from funding.models import Award
from funding.selectors import award_table, role_table
from opendata.csv_writer import CONTENT_TYPE, csv_write
from opendata.models import ExportFile
from opendata.ocds import write_ocds, write_ocds_records
from opendata.threesixtygiving import write_360giving
from registry.selectors import directory_base, organisation_rows, organisation_table, report_table


@dataclass(frozen=True)
class ExportKind:
    code: str
    label: str | Promise
    filename: str
    content_type: str
    write: Callable[[IO[str]], int]  # writes the whole file as text; returns the number of rows (records)
    description: str | Promise = ""


def _organisations(stream: IO[str]) -> int:
    queryset = organisation_rows(directory_base()).order_by("id")
    return csv_write(stream, *organisation_table(queryset, settings.QOGAM_SITE_URL))


def _reports(stream: IO[str]) -> int:
    return csv_write(stream, *report_table())


def _awards(stream: IO[str]) -> int:
    return csv_write(stream, *award_table(Award.objects.all(), settings.QOGAM_SITE_URL))


def _roles(stream: IO[str]) -> int:
    return csv_write(stream, *role_table(settings.QOGAM_SITE_URL))


EXPORT_KINDS: dict[str, ExportKind] = {
    kind.code: kind
    for kind in (
        ExportKind(
            "organisations",
            _("Organisations (CSV)"),
            "qogam-organisations.csv",
            CONTENT_TYPE,
            _organisations,
            _("Every organisation in the registry (merged duplicates excluded), codes with labels."),
        ),
        ExportKind(
            "reports",
            _("Yearly reports (CSV)"),
            "qogam-yearly-reports.csv",
            CONTENT_TYPE,
            _reports,
            _("Every filed yearly report's public figures and answers, in the import format's columns."),
        ),
        ExportKind(
            "awards",
            _("Awards (CSV)"),
            "qogam-awards.csv",
            CONTENT_TYPE,
            _awards,
            _("Every award of every mechanism, amounts in KZT, codes with labels."),
        ),
        ExportKind(
            "roles",
            _("People in public roles (CSV)"),
            "qogam-roles.csv",
            CONTENT_TYPE,
            _roles,
            _(
                "Every head, founder and board member of an organisation, official of an administrator and member "
                "of a competition commission, with dates and sources; no personal identification numbers."
            ),
        ),
        ExportKind(
            "360giving",
            _("360Giving (JSON)"),
            "qogam-360giving.json",
            "application/json",
            write_360giving,
            _("State social order, state grants and NGO awards as 360Giving 1.4 grants, with disbursements."),
        ),
        ExportKind(
            "ocds",
            _("OCDS 1.1 (JSON)"),
            "qogam-ocds.json",
            "application/json",
            write_ocds,
            _(
                "State social order as OCDS 1.1 releases: one contracting process per competition and per award "
                "made outside a competition; tender, lots, awards, contracts with their amendments, and payments."
            ),
        ),
        ExportKind(
            "ocds-records",
            _("OCDS 1.1 records (JSON)"),
            "qogam-ocds-records.json",
            "application/json",
            write_ocds_records,
            _(
                "The same contracting processes as OCDS 1.1 records: each one's releases, linked, and its compiled "
                "release (its current state)."
            ),
        ),
    )
}


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


def export_file_regenerate(*, kind: str) -> ExportFile:
    """Regenerate one download and record its time, size and row count. A change announced while it ran
    stays marked (its `stale_since` is later than the start), so the next run picks it up."""
    export = EXPORT_KINDS[kind]
    started, clock = timezone.now(), time.monotonic()
    path = exports_root() / export.filename
    rows = write_atomically(path, export.write)
    record, _created = ExportFile.objects.update_or_create(
        kind=kind,
        defaults={
            "filename": export.filename,
            "generated_at": timezone.now(),
            "size": path.stat().st_size,
            "rows": rows,
            "seconds": round(time.monotonic() - clock, 3),
        },
    )
    ExportFile.objects.filter(pk=record.pk, stale_since__lte=started).update(stale_since=None)
    record.refresh_from_db(fields=["stale_since"])
    return record


def export_files_mark_stale() -> int:
    """Data changed: every download generated before now misses it. Returns how many were newly marked."""
    return ExportFile.objects.filter(Q(stale_since__isnull=True)).update(stale_since=timezone.now())


def export_files_missing() -> list[str]:
    """The formats never generated here (or whose file has gone)."""
    recorded = set(ExportFile.objects.values_list("kind", flat=True))
    return [
        code
        for code, kind in EXPORT_KINDS.items()
        if code not in recorded or not (exports_root() / kind.filename).is_file()
    ]
