"""Exact, streamed JSON packages: Decimal amounts as number literals (never through float), one record at a time."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.utils import timezone

_DECIMAL = "\x00decimal:"
_DECIMAL_TEXT = re.compile(r'"\\u0000decimal:(-?[0-9]+(?:\.[0-9]+)?)"')


def _default(value):
    if isinstance(value, Decimal):
        return f"{_DECIMAL}{value}"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_text(value) -> str:
    """JSON with Decimal amounts as exact number literals (json would need float, which rounds)."""
    return _DECIMAL_TEXT.sub(r"\1", json.dumps(value, ensure_ascii=False, default=_default))


def write_json_package(stream: IO[str], head: dict, key: str, records) -> int:
    """`head` with `key` as an array of `records`, written one record at a time."""
    opening = json_text({**head, key: []})
    assert opening.endswith("[]}")  # noqa: S101 - the array is written last, in place of the empty one
    stream.write(opening[:-2])
    count = 0
    for record in records:
        stream.write(",\n" if count else "\n")
        stream.write(json_text(record))
        count += 1
    stream.write("\n]}\n")
    return count


def site_url(path: str = "/") -> str:
    """An absolute URL on the site (downloads are built without a request)."""
    return settings.QOGAM_SITE_URL.rstrip("/") + path


def local_timestamp(value: datetime.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def without_empty(record: dict) -> dict:
    return {key: value for key, value in record.items() if value not in (None, "", [], {})}
