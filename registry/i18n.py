"""Per-language columns (name_kk, name_ru, name_en) and how to pick one for the active language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language

LANGUAGE_CODES = ("kk", "ru", "en")
# When a name is missing in the reader's language, show the one most readers of that language read next.
FALLBACKS = {"kk": ("kk", "ru", "en"), "ru": ("ru", "kk", "en"), "en": ("en", "ru", "kk")}


def active_language() -> str:
    code = (get_language() or "en").split("-")[0]
    return code if code in FALLBACKS else "en"


def localized(obj: object, field: str, language: str | None = None) -> str:
    for code in FALLBACKS[language or active_language()]:
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value
    return ""


def localized_row(row: Mapping[str, Any], prefix: str, language: str | None = None) -> str:
    """The same choice for a values() row: prefix "recipient__name" reads recipient__name_kk and so on."""
    return localized_reader(prefix, language)(row)


def localized_reader(prefix: str, language: str | None = None):
    """localized_row() for many rows: the columns to try are worked out once."""
    columns = [f"{prefix}_{code}" for code in FALLBACKS[language or active_language()]]

    def read(row: dict) -> str:
        for column in columns:
            value = row.get(column)
            if value:
                return value
        return ""

    return read


def localized_column(field: str, language: str | None = None) -> str:
    """The column to sort on for `field` in the active language."""
    return f"{field}_{language or active_language()}"
