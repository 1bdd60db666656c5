"""The one CSV writer: every CSV the site produces, streamed to a browser or written to a file, goes through it.

Rows go out as they are read, so a download of the whole registry never builds in memory. Every file starts
with a UTF-8 byte-order mark, so that Excel, which most of our readers open CSV in, shows Cyrillic correctly.

Text that a spreadsheet would run as a formula is neutralised (OWASP's rule for CSV injection): a cell that
starts with "=", "@", a tab or a carriage return, or with "+" or "-" followed by anything but a plain number or
phone number, gets a leading apostrophe, which spreadsheets show as text and a program sees as one more
character. Numbers, dates, phone numbers and every other plain value are written as they are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

from django.http import StreamingHttpResponse
from django.utils import timezone

BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"

Row = Sequence[object]


FORMULA_STARTS = ("=", "@", "\t", "\r")
SIGNED_STARTS = ("+", "-")
# What "+" or "-" may start without being a formula: a signed number or a phone number, e.g. -12.5, +7 (701) 123-45-67
PLAIN_SIGNED = re.compile(r"[+-][0-9][0-9 ()\-.,]*")


def csv_cell(value: object) -> object:
    """A value as the file holds it: None as empty, text that could run as a formula neutralised."""
    if value is None:
        return ""
    if isinstance(value, str) and _formula(value):
        return "'" + value
    return value


def _formula(text: str) -> bool:
    if text.startswith(FORMULA_STARTS):
        return True
    return text.startswith(SIGNED_STARTS) and not PLAIN_SIGNED.fullmatch(text)


def _cells(row: Row) -> list[object]:
    return [csv_cell(value) for value in row]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Row]) -> Iterator[str]:
    """The file as text, one line at a time: the BOM and the header first."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow(_cells(row))


def csv_response(stem: str, header: Sequence[str], rows: Iterable[Row]) -> StreamingHttpResponse:
    """A download named `<stem>-<local date and time>.csv`, so saved copies say when they were taken."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(csv_lines(header, rows), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem}-{stamp}.csv"'
    return response


def csv_write(stream: IO[str], header: Sequence[str], rows: Iterable[Row]) -> int:
    """Write the whole file to `stream`; returns the number of rows below the header."""
    count = -1
    for count, line in enumerate(csv_lines(header, rows)):  # noqa: B007 - the last index is the row count
        stream.write(line)
    return count
