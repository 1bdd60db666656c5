"""Funding test data, built through the services."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from funding import services
from funding.models import Administrator, Mechanism
from registry.models import FieldOfActivity, Region
from tests.registry.factories import clerk, make_organisation

_codes = itertools.count(1)


def make_administrator(kind: str = Administrator.Kind.REGIONAL_DEPARTMENT, region: str | None = "KZ-55", **extra):
    n = next(_codes)
    extra.setdefault("code", f"admin-{n}")
    extra.setdefault("name_en", f"Department {n}")
    extra.setdefault("name_ru", f"Управление {n}")
    extra.setdefault("name_kk", f"Басқарма {n}")
    return services.administrator_create(
        acting_user=clerk(),
        kind=kind,
        region=Region.objects.get(code=region) if region else None,
        **extra,
    )


def make_award(
    *,
    recipient=None,
    administrator=None,
    mechanism: str = Mechanism.SOCIAL_ORDER,
    amount: str = "1000000",
    awarded_on: datetime.date = datetime.date(2020, 3, 1),
    months: int = 6,
    field: str | None = "health",
    region: str | None = "KZ-55",
    **extra,
):
    recipient = recipient or make_organisation(fields=("health",))
    administrator = administrator or make_administrator()
    starts = extra.pop("starts_on", awarded_on + datetime.timedelta(days=5))
    ends = extra.pop("ends_on", starts + datetime.timedelta(days=30 * months))
    return services.award_create(
        acting_user=clerk(),
        mechanism=mechanism,
        recipient=recipient,
        administrator=administrator,
        title=extra.pop("title", "Project"),
        amount=Decimal(amount),
        awarded_on=awarded_on,
        starts_on=starts,
        ends_on=ends,
        field=FieldOfActivity.objects.get(code=field) if field else None,
        region=Region.objects.get(code=region) if region else None,
        **extra,
    )


def make_competition(administrator, *, lots: int = 1, year: int = 2020, mechanism: str = Mechanism.SOCIAL_ORDER):
    competition = services.competition_create(
        acting_user=clerk(),
        administrator=administrator,
        mechanism=mechanism,
        reference=f"C-{next(_codes)}",
        title="Competition",
        announced_on=datetime.date(year, 1, 10),
        deadline_on=datetime.date(year, 2, 1),
        decided_on=datetime.date(year, 2, 10),
    )
    made = [
        services.lot_create(
            acting_user=clerk(), competition=competition, number=n, title=f"Lot {n}", planned_amount=Decimal("1200000")
        )
        for n in range(1, lots + 1)
    ]
    return competition, made
