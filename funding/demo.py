"""Fictional, deterministic demo funding calibrated to DOMAIN §3 and §7, on top of the demo registry.

Administrators are invented ("(demo)" in every name) so that no real public body is shown funding anyone.
Yearly social-order totals reproduce the published series exactly (2010 is recorded as unknown, not zero);
grants run from 2016 through one operator, NGO awards from 2017. Irregular cases are planted on purpose:
single-applicant lots, new-born recipients, December rushes, awards split under a threshold, price
outliers, ineligible applicants rejected, reports never received, projects outside the recipient's fields.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from funding.models import (
    Administrator,
    Amendment,
    Application,
    Award,
    AwardStatusEvent,
    Competition,
    Evaluation,
    Lot,
    Mechanism,
    Payment,
    Programme,
    PublishedTotal,
)
from funding.reference import MCI, NGO_AWARD_MCI, split_threshold
from registry.demo import AS_OF, CITIES
from registry.models import (
    REPORT_INCOME_FIELDS,
    REPORT_STATE_INCOME_FIELDS,
    Organisation,
    OrganisationField,
    Region,
    StatusEvent,
    YearlyReport,
    report_due_on,
)
from registry.selectors import REPORT_REQUIRED_FORMS
from registry.services import new_local_id

BATCH = 2000
MILLION = Decimal(1_000_000)
# State social order, million KZT (DOMAIN §3.1; 2014-2025 extended so that 2003-2020 is about 132 bn).
SOCIAL_ORDER_MILLIONS = {
    2003: "10.7",
    2004: "9.7",
    2005: "59.7",
    2006: "317.7",
    2007: "453",
    2008: "819",
    2009: "1231",
    2010: None,
    2011: "2000",
    2012: "4500",
    2013: "5000",
    2014: "9500",
    2015: "12000",
    2016: "14000",
    2017: "18000",
    2018: "20000",
    2019: "21000",
    2020: "23500",
    2021: "24000",
    2022: "25000",
    2023: "26500",
    2024: "27500",
    2025: "28000",
}
SOCIAL_ORDER_PROJECTS = {
    2003: 20,
    2004: 20,
    2005: 50,
    2006: 150,
    2007: 200,
    2008: 300,
    2009: 400,
    2011: 500,
    2012: 700,
    2013: 800,
    2014: 750,
    2015: 850,
    2016: 950,
    2017: 1100,
    2018: 1200,
    2019: 1250,
    2020: 1300,
    2021: 1300,
    2022: 1350,
    2023: 1350,
    2024: 1400,
    2025: 1400,
}
# State grants, million KZT and projects: about 450 projects and 7 bn in 2016-2021, volume up 7.2x.
GRANT_MILLIONS = {
    2016: "300",
    2017: "600",
    2018: "900",
    2019: "1300",
    2020: "1800",
    2021: "2160",
    2022: "2200",
    2023: "2300",
    2024: "2400",
    2025: "2500",
}
GRANT_PROJECTS = {
    2016: 30,
    2017: 55,
    2018: 70,
    2019: 85,
    2020: 100,
    2021: 110,
    2022: 110,
    2023: 110,
    2024: 110,
    2025: 110,
}
# NGO awards: 223 in 2017-2020; each 2,000 MCI (monthly calculation index, KZT) of its year.
AWARDS_PER_YEAR = {2017: 50, 2018: 55, 2019: 58, 2020: 60, 2021: 60, 2022: 60, 2023: 60, 2024: 60, 2025: 60}
USD_KZT = {
    2012: 149,
    2013: 152,
    2014: 179,
    2015: 222,
    2016: 342,
    2017: 326,
    2018: 345,
    2019: 383,
    2020: 413,
    2021: 426,
    2022: 460,
    2023: 457,
    2024: 470,
    2025: 505,
}
# Until 2017 the republican budget's share was larger; from 2017 local budgets dominate (13.5 of 132.4 bn).
REPUBLICAN_SHARE_BEFORE_2017 = 0.2
REPUBLICAN_SHARE_FROM_2017 = 0.04

MINISTRIES = [
    ("min-culture", "Мәдениет министрлігі (демо)", "Министерство культуры (демо)", "Ministry of Culture (demo)"),
    (
        "min-information",
        "Ақпарат және қоғамдық даму министрлігі (демо)",
        "Министерство информации и общественного развития (демо)",
        "Ministry of Information and Public Development (demo)",
    ),
    (
        "min-labour",
        "Еңбек және әлеуметтік қорғау министрлігі (демо)",
        "Министерство труда и социальной защиты (демо)",
        "Ministry of Labour and Social Protection (demo)",
    ),
    (
        "min-health",
        "Денсаулық сақтау министрлігі (демо)",
        "Министерство здравоохранения (демо)",
        "Ministry of Health (demo)",
    ),
    ("min-education", "Білім министрлігі (демо)", "Министерство образования (демо)", "Ministry of Education (demo)"),
    ("min-ecology", "Экология министрлігі (демо)", "Министерство экологии (демо)", "Ministry of Ecology (demo)"),
]
# The demo's planted ineligible applicants and recipients: the forms the law excludes by name (DOMAIN §2.1).
PLANTED_INELIGIBLE_FORMS = ("religious_association", "political_party", "trade_union")
REJECTIONS = [
    "documents incomplete",
    "application submitted after the deadline",
    "no yearly report filed to the NGO database",
    "project outside the organisation's charter",
]


@dataclass
class OrgInfo:
    id: int
    form: str
    region: str
    registered_on: datetime.date
    fields: list[str] = field(default_factory=list)
    ceased_on: datetime.date | None = None
    suspensions: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)

    def available_on(self, day: datetime.date, min_age_days: int = 30) -> bool:
        if self.registered_on > day - datetime.timedelta(days=min_age_days):
            return False
        if self.ceased_on and self.ceased_on <= day:
            return False
        return not any(start <= day <= end for start, end in self.suspensions)


def _organisations() -> list[OrgInfo]:
    infos = {
        pk: OrgInfo(pk, form, region or "KZ-71", registered)
        for pk, form, region, registered in Organisation.objects.filter(
            merged_into__isnull=True, registered_on__isnull=False
        )
        .order_by("local_id")
        .values_list("id", "legal_form_id", "region_id", "registered_on")
    }
    for org_id, code in OrganisationField.objects.order_by("organisation_id", "field_id").values_list(
        "organisation_id", "field_id"
    ):
        if org_id in infos:
            infos[org_id].fields.append(code)
    for org_id, kind, on, ends in StatusEvent.objects.filter(
        kind__in=["liquidated", "reorganised", "suspended"]
    ).values_list("organisation_id", "kind", "occurred_on", "ends_on"):
        if org_id not in infos:
            continue
        if kind == "suspended":
            infos[org_id].suspensions.append((on, ends or on))
        else:
            infos[org_id].ceased_on = on
    return list(infos.values())


class Builder:
    """Collects rows in memory, then writes each table in bulk."""

    def __init__(self, rng: random.Random, orgs: list[OrgInfo], regions: list[str]):
        self.rng = rng
        self.orgs = orgs
        self.eligible_by_region: dict[str, list[OrgInfo]] = defaultdict(list)
        # Recipients come from the forms that are funded in practice: those obliged to report (DOMAIN §2.2: the
        # cooperatives are eligible in law but almost never funded). The planted ineligible cases come from the
        # non-profits the law names as excluded; the legal form table says they are ineligible (a test checks).
        for org in orgs:
            if org.form in REPORT_REQUIRED_FORMS:
                self.eligible_by_region[org.region].append(org)
        self.eligible = [o for o in orgs if o.form in REPORT_REQUIRED_FORMS]
        self.ineligible = [o for o in orgs if o.form in PLANTED_INELIGIBLE_FORMS]
        self.regions = regions
        self.favourites: dict[str, list[OrgInfo]] = defaultdict(list)
        self.awards: list[dict] = []
        self.competitions: list[dict] = []
        self.programmes: dict[tuple, dict] = {}

    def pick_recipient(self, admin: dict, day: datetime.date, region: str, newborn: bool = False) -> OrgInfo:
        rng = self.rng
        if newborn:
            candidates = [
                o
                for o in self.eligible_by_region[region] or self.eligible
                if 30 <= (day - o.registered_on).days < 330 and o.available_on(day, 30)
            ]
            if candidates:
                return rng.choice(candidates)
        favourites = self.favourites[admin["code"]]
        if favourites and rng.random() < 0.35:
            pick = rng.choice(favourites)
            if pick.available_on(day):
                return pick
        pool = self.eligible_by_region[region] if rng.random() < 0.85 else self.eligible
        for _ in range(200):
            pick = rng.choice(pool or self.eligible)
            if pick.available_on(day):
                if len(favourites) < 6 and rng.random() < 0.1:
                    favourites.append(pick)
                return pick
        return next(o for o in self.eligible if o.available_on(day))


def _split_amounts(rng: random.Random, total: Decimal, count: int, spread: float = 0.6) -> list[Decimal]:
    """`count` amounts in whole thousands of KZT that add up to `total` exactly."""
    weights = [rng.lognormvariate(0, spread) for _ in range(count)]
    scale = total / Decimal(str(sum(weights)))
    amounts = [max(Decimal(1000), (Decimal(str(w)) * scale / 1000).quantize(Decimal(1)) * 1000) for w in weights]
    amounts[-1] += total - sum(amounts)
    if amounts[-1] <= 0:  # the rounding ate the last one: take it back from the largest
        largest = max(range(count - 1), key=lambda i: amounts[i])
        amounts[largest] += amounts[-1] - Decimal(1000)
        amounts[-1] = Decimal(1000)
    return amounts


def _award_day(rng: random.Random, year: int, december_rush: bool) -> datetime.date:
    if december_rush and rng.random() < 0.55:
        month = 12
    else:
        month = rng.choices(range(1, 13), weights=[2, 6, 8, 8, 6, 5, 4, 4, 4, 3, 2, 2])[0]
    day = datetime.date(year, month, rng.randint(1, 28))
    return min(day, AS_OF - datetime.timedelta(days=5))


def demo_funding_load(*, seed: int, scale: float = 1.0) -> None:
    rng = random.Random(seed * 7919 + 1)
    regions = list(Region.objects.filter(valid_to__isnull=True).order_by("code").values_list("code", flat=True))
    orgs = _organisations()
    if not orgs:
        return
    builder = Builder(rng, orgs, regions)
    with transaction.atomic():
        admins = _administrators(rng, regions)
        by_kind = defaultdict(list)
        for admin in admins.values():
            by_kind[admin["kind"]].append(admin)
        rush = {
            a["code"] for a in rng.sample(by_kind["district_department"], k=min(4, len(by_kind["district_department"])))
        }
        planted = _plant_splits(builder, by_kind, rng)  # part of their year's total, so the series stays exact
        _plant_ineligible(builder, by_kind, rng, planted)
        planted_count = Counter(award["awarded_on"].year for award in builder.awards)  # every award so far
        for year, millions in SOCIAL_ORDER_MILLIONS.items():
            if millions is None:
                continue
            total = Decimal(millions) * MILLION * Decimal(str(scale)) - planted.get(year, Decimal(0))
            count = max(1, round(SOCIAL_ORDER_PROJECTS[year] * scale) - planted_count[year])
            _social_order_year(builder, admins, by_kind, year, total, count, rush)
        for year, millions in GRANT_MILLIONS.items():
            _operator_year(
                builder,
                by_kind["grant_operator"][0],
                Mechanism.STATE_GRANT,
                year,
                Decimal(millions) * MILLION * Decimal(str(scale)),
                max(1, round(GRANT_PROJECTS[year] * scale)),
            )
        for year, count in AWARDS_PER_YEAR.items():
            n = max(1, round(count * scale))
            _operator_year(
                builder,
                by_kind["awards_secretariat"][0],
                Mechanism.NGO_AWARD,
                year,
                Decimal(NGO_AWARD_MCI * MCI[year] * n),
                n,
                equal=True,
            )
        for year, rate in USD_KZT.items():
            _foreign_year(builder, by_kind["foreign_donor"][0], year, rate, max(1, round(30 * scale)))
        payments = _write(builder, admins, rng)
        _demo_reports(builder, rng, payments)


def _administrators(rng: random.Random, regions: list[str]) -> dict[str, dict]:
    region_names = {r.code: r for r in Region.objects.filter(code__in=regions)}
    admins: dict[str, dict] = {}

    def add(code, kind, kk, ru, en, region=None, parent=None):
        admins[code] = {
            "code": code,
            "kind": kind,
            "name_kk": kk,
            "name_ru": ru,
            "name_en": en,
            "region": region,
            "parent": parent,
        }

    for code, kk, ru, en in MINISTRIES:
        add(code, "central_ministry", kk, ru, en)
    add(
        "grant-operator",
        "grant_operator",
        "Азаматтық гранттар операторы (демо)",
        "Оператор гражданских грантов (демо)",
        "Civic Grants Operator (demo)",
    )
    add(
        "awards-secretariat",
        "awards_secretariat",
        "ҮЕҰ сыйлықақылары хатшылығы (демо)",
        "Секретариат премий для НПО (демо)",
        "NGO Awards Secretariat (demo)",
    )
    add(
        "intl-civic-fund",
        "foreign_donor",
        "Халықаралық азаматтық қор (демо)",
        "Международный гражданский фонд (демо)",
        "International Civic Fund (demo)",
    )
    for code in regions:
        region = region_names[code]
        akimat = f"akimat-{code.lower()}"
        add(
            akimat,
            "regional_akimat",
            f"{region.name_kk} әкімдігі (демо)",
            f"Акимат: {region.name_ru} (демо)",
            f"{region.name_en} Akimat (demo)",
            code,
        )
        add(
            f"{akimat}-internal-policy",
            "regional_department",
            f"{region.name_kk} ішкі саясат басқармасы (демо)",
            f"Управление внутренней политики: {region.name_ru} (демо)",
            f"{region.name_en} Department of Internal Policy (demo)",
            code,
            akimat,
        )
        add(
            f"{akimat}-youth",
            "regional_department",
            f"{region.name_kk} жастар саясаты басқармасы (демо)",
            f"Управление по делам молодёжи: {region.name_ru} (демо)",
            f"{region.name_en} Department of Youth Policy (demo)",
            code,
            akimat,
        )
        city_kk, city_ru, city_en = CITIES[code]
        add(
            f"{akimat}-city",
            "district_department",
            f"{city_kk} қаласының ішкі саясат бөлімі (демо)",
            f"Отдел внутренней политики г. {city_ru} (демо)",
            f"{city_en} City Department of Internal Policy (demo)",
            code,
            akimat,
        )
        if region.kind == "region":
            add(
                f"{akimat}-district",
                "district_department",
                f"{region.name_kk} аудандық ішкі саясат бөлімі (демо)",
                f"Районный отдел внутренней политики: {region.name_ru} (демо)",
                f"{region.name_en} District Department of Internal Policy (demo)",
                code,
                akimat,
            )
    return admins


def _programme(builder: Builder, admin: dict, year: int, mechanism: str, field_code: str | None, amount: Decimal):
    key = (admin["code"], year, mechanism, field_code)
    programme = builder.programmes.setdefault(
        key, {"admin": admin["code"], "year": year, "mechanism": mechanism, "field": field_code, "budget": Decimal(0)}
    )
    programme["budget"] += amount
    return key


def _social_order_year(builder, admins, by_kind, year, total, count, rush) -> None:
    rng = builder.rng
    republican_share = REPUBLICAN_SHARE_BEFORE_2017 if year < 2017 else REPUBLICAN_SHARE_FROM_2017
    amounts = _split_amounts(rng, total, count)
    # Which administrator gives each award: 2009's patronage case gives one ministry 74% of the money.
    order = sorted(range(count), key=lambda i: -amounts[i])
    givers: list[dict | None] = [None] * count
    if year == 2009:
        target, taken = total * Decimal("0.74"), Decimal(0)
        for i in order:
            if taken + amounts[i] <= target * Decimal("1.02"):
                givers[i] = admins["min-culture"]
                taken += amounts[i]
    local_kinds = by_kind["regional_department"] * 3 + by_kind["district_department"]
    for i in range(count):
        if givers[i] is None:
            givers[i] = (
                rng.choice(by_kind["central_ministry"]) if rng.random() < republican_share else rng.choice(local_kinds)
            )
    # Group each administrator's awards of the year into competitions of 1-6 lots.
    per_admin: dict[str, list[int]] = defaultdict(list)
    for i, admin in enumerate(givers):
        per_admin[admin["code"]].append(i)
    for code, indexes in per_admin.items():
        admin = admins[code]
        while indexes:
            size = min(len(indexes), rng.choice([1, 2, 3, 4, 6]))
            chunk, indexes = indexes[:size], indexes[size:]
            day = _award_day(rng, year, code in rush)
            announced = max(datetime.date(year, 1, 5), day - datetime.timedelta(days=rng.randint(35, 60)))
            competition = {
                "admin": code,
                "mechanism": Mechanism.SOCIAL_ORDER,
                "year": year,
                "reference": f"SO-{year}-{len(builder.competitions) + 1:05d}",
                "title": f"State social order {year}: {admin['name_en'].replace(' (demo)', '')}",
                "announced_on": announced,
                "deadline_on": announced + datetime.timedelta(days=20),
                "decided_on": max(announced + datetime.timedelta(days=21), day - datetime.timedelta(days=3)),
                "lots": [],
            }
            builder.competitions.append(competition)
            for number, i in enumerate(chunk, start=1):
                region = admin["region"] or rng.choice(builder.regions)
                newborn = rng.random() < 0.03
                recipient = builder.pick_recipient(admin, day, region, newborn=newborn)
                _lot_with_award(
                    builder,
                    competition,
                    number,
                    admin,
                    recipient,
                    amounts[i],
                    day,
                    region,
                    Mechanism.SOCIAL_ORDER,
                    applicants=_applicant_count(rng, year),
                )


def _applicant_count(rng: random.Random, year: int) -> int:
    if year <= 2005:
        return rng.choice([3, 4, 6, 8])
    return rng.choices([1, 2, 3, 4, 5, 6], weights=[25, 30, 22, 12, 7, 4])[0]


def _lot_with_award(
    builder, competition, number, admin, recipient, amount, day, region, mechanism, applicants, lot=None
) -> dict:
    rng = builder.rng
    field_code = (
        rng.choice(recipient.fields)
        if recipient.fields and rng.random() > 0.05
        else rng.choice(
            [
                "environment",
                "children_youth",
                "women",
                "health",
                "culture_education",
                "human_rights",
                "social_welfare",
                "community",
                "disability",
            ]
        )
    )
    if lot is None:
        saving = 0.4 if rng.random() < 0.01 else rng.uniform(0.8, 1.0)  # 1%: heavy dumping, a price outlier
        lot = {
            "number": number,
            "title": f"Lot {number}: {field_code.replace('_', ' ')} project",
            "field": field_code,
            "region": region,
            "planned_amount": (amount / Decimal(str(saving))).quantize(Decimal(1)),
            "applications": [],
        }
        competition["lots"].append(lot)
        _applications(builder, lot, recipient, day, applicants, amount)
    else:
        existing = next((a for a in lot["applications"] if a["org"] == recipient.id), None)
        if existing is None:
            lot["applications"].append({"org": recipient.id, "outcome": "won", "amount": amount, "on": day})
        else:  # an applicant already on this theme's lot: one application, now a winning one
            existing.update(outcome="won", reason="", amount=amount)
    starts = day + datetime.timedelta(days=rng.randint(0, 20))
    if mechanism == Mechanism.NGO_AWARD:
        starts, ends = None, None
    elif rng.random() < 0.05 and mechanism == Mechanism.SOCIAL_ORDER:
        ends = starts + datetime.timedelta(days=rng.randint(400, 1050))  # multi-year scheme, under 36 months
    else:
        ends = min(datetime.date(starts.year, 12, 20), starts + datetime.timedelta(days=rng.randint(90, 330)))
        ends = max(ends, starts + datetime.timedelta(days=14))
    award = {
        "admin": admin["code"],
        "mechanism": mechanism,
        "recipient": recipient.id,
        "competition": competition,
        "lot": lot,
        "amount": amount,
        "awarded_on": day,
        "starts_on": starts,
        "ends_on": ends,
        "field": field_code,
        "region": region,
        "currency": "KZT",
        "amount_original": None,
        "title": f"{lot['title'].split(': ', 1)[-1].capitalize()} ({_place(region)}, {day.year})",
    }
    builder.awards.append(award)
    return lot


def _place(region: str) -> str:
    return CITIES.get(region, ("", "", region))[2]


def _applications(builder, lot, winner, day, count, amount) -> None:
    rng = builder.rng
    lot["applications"].append({"org": winner.id, "outcome": "won", "amount": amount, "on": day})
    seen = {winner.id}
    for _ in range(count - 1):
        if builder.ineligible and rng.random() < 0.02:
            other = rng.choice(builder.ineligible)
            outcome, reason = "rejected", "ineligible legal form: not an NGO"
        else:
            other = rng.choice(builder.eligible_by_region[lot["region"]] or builder.eligible)
            roll = rng.random()
            outcome, reason = (
                ("rejected", rng.choice(REJECTIONS))
                if roll < 0.15
                else (("withdrawn", "") if roll < 0.2 else ("lost", ""))
            )
        if other.id in seen or other.registered_on >= day:
            continue
        seen.add(other.id)
        lot["applications"].append(
            {
                "org": other.id,
                "outcome": outcome,
                "reason": reason,
                "on": day,
                "amount": (amount * Decimal(str(rng.uniform(0.85, 1.1)))).quantize(Decimal(1000)),
            }
        )


def _operator_year(builder, admin, mechanism, year, total, count, equal=False) -> None:
    rng = builder.rng
    amounts = [total / count] * count if equal else _split_amounts(rng, total, count, spread=0.4)
    day = _award_day(rng, year, False)
    announced = day - datetime.timedelta(days=60)
    label = "State grants" if mechanism == Mechanism.STATE_GRANT else "NGO awards"
    competition = {
        "admin": admin["code"],
        "mechanism": mechanism,
        "year": year,
        "reference": f"{mechanism[:2].upper()}-{year}",
        "title": f"{label} {year}",
        "announced_on": announced,
        "deadline_on": announced + datetime.timedelta(days=25),
        "decided_on": day - datetime.timedelta(days=2),
        "lots": [],
    }
    builder.competitions.append(competition)
    lots_by_field: dict[str, dict] = {}
    winners: set[int] = set()
    for amount in amounts:
        region = rng.choice(builder.regions)
        recipient = builder.pick_recipient(admin, day, region)
        while recipient.id in winners:  # one organisation wins at most once in a call
            recipient = builder.pick_recipient(admin, day, rng.choice(builder.regions))
        winners.add(recipient.id)
        field_code = recipient.fields[0] if recipient.fields else "other"
        lot = lots_by_field.get(field_code)
        if lot is None:
            lot = _lot_with_award(
                builder,
                competition,
                len(competition["lots"]) + 1,
                admin,
                recipient,
                amount,
                day,
                region,
                mechanism,
                applicants=rng.randint(4, 9),
            )
            lot["planned_amount"] = (amount * 20).quantize(Decimal(1))  # a theme's budget, shared by its winners
            lots_by_field[field_code] = lot
        else:
            _lot_with_award(
                builder,
                competition,
                lot["number"],
                admin,
                recipient,
                amount,
                day,
                region,
                mechanism,
                applicants=0,
                lot=lot,
            )


def _foreign_year(builder, admin, year, rate, count) -> None:
    rng = builder.rng
    for _ in range(count):
        day = _award_day(rng, year, False)
        region = rng.choice(builder.regions)
        recipient = builder.pick_recipient(admin, day, region)
        usd = Decimal(rng.choice([5000, 10000, 15000, 25000, 40000]))
        starts = day + datetime.timedelta(days=rng.randint(0, 30))
        builder.awards.append(
            {
                "admin": admin["code"],
                "mechanism": Mechanism.FOREIGN_GRANT,
                "recipient": recipient.id,
                "competition": None,
                "lot": None,
                "amount": usd * rate,
                "awarded_on": day,
                "starts_on": starts,
                "ends_on": starts + datetime.timedelta(days=rng.randint(180, 540)),
                "field": (recipient.fields or ["other"])[0],
                "region": region,
                "currency": "USD",
                "amount_original": usd,
                "title": f"Civic initiative grant ({year})",
            }
        )


def _plant_splits(builder, by_kind, rng) -> dict[int, Decimal]:
    """Three awards each just under the threshold, to one recipient, from one department, within a month."""
    planted: dict[int, Decimal] = {}
    for year in (2019, 2022, 2024):
        admin = rng.choice(by_kind["district_department"])
        threshold = split_threshold(year)
        day = datetime.date(year, 6, 3)
        recipient = builder.pick_recipient(admin, day, admin["region"])
        for k in range(3):
            when = day + datetime.timedelta(days=9 * k)
            amount = (threshold * Decimal(str(rng.uniform(0.95, 0.995)))).quantize(Decimal(1000))
            builder.awards.append(
                {
                    "admin": admin["code"],
                    "mechanism": Mechanism.SOCIAL_ORDER,
                    "recipient": recipient.id,
                    "competition": None,
                    "lot": None,
                    "amount": amount,
                    "awarded_on": when,
                    "starts_on": when + datetime.timedelta(days=3),
                    "ends_on": datetime.date(year, 12, 15),
                    "field": (recipient.fields or ["community"])[0],
                    "region": admin["region"],
                    "currency": "KZT",
                    "amount_original": None,
                    "title": f"Community events, part {k + 1} ({year})",
                }
            )
            planted[year] = planted.get(year, Decimal(0)) + amount
    return planted


def _plant_ineligible(builder, by_kind, rng, planted: dict[int, Decimal]) -> None:
    """Two direct awards that break the recipient rules (DOMAIN §5, ineligible recipient): one to an
    organisation whose legal form is not an NGO, one to an organisation already liquidated or reorganised.
    An officer's entry is refused such an award; in the registry they arise when a record is corrected after
    the award was entered (a liquidation registered late, a legal form put right), which the flag catches."""
    cases = []
    if builder.ineligible:
        cases.append((rng.choice(builder.ineligible), datetime.date(2022, 9, 14)))
    ceased = [
        o
        for o in builder.eligible
        if o.ceased_on and datetime.date(2019, 1, 1) <= o.ceased_on <= datetime.date(2025, 6, 30)
    ]
    if ceased:
        org = rng.choice(ceased)
        cases.append((org, org.ceased_on + datetime.timedelta(days=45)))
    for org, day in cases:
        admin = rng.choice(by_kind["district_department"])
        amount = Decimal(rng.randint(2, 6) * 1_000_000)
        builder.awards.append(
            {
                "admin": admin["code"],
                "mechanism": Mechanism.SOCIAL_ORDER,
                "recipient": org.id,
                "competition": None,
                "lot": None,
                "amount": amount,
                "awarded_on": day,
                "starts_on": day + datetime.timedelta(days=5),
                "ends_on": datetime.date(day.year, 12, 15),
                "field": (org.fields or ["community"])[0],
                "region": admin["region"],
                "currency": "KZT",
                "amount_original": None,
                "title": f"Community support (direct award, {day.year})",
            }
        )
        planted[day.year] = planted.get(day.year, Decimal(0)) + amount


def _write(builder: Builder, admins: dict[str, dict], rng: random.Random) -> list[Payment]:
    admin_rows = {}
    for code, spec in admins.items():  # parents first: akimats precede their departments in the dict
        admin_rows[code] = Administrator.objects.create(
            code=code,
            kind=spec["kind"],
            name_kk=spec["name_kk"],
            name_ru=spec["name_ru"],
            name_en=spec["name_en"],
            region_id=spec["region"],
            parent=admin_rows.get(spec["parent"]) if spec["parent"] else None,
        )
    for award in builder.awards:
        comp = award["competition"]
        key = _programme(
            builder,
            admins[award["admin"]],
            award["awarded_on"].year,
            award["mechanism"],
            award["field"] if award["mechanism"] == Mechanism.SOCIAL_ORDER else None,
            award["amount"],
        )
        if comp is not None:
            comp.setdefault("programme", key)
    programme_rows = {}
    created = Programme.objects.bulk_create(
        [
            Programme(
                administrator=admin_rows[p["admin"]],
                year=p["year"],
                mechanism=p["mechanism"],
                field_id=p["field"],
                title=f"{Mechanism(p['mechanism']).label.capitalize()} {p['year']}"
                + (f": {p['field'].replace('_', ' ')}" if p["field"] else ""),
                budget=(p["budget"] * Decimal("1.05")).quantize(Decimal(1000)),
            )
            for p in builder.programmes.values()
        ],
        batch_size=BATCH,
    )
    for key, row in zip(builder.programmes, created, strict=True):
        programme_rows[key] = row
    comp_rows = Competition.objects.bulk_create(
        [
            Competition(
                administrator=admin_rows[c["admin"]],
                programme=programme_rows.get(c.get("programme")),
                mechanism=c["mechanism"],
                public_id=new_local_id(rng),
                reference=c["reference"],
                title=c["title"],
                announced_on=c["announced_on"],
                deadline_on=c["deadline_on"],
                decided_on=c["decided_on"],
            )
            for c in builder.competitions
        ],
        batch_size=BATCH,
    )
    lot_specs = [
        (comp_row, lot) for comp_row, c in zip(comp_rows, builder.competitions, strict=True) for lot in c["lots"]
    ]
    lot_rows = Lot.objects.bulk_create(
        [
            Lot(
                competition=comp_row,
                number=lot["number"],
                title=lot["title"],
                field_id=lot["field"],
                region_id=lot["region"],
                planned_amount=lot["planned_amount"],
            )
            for comp_row, lot in lot_specs
        ],
        batch_size=BATCH,
    )
    for (_, lot), row in zip(lot_specs, lot_rows, strict=True):
        lot["row"] = row
    comp_by_id = {id(c): row for c, row in zip(builder.competitions, comp_rows, strict=True)}
    Application.objects.bulk_create(
        (
            Application(
                lot=lot["row"],
                applicant_id=a["org"],
                amount_requested=a["amount"],
                submitted_on=a["on"] - datetime.timedelta(days=rng.randint(20, 40)),
                outcome=a["outcome"],
                rejection_reason=a.get("reason", ""),
            )
            for _, lot in lot_specs
            for a in lot["applications"]
        ),
        batch_size=BATCH,
    )
    award_rows = Award.objects.bulk_create(
        [
            Award(
                public_id=new_local_id(rng),
                mechanism=a["mechanism"],
                recipient_id=a["recipient"],
                administrator=admin_rows[a["admin"]],
                competition=comp_by_id[id(a["competition"])] if a["competition"] else None,
                lot=a["lot"]["row"] if a["lot"] else None,
                title=a["title"],
                field_id=a["field"],
                region_id=a["region"],
                amount=a["amount"],
                amount_awarded=a["amount"],
                currency=a["currency"],
                amount_original=a["amount_original"],
                awarded_on=a["awarded_on"],
                starts_on=a["starts_on"],
                ends_on=a["ends_on"],
                status=_final_status(a, rng),
            )
            for a in builder.awards
        ],
        batch_size=BATCH,
    )
    events, payments, evaluations, amendments = [], [], [], []
    for spec, row in zip(builder.awards, award_rows, strict=True):
        _history(spec, row, rng, events, payments, evaluations, amendments)
    AwardStatusEvent.objects.bulk_create(events, batch_size=BATCH)
    Payment.objects.bulk_create(payments, batch_size=BATCH)
    Evaluation.objects.bulk_create(evaluations, batch_size=BATCH)
    Amendment.objects.bulk_create(amendments, batch_size=BATCH)
    PublishedTotal.objects.bulk_create(
        [
            PublishedTotal(
                year=year,
                mechanism=Mechanism.SOCIAL_ORDER,
                budget_level="all",
                amount=None if m is None else Decimal(m) * MILLION,
                source="Published yearly volume of state social order (demo calibration, DOMAIN §3.1)",
            )
            for year, m in SOCIAL_ORDER_MILLIONS.items()
        ]
    )
    return payments


def _final_status(spec: dict, rng: random.Random) -> str:
    spec["terminated"] = spec["mechanism"] == Mechanism.SOCIAL_ORDER and rng.random() < 0.02
    if spec["starts_on"] is None:
        return Award.Status.COMPLETED
    if spec["terminated"] and spec["starts_on"] < AS_OF:
        return Award.Status.TERMINATED
    if spec["ends_on"] and spec["ends_on"] <= AS_OF:
        return Award.Status.COMPLETED
    return Award.Status.IN_PROGRESS if spec["starts_on"] <= AS_OF else Award.Status.CONTRACTED


def _history(spec, award, rng, events, payments, evaluations, amendments) -> None:
    events.append(AwardStatusEvent(award=award, kind="contracted", occurred_on=spec["awarded_on"]))
    amount = spec["amount"]
    if spec["starts_on"] is None:  # a prize: paid once
        events.append(AwardStatusEvent(award=award, kind="completed", occurred_on=spec["awarded_on"]))
        payments.append(
            Payment(
                award=award,
                paid_on=spec["awarded_on"] + datetime.timedelta(days=rng.randint(5, 40)),
                amount=amount,
                kind="final",
            )
        )
        return
    if spec["starts_on"] <= AS_OF:
        events.append(AwardStatusEvent(award=award, kind="in_progress", occurred_on=spec["starts_on"]))
    advance = Decimal(0)
    if rng.random() < 0.6 and spec["starts_on"] + datetime.timedelta(days=10) <= AS_OF:
        advance = (amount * Decimal("0.3")).quantize(Decimal(1))
        payments.append(
            Payment(
                award=award, paid_on=spec["starts_on"] + datetime.timedelta(days=10), amount=advance, kind="advance"
            )
        )
    if award.status == Award.Status.TERMINATED:
        stop = min(AS_OF, spec["starts_on"] + datetime.timedelta(days=rng.randint(30, 120)))
        events.append(
            AwardStatusEvent(
                award=award,
                kind="terminated",
                occurred_on=stop,
                reason="Contract terminated by agreement: the recipient could not deliver",
            )
        )
        return
    if award.status != Award.Status.COMPLETED:
        return
    events.append(AwardStatusEvent(award=award, kind="completed", occurred_on=spec["ends_on"]))
    final_day = spec["ends_on"] + datetime.timedelta(days=rng.randint(15, 90))  # payment comes after completion
    if final_day <= AS_OF and rng.random() > 0.02:
        payments.append(Payment(award=award, paid_on=final_day, amount=amount - advance, kind="final"))
    if spec["mechanism"] in (Mechanism.SOCIAL_ORDER, Mechanism.STATE_GRANT):
        due = spec["ends_on"] + datetime.timedelta(days=10)
        received = None if rng.random() < 0.07 else due + datetime.timedelta(days=rng.randint(-8, 5))
        result = (
            "pending"
            if received is None
            else rng.choices(["effective", "partly_effective", "not_effective"], weights=[80, 15, 5])[0]
        )
        evaluations.append(
            Evaluation(
                award=award,
                report_due_on=due,
                report_received_on=received,
                evaluator="Public expert commission",
                result=result,
            )
        )
    if rng.random() < 0.04:
        new_end = spec["ends_on"]
        old_end = new_end - datetime.timedelta(days=rng.randint(20, 60))
        if old_end >= spec["starts_on"]:
            amendments.append(
                Amendment(
                    award=award,
                    amended_on=old_end - datetime.timedelta(days=10),
                    field_name="ends_on",
                    old_value=old_end.isoformat(),
                    new_value=new_end.isoformat(),
                    reason="Schedule extended by agreement",
                )
            )


# ---------------------------------------------------------------- yearly reports (DOMAIN §3.4, §4, §7)

REPORT_YEARS = range(2016, 2026)  # the NGO database report, a precondition for state money since 2018
REPORT_FORMS = {
    "public_association",
    "foundation",
    "private_institution",
    "association_of_legal_entities",
    "noncommercial_jsc",
}
# Shares of organisations answering yes in the CSI 2009-10 survey (DOMAIN §4); 10% of answers left unknown.
CSI_SHARES = {
    "has_board": 0.730,
    "network_member": 0.509,
    "met_other_csos": 0.687,
    "exchanged_information": 0.715,
    "stable_finances": 0.686,
    "technology_access": 0.867,
    "equal_opportunity_policy": 0.519,
    "staff_in_unions": 0.266,
    "labour_rights_training": 0.356,
    "labour_policy_public": 0.306,
    "code_of_conduct_public": 0.526,
    "financial_info_public": 0.590,
    "environmental_policy_public": 0.215,
}
MECHANISM_INCOME = {
    "social_order": "income_social_order",
    "state_grant": "income_state_grants",
    "ngo_award": "income_state_awards",
    "foreign_grant": "income_foreign",
}


def _money(rng: random.Random, median: float) -> Decimal:
    return Decimal(round(rng.lognormvariate(0, 1.0) * median, -3))


def _demo_reports(builder: Builder, rng: random.Random, payments: list[Payment]) -> None:
    """Yearly reports consistent with the funding records, so the demo's flags are the planted ones.

    Income is declared from the money actually paid in the year (what an NGO's accounts show), and an
    organisation funded by the state files the report that was due before each award (the legal
    precondition the "not reporting" flag checks), all but a planted 1.5%.
    """
    received: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for payment in payments:
        award = payment.award
        received[(award.recipient_id, payment.paid_on.year)][MECHANISM_INCOME[award.mechanism]] += payment.amount
    required: set[tuple[int, int]] = set()  # (org, report year) that had to be filed before a state award
    for award in builder.awards:
        if award["mechanism"] != Mechanism.FOREIGN_GRANT:
            day = award["awarded_on"]
            year = day.year - 1 if report_due_on(day.year - 1) <= day else day.year - 2
            required.add((award["recipient"], year))
    rows = []
    for org in builder.orgs:
        if org.form not in REPORT_FORMS:
            continue
        for year in REPORT_YEARS:
            due = report_due_on(year)
            if org.registered_on.year > year or (org.ceased_on and org.ceased_on <= due):
                continue
            money = received.get((org.id, year), {})
            roll = rng.random()
            if (org.id, year) in required:
                on_time_share, late_share = 0.985, 0.0
            else:
                on_time_share, late_share = (0.8, 0.1) if money else (0.27, 0.15)
            if roll < on_time_share:
                submitted = datetime.date(year + 1, 1, 10) + datetime.timedelta(days=rng.randint(0, 79))
            elif roll < on_time_share + late_share:
                submitted = min(AS_OF, due + datetime.timedelta(days=rng.randint(1, 200)))
            else:
                continue
            rows.append(_report(rng, org, year, submitted, money))
    YearlyReport.objects.bulk_create(rows, batch_size=BATCH)


def _report(rng: random.Random, org: OrgInfo, year: int, submitted: datetime.date, money: dict) -> object:
    figures = {
        name: (amount * Decimal("1.5") if name == "income_social_order" and rng.random() < 0.03 else amount)
        for name, amount in money.items()
    }  # 3% declare a state income that disagrees with the records
    for name, chance, median in (
        ("income_business", 0.2, 800_000),
        ("income_individuals", 0.4, 150_000),
        ("income_own_activities", 0.25, 1_000_000),
        ("income_other", 0.1, 100_000),
    ):
        if rng.random() < chance:
            figures[name] = _money(rng, median)
    if org.form == "public_association" and rng.random() < 0.6:
        figures["income_membership_fees"] = _money(rng, 50_000)
    if "income_foreign" not in figures and rng.random() < 0.08:
        figures["income_foreign"] = _money(rng, 3_000_000)
    state = sum((figures.get(name, Decimal(0)) for name in REPORT_STATE_INCOME_FIELDS), Decimal(0))
    if state and rng.random() < 0.85:  # most funded NGOs also earn; the rest live on state money alone
        figures["income_own_activities"] = figures.get("income_own_activities", Decimal(0)) + _money(
            rng, float(state) * 0.5
        )
    total = sum(figures.values(), Decimal(0))
    staff = max(0, round(rng.lognormvariate(1.0, 0.9)) - 1)
    # CSI 2.4.1: volunteers at most a quarter of staff + volunteers in 14.4% of organisations.
    volunteers = rng.randint(0, max(0, staff // 3)) if rng.random() < 0.144 else staff + rng.randint(1, 40)
    answers = {name: (None if rng.random() < 0.1 else rng.random() < share) for name, share in CSI_SHARES.items()}
    decision = rng.choices(
        ["members", "elected_board", "elected_leader", "staff", "appointed_board", "appointed_leader", "other", ""],
        weights=[25, 22, 12, 7, 15, 13, 3, 3],
    )[0]
    return YearlyReport(
        organisation_id=org.id,
        year=year,
        submitted_on=submitted,
        **{name: figures.get(name) for name in REPORT_INCOME_FIELDS},
        expenses_total=(total * Decimal(str(round(rng.uniform(0.85, 1.05), 2)))).quantize(Decimal(1))
        if total
        else None,
        paid_staff=staff,
        volunteers=volunteers,
        members=rng.randint(10, 400) if org.form == "public_association" else None,
        beneficiaries=round(rng.lognormvariate(5, 1.2)),
        decision_making=decision,
        **answers,
    )
