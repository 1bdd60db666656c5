"""A hit's figures as people read them: each value with its label (the rule's `figures`) and formatted by kind
(percentages, KZT, counts, dates, names for codes), so pages never show internal keys or raw decimals; numbers
through registry_tags' one formatter, in the active language's format. A hit's title is made here too, from its
figures, when the page is read: a Flag row stores its title in English with codes in it (the CSV's column), a
page shows it in the reader's language with names."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from funding.models import Administrator
from registry.models import StatusEvent
from registry.selectors import reference_data
from registry.templatetags.registry_tags import kzt, money, number
from scoring.flags.catalogue import RULES, Text

if TYPE_CHECKING:
    from scoring.models import Flag

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


def _administrator_named(flag: Flag) -> str:
    """The code of the administrator a hit's title names ("" when it names none)."""
    if flag.code == "captive_recipient":
        return str((flag.values or {}).get("administrator") or "")
    return flag.subject_key if flag.code == "concentration" else ""


def flag_title(flag: Flag, administrators: Mapping[str, str]) -> str:
    """A hit's title in the reader's language, made from its figures, administrators by name (`administrators`:
    code -> name). A title that is the record's own (an award's or a competition's title, a person's name) is
    data, shown as stored."""
    values = flag.values or {}
    year = str(flag.year) if flag.year else ""  # a year is never grouped: "2024", not "2 024"
    match flag.code:
        case "captive_recipient" if values.get("administrator"):
            code = values["administrator"]
            return gettext("funded only by %(administrator)s") % {"administrator": administrators.get(code, code)}
        case "captive_recipient" if flag.records:
            competition = flag.records[0].get("label") or flag.title
            return gettext("won every lot of %(competition)s") % {"competition": competition}
        case "concentration" if values.get("hhi") is not None and values.get("recipients") is not None:
            recipients = int(values["recipients"])
            return ngettext(
                "%(administrator)s, %(year)s: HHI %(hhi)s over %(count)s recipient",
                "%(administrator)s, %(year)s: HHI %(hhi)s over %(count)s recipients",
                recipients,
            ) % {
                "administrator": administrators.get(flag.subject_key, flag.subject_key),
                "year": year,
                "hhi": figure_text("hhi", values["hhi"]),
                "count": number(recipients),
            }
        case "shared_contacts" if values.get("contact") and values.get("organisations"):
            others = int(values["organisations"]) - 1
            return ngettext(
                "shares its %(contact)s with %(count)s other organisation",
                "shares its %(contact)s with %(count)s other organisations",
                others,
            ) % {"contact": figure_text("contact", values["contact"]), "count": number(others)}
        case "state_dependency" if values.get("share") is not None:
            return gettext("%(share)s of its %(year)s income from the state") % {
                "share": _percent(values["share"]),
                "year": year,
            }
        case "self_report_mismatch" if values.get("declared") is not None:
            return gettext("%(year)s: declares %(declared)s of state income; %(paid)s recorded as paid") % {
                "year": year,
                "declared": money(values["declared"]),
                "paid": money(values.get("recorded_paid")),
            }
        case "single_applicant" if values.get("lot") is not None:
            competition = flag.title.removesuffix(f", lot {values['lot']}")
            return gettext("%(competition)s, lot %(number)s") % {"competition": competition, "number": values["lot"]}
        case "year_end_rush":
            kind = str(values.get("fired_on", "")).split("+")[0]
            if kind in MEASURES and values.get(kind) and values.get(f"{kind}_share") is not None:
                return gettext(
                    "%(december)s of %(count)s %(measure)s in December %(year)s (%(share)s; other administrators "
                    "%(pooled)s)"
                ) % {
                    "december": number(values[f"{kind}_december"]),
                    "count": number(values[kind]),
                    "measure": MEASURES[kind],
                    "year": year,
                    "share": _percent(values[f"{kind}_share"]),
                    "pooled": _percent(values[f"{kind}_pooled_share"]),
                }
    return flag.title


def flags_titled(flags: Iterable[Flag], administrators: Mapping[str, Administrator] | None = None) -> list[Any]:
    """The flags, each with `title_shown` (flag_title) for the page: one query names the administrators the
    titles need, none when the caller has them already (`administrators`: code -> Administrator)."""
    flags = list(flags)
    needed = {_administrator_named(flag) for flag in flags} - {""}
    if administrators is None:
        found = Administrator.objects.in_bulk(needed, field_name="code") if needed else {}
    else:
        found = {code: administrators[code] for code in needed if code in administrators}
        missing = needed - found.keys()
        if missing:
            found |= Administrator.objects.in_bulk(missing, field_name="code")
    names = {code: str(administrator.name) for code, administrator in found.items()}
    shown: list[Any] = flags  # the pages add attributes of their own (title_shown): not model fields
    for flag in shown:
        flag.title_shown = flag_title(flag, names)
    return shown
