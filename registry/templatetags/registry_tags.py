from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html

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


@register.filter
def kzt(value) -> str:
    """Money as people read it: thousands separated by thin spaces, kopecks only when there are any."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    text = f"{amount:,.2f}" if amount != amount.to_integral_value() else f"{amount:,.0f}"
    return text.replace(",", "\u202f")
