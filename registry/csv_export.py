"""Streaming CSV: rows go out as they are read, so a download of the whole registry never builds in memory."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse
from django.utils import timezone

BOM = "\ufeff"  # Excel, which most of our readers open CSV in, needs it to read UTF-8 Cyrillic


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow(["" if value is None else value for value in row])


def csv_response(stem: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> StreamingHttpResponse:
    """A download named `<stem>-<local date and time>.csv`, so saved copies say when they were taken."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(csv_stream(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.csv"'
    return response


ORGANISATION_COLUMNS = [
    "org_id",
    "bin",
    "name_kk",
    "name_ru",
    "name_en",
    "legal_form",
    "legal_form_label",
    "ngo_eligible",
    "region",
    "region_label",
    "territorial_level",
    "territorial_level_label",
    "status",
    "status_label",
    "registered_on",
    "fields",
    "fields_labels",
    "phone",
    "email",
    "website",
    "parent_org_id",
    "url",
]
CSV_CHUNK = 2000


def organisation_csv(queryset, base_url: str):
    """(header, rows) for organisations: the directory's download and the full export share them."""
    base_url = base_url.rstrip("/")

    def rows():
        for org in queryset.select_related("parent").iterator(chunk_size=CSV_CHUNK):
            fields = list(org.fields.all())
            yield [
                org.org_id,
                org.bin,
                org.name_kk,
                org.name_ru,
                org.name_en,
                org.legal_form_id,
                org.legal_form.name,
                "yes" if org.legal_form.ngo_eligible else "no",
                org.region_id,
                org.region.name if org.region else "",
                org.territorial_level,
                org.get_territorial_level_display() if org.territorial_level else "",
                org.status,
                org.get_status_display(),
                org.registered_on,
                ";".join(f.code for f in fields),
                "; ".join(f.name for f in fields),
                org.phone,
                org.email,
                org.website,
                org.parent.org_id if org.parent else "",
                base_url + org.get_absolute_url(),
            ]

    return ORGANISATION_COLUMNS, rows()


def report_csv():
    """(header, rows) for every filed yearly report: the import format's columns (so a file round-trips),
    plus the organisation's org-id and whether it was filed on time."""
    from registry.imports import ReportImporter
    from registry.models import YearlyReport

    columns = ReportImporter.columns
    header = ["org_id", *columns, "on_time"]

    def cell(value):
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return value

    def rows():
        reports = YearlyReport.objects.select_related("organisation").order_by("organisation_id", "year")
        for report in reports.iterator(chunk_size=CSV_CHUNK):
            values = [report.organisation.org_id, report.organisation.bin]
            values += [cell(getattr(report, name)) for name in columns[1:]]
            yield [*values, "yes" if report.on_time else "no"]

    return header, rows()
