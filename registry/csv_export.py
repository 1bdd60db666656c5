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
