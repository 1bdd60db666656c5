"""Flags on administrators: the year-end rush."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from scoring.flags.catalogue import Hit, state_awards
from scoring.flags.statistics import fences


def year_end_rush_find(*, today: datetime.date) -> list[Hit]:
    rows = (
        state_awards()
        .values("administrator__code", "awarded_on__year")
        .annotate(n=Count("id"), december=Count("id", filter=Q(awarded_on__month=12)), total=Sum("amount"))
        .order_by()
    )
    by_year = defaultdict(list)
    for row in rows:
        if row["n"] >= 5:
            row["share"] = (Decimal(row["december"]) / row["n"]).quantize(Decimal("0.0001"))
            by_year[row["awarded_on__year"]].append(row)
    hits = []
    for year, group in by_year.items():
        if len(group) < 4:
            continue
        f = fences([row["share"] for row in group])
        for row in group:
            if row["share"] > f["upper"]:
                hits.append(
                    Hit(
                        code="year_end_rush",
                        subject_type="administrator",
                        subject_key=row["administrator__code"],
                        title=f"{row['december']} of {row['n']} awards in December {year}",
                        year=year,
                        administrator=row["administrator__code"],
                        amount=row["total"],
                        values={
                            "december": row["december"],
                            "awards": row["n"],
                            "share": str(row["share"]),
                            **{k: str(v) for k, v in f.items()},
                        },
                    )
                )
    return hits
