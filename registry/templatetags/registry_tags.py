from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()


@register.filter
def max_of(rows, attribute: str) -> int:
    return max((getattr(row, attribute) for row in rows), default=0)


@register.simple_tag
def percent_of(part, whole, digits: int = 2) -> str:
    """part / whole as a percentage for a share column, in the active language's format; '' when whole is 0."""
    if not whole:
        return ""
    return number(Decimal(100) * Decimal(str(part)) / Decimal(str(whole)), digits)


@register.simple_tag
def bar(first, top, second=None) -> str:
    """A horizontal bar of `first` out of `top` (and, thinner over it, `second`), as SVG: sizes are attributes,
    not inline styles, so the Content-Security-Policy needs no 'unsafe-inline'. Decorative: the table beside
    it carries the numbers."""

    def width(value) -> str:
        return f"{100 * value / top:.2f}" if top and value else "0"

    inner = format_html('<rect class="bar-registered" width="{}" height="4"></rect>', width(first))
    if second is not None:
        inner += format_html('<rect class="bar-active" y="1" width="{}" height="2"></rect>', width(second))
    return format_html(
        '<svg class="bar-track" viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true" '
        'focusable="false">{}</svg>',
        inner,
    )


# Money's unit per language: the tenge sign where readers know it (kk, ru), the ISO code for English readers.
MONEY_UNITS = {"kk": "₸", "ru": "₸", "en": "KZT"}


def number(value, digits: int | None = None) -> str:
    """A number as the active language writes it (config/formats): kk and ru "21 414" and "48,4" (no-break
    space, decimal comma), en "21,414" and "48.4"; `digits` decimals when given (a Decimal or float keeps its
    own otherwise); "—" for none. The one formatter of counts, amounts and scores a person reads."""
    if value is None or value == "":
        return "—"
    if digits is None and not isinstance(value, (float, Decimal)):
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = Decimal(str(value))
    elif isinstance(value, float) or not isinstance(value, Decimal):
        value = Decimal(str(value))
    return number_format(value, decimal_pos=digits, use_l10n=True, force_grouping=True)


def kzt(value) -> str:
    """Money as a number in the active language's format, kopecks only when there are any; no unit (a column
    head or sentence names it; money() adds it)."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    return number(amount, 2 if amount != amount.to_integral_value() else 0)


def money(value) -> str:
    """Money with its unit, per language: "12 000 000 ₸" (kk, ru), "12,000,000 KZT" (en)."""
    if value is None or value == "":
        return "—"
    return f"{kzt(value)}\xa0{MONEY_UNITS.get(get_language() or 'en', 'KZT')}"


def percent(value, digits: int = 1) -> str:
    """A share already in percent (12.5) as "12,5%" (kk, ru) or "12.5%" (en); "—" for none."""
    if value is None or value == "":
        return "—"
    return f"{number(Decimal(str(value)), digits)}%"


register.filter("num", number)
register.filter("kzt", kzt)
register.filter("money", money)
register.filter("pct", percent)
