"""Pure helpers of the flags, unit-tested on plain values: quartile fences, HHI, months, normalised contacts."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal


def quartiles(values: list[Decimal]) -> tuple[Decimal, Decimal]:
    """Q1 and Q3 by linear interpolation between closest ranks (the method spreadsheets call QUARTILE.INC)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")

    def at(p: Decimal) -> Decimal:
        position = (len(ordered) - 1) * p
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return at(Decimal("0.25")), at(Decimal("0.75"))


def fences(values: list[Decimal]) -> dict:
    q1, q3 = quartiles(values)
    iqr = q3 - q1
    return {
        "q1": q1,
        "q3": q3,
        "lower": q1 - Decimal("1.5") * iqr,
        "upper": q3 + Decimal("1.5") * iqr,
        "n": len(values),
    }


def hhi(amounts: Iterable[Decimal]) -> Decimal:
    """Herfindahl-Hirschman index of the shares, 0-10,000, to one decimal."""
    amounts = [a for a in amounts if a > 0]
    total = sum(amounts, Decimal(0))
    if not total:
        return Decimal(0)
    return sum(((a * 100 / total) ** 2 for a in amounts), Decimal(0)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from start to end (a day short of a month does not count)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (end.day < start.day)


def normalise_phone(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits[-10:] if len(digits) >= 10 else ""


def normalise_text(value: str) -> str:
    return " ".join(value.lower().replace(",", " ").replace(".", " ").split())


def money_text(value) -> str:
    return f"{Decimal(value):.2f}"


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p): the chance of k or more December events out of n when each falls in
    December with probability p. Summed in log space (lgamma), so large n neither overflows nor underflows."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q
        for i in range(k, n + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))
