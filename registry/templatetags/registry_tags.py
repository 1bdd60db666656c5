from __future__ import annotations

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
