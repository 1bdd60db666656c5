"""Funding concentration: HHI, top-1 and top-5 shares of state money per administrator (or region) and year."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum

from funding.models import STATE_MECHANISMS, Application
from scoring.flags.catalogue import (
    HHI_CONCENTRATED,
    MIN_AWARDS_FOR_CONCENTRATION,
    MIN_RECIPIENTS_FOR_CONCENTRATION,
    Hit,
    state_awards,
)
from scoring.flags.statistics import hhi


def concentration_find(*, today: datetime.date, rows: list[dict] | None = None) -> list[Hit]:
    """`rows`: the administrators' concentration figures when the caller has them already (a run stores
    them too), so they are not computed twice.

    With four recipients or fewer the HHI is 2,500 or more whatever the amounts (four equal shares give exactly
    2,500), so only administrator-years with at least MIN_RECIPIENTS_FOR_CONCENTRATION recipients are judged."""
    found = [
        row
        for row in (concentration_rows(by="administrator") if rows is None else rows)
        if row["awards"] >= MIN_AWARDS_FOR_CONCENTRATION
        and row["recipients"] >= MIN_RECIPIENTS_FOR_CONCENTRATION
        and row["hhi"] >= HHI_CONCENTRATED
    ]
    applicants = concentration_applicants({row["key"] for row in found})
    return [
        Hit(
            code="concentration",
            subject_type="administrator",
            subject_key=row["key"],
            title=f"{row['key']} {row['year']}: HHI {row['hhi']} over {row['recipients']} recipients",
            year=row["year"],
            administrator=row["key"],
            amount=row["total"],
            values={
                **{k: str(v) if isinstance(v, Decimal) else v for k, v in row.items() if k not in ("key", "year")},
                "applicants": applicants.get((row["key"], row["year"])),
                "hhi_threshold": HHI_CONCENTRATED,
                "min_recipients": MIN_RECIPIENTS_FOR_CONCENTRATION,
                "min_awards": MIN_AWARDS_FOR_CONCENTRATION,
            },
        )
        for row in found
    ]


def concentration_applicants(administrators: set[str]) -> dict[tuple[str, int], int]:
    """Distinct organisations that applied to an administrator's lots, by the year its competition was
    announced (None where no application is recorded)."""
    if not administrators:
        return {}
    rows = (
        Application.objects.filter(
            lot__competition__administrator__code__in=administrators,
            lot__competition__mechanism__in=STATE_MECHANISMS,
        )
        .values("lot__competition__administrator__code", "lot__competition__announced_on__year")
        .annotate(n=Count("applicant", distinct=True))
        .order_by()
        .values_list("lot__competition__administrator__code", "lot__competition__announced_on__year", "n")
    )
    return {(code, year): n for code, year, n in rows}


def concentration_rows(*, by: str) -> list[dict]:
    """HHI, top-1 and top-5 shares and distinct recipients of state money per administrator (or region) and year.

    The (group, recipient) sums are streamed in group order, so only one group's recipients are held."""
    key = "administrator__code" if by == "administrator" else "region_id"
    rows = (
        state_awards()
        .exclude(**{f"{key}__isnull": True})
        .values(key, "awarded_on__year", "recipient_id")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by(key, "awarded_on__year")
        .values_list(key, "awarded_on__year", "total", "n")
    )
    result = []
    current, amounts, awards = None, [], 0
    for group_key, year, total, n in rows.iterator(chunk_size=2000):
        if (group_key, year) != current:
            if current is not None:
                result.append(_concentration_row(current, amounts, awards))
            current, amounts, awards = (group_key, year), [], 0
        amounts.append(total)
        awards += n
    if current is not None:
        result.append(_concentration_row(current, amounts, awards))
    return result


def _concentration_row(group: tuple, amounts: list[Decimal], awards: int) -> dict:
    amounts = sorted(amounts, reverse=True)
    total = sum(amounts, Decimal(0))
    return {
        "key": group[0],
        "year": group[1],
        "total": total,
        "awards": awards,
        "recipients": len(amounts),
        "hhi": hhi(amounts),
        "top1_share": (amounts[0] * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP),
        "top5_share": (sum(amounts[:5], Decimal(0)) * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP),
    }
