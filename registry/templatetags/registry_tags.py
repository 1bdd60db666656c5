from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def max_of(rows, attribute: str) -> int:
    return max((getattr(row, attribute) for row in rows), default=0)


@register.simple_tag
def percent_of(part, whole, digits: int = 2) -> str:
    """part / whole as a percentage string, for bar widths and share columns; '' when whole is 0."""
    if not whole:
        return ""
    return f"{100 * part / whole:.{digits}f}"


@register.filter
def kzt(value) -> str:
    """Money as people read it: thousands separated by thin spaces, kopecks only when there are any."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    text = f"{amount:,.2f}" if amount != amount.to_integral_value() else f"{amount:,.0f}"
    return text.replace(",", "\u202f")
