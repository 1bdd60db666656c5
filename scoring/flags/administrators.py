"""Flags on administrators: the year-end rush."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from funding.models import Award
from scoring.flags.catalogue import (
    RUSH_MARGIN,
    RUSH_MIN_EVENTS,
    RUSH_MIN_SHARE,
    RUSH_SIGNIFICANCE,
    Hit,
    state_awards,
)
from scoring.flags.statistics import binomial_upper_tail

SHARE = Decimal("0.0001")


def _december_counts(kind: str, *, today: datetime.date) -> dict[tuple[str, int], tuple[int, int]]:
    """(administrator, year) -> (events, of which in December), for awards made or projects completed.

    A completion is the end of a project with a period (prizes have none) that was not terminated, by today."""
    if kind == "awards":
        rows, day = state_awards(), "awarded_on"
    else:
        rows = state_awards().filter(ends_on__isnull=False, ends_on__lte=today).exclude(status=Award.Status.TERMINATED)
        day = "ends_on"
    counted = (
        rows.values("administrator__code", f"{day}__year")
        .annotate(n=Count("id"), december=Count("id", filter=Q(**{f"{day}__month": 12})))
        .order_by()
        .values_list("administrator__code", f"{day}__year", "n", "december")
    )
    return {(code, year): (n, december) for code, year, n, december in counted}


def rush_test(*, december: int, events: int, pooled: Decimal) -> dict | None:
    """The year-end rush test on one administrator-year and one kind of event; None when it does not fire.

    Fires when there are at least RUSH_MIN_EVENTS events, the December share is at least RUSH_MIN_SHARE and at
    least RUSH_MARGIN above the pooled share of the other administrators, and a one-sided binomial test finds that
    many December events less likely than RUSH_SIGNIFICANCE if each fell in December at the pooled rate."""
    if events < RUSH_MIN_EVENTS:
        return None
    share = Decimal(december) / events
    p_value = binomial_upper_tail(december, events, float(pooled))
    if share >= RUSH_MIN_SHARE and share >= pooled + RUSH_MARGIN and p_value < RUSH_SIGNIFICANCE:
        return {"share": share.quantize(SHARE), "p_value": p_value}
    return None


def year_end_rush_find(*, today: datetime.date) -> list[Hit]:
    counts = {kind: _december_counts(kind, today=today) for kind in ("awards", "completions")}
    totals: dict[str, dict[int, list[int]]] = {}
    for kind, by_group in counts.items():
        sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for (_code, year), (n, december) in by_group.items():
            sums[year][0] += n
            sums[year][1] += december
        totals[kind] = sums
    money = {
        (code, year): total
        for code, year, total in state_awards()
        .values("administrator__code", "awarded_on__year")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("administrator__code", "awarded_on__year", "total")
    }
    hits = []
    for group in sorted(set(counts["awards"]) | set(counts["completions"])):
        code, year = group
        values: dict = {}
        fired = []
        for kind in ("awards", "completions"):
            n, december = counts[kind].get(group, (0, 0))
            all_n, all_december = totals[kind].get(year, (0, 0))
            if all_n - n <= 0:  # no other administrator that year: nothing to compare with
                continue
            # The reference leaves the administrator out: its own events must not raise the rate it is tested against.
            reference = (Decimal(all_december - december) / (all_n - n)).quantize(SHARE)
            result = rush_test(december=december, events=n, pooled=reference)
            values |= {
                f"{kind}": n,
                f"{kind}_december": december,
                f"{kind}_share": str((Decimal(december) / n).quantize(SHARE)) if n else None,
                f"{kind}_pooled_share": str(reference),
                f"{kind}_p_value": binomial_upper_tail(december, n, float(reference)) if n else None,
            }
            if result is not None:
                fired.append(kind)
        if not fired:
            continue
        values |= {
            "fired_on": "+".join(fired),
            "min_events": RUSH_MIN_EVENTS,
            "min_share": str(RUSH_MIN_SHARE),
            "margin": str(RUSH_MARGIN),
            "significance": RUSH_SIGNIFICANCE,
        }
        kind = fired[0]
        title = (
            f"{values[f'{kind}_december']} of {values[kind]} {kind} in December {year} "
            f"({Decimal(values[f'{kind}_share']) * 100:.0f}%; other administrators "
            f"{Decimal(values[f'{kind}_pooled_share']) * 100:.0f}%)"
        )
        hits.append(
            Hit(
                code="year_end_rush",
                subject_type="administrator",
                subject_key=code,
                title=title,
                year=year,
                administrator=code,
                amount=money.get(group),
                values=values,
            )
        )
    return hits
