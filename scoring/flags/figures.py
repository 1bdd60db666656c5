"""A hit's figures as people read them: each value with its label (the rule's `figures`) and formatted by kind
(percentages, KZT, counts, dates, names for codes), so pages never show internal keys or raw decimals; numbers
through registry_tags' one formatter, in the active language's format."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from registry.models import StatusEvent
from registry.selectors import reference_data
from registry.templatetags.registry_tags import kzt, number
from scoring.flags.catalogue import RULES, Text

UNKNOWN = _("not recorded")
SOURCES: dict[str, Text] = {"registration date": _("registration date"), "BIN month": _("the month in its BIN")}
CONTACTS: dict[str, Text] = {"phone": _("phone"), "email": _("e-mail"), "address": _("address")}
MEASURES: dict[str, Text] = {"awards": _("awards made"), "completions": _("projects completed")}
EVALUATIONS: dict[str, Text] = {"none recorded": _("none recorded")}


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _percent(value) -> str:
    share = _decimal(value)
    return "—" if share is None else f"{number(share * 100, 1)}%"


def _p_value(value) -> str:
    probability = float(value)
    if probability < 0.0001:
        return f"< {number(Decimal('0.0001'), 4)}"
    return number(probability, 4)


def _code_name(table: dict, code) -> str:
    item = table.get(code)
    return str(item.name) if item is not None else str(code)


def figure_text(kind: str, value) -> str:
    """One value formatted for its kind; an absent value reads "not recorded"."""
    if value is None or value == "":
        return str(UNKNOWN)
    reference = reference_data
    match kind:
        case "count" | "count_or_unknown":
            return number(int(value))
        case "kzt":
            return kzt(value)
        case "percent":
            return _percent(value)
        case "percent100":
            share = _decimal(value)
            return "—" if share is None else f"{number(share, 1)}%"
        case "hhi":
            return number(Decimal(str(value)), 1)
        case "p_value":
            return _p_value(value)
        case "date":
            return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
        case "field":
            return _code_name(reference().fields, value)
        case "fields":
            return ", ".join(_code_name(reference().fields, code) for code in value)
        case "legal_form":
            return _code_name(reference().legal_forms, value)
        case "status":
            return str(StatusEvent.Kind(value).label) if value in StatusEvent.Kind.values else str(value)
        case "source":
            return str(SOURCES.get(value, value))
        case "contact":
            return str(CONTACTS.get(value, value))
        case "measure":
            return ", ".join(str(MEASURES.get(part, part)) for part in str(value).split("+"))
        case "evaluation":
            return str(EVALUATIONS.get(value, value))
        case "list":
            return ", ".join(str(item) for item in value)
        case _:
            return str(value)


def flag_figures(code: str, values: dict) -> list[tuple[str, str]]:
    """(label, formatted value) for each figure of a hit, in the rule's order; a figure the rule does not list
    is not shown (every figure a finder stores is listed: tests check it)."""
    return [
        (str(label), figure_text(kind, values.get(key)))
        for key, (label, kind) in RULES[code].figures.items()
        if key in values
    ]
