"""Fictional, deterministic demo funding calibrated to DOMAIN §3 and §7, on top of the demo registry.

Administrators are invented ("(demo)" in every name) so that no real public body is shown funding anyone.
Social-order totals reproduce the published series where one exists (2003-2013; 2010 is unknown, not zero) and
the demo's own extension after it, with the 2014 cut the sources report; the pilot tenders of 2003-2005 have the
applications and applicants of Pierobon's Table 2; Astana and Almaty take about 28% of social-order money and
about 5% of active NGOs are funded in a year (DOMAIN §2.5, §3.1). Every award and lot names the region that
existed on its date. Irregular cases are planted on purpose and listed in the returned manifest
(DemoDataset.planted, docs/demo.md); the ordinary records are kept clear of them so that a flag's hits can be
told apart: ordinary recipients are at least 13 months old, ordinary lots have two or more admissible applicants,
ordinary prices are 80-100% of plan, ordinary fields are the recipient's own, ordinary competitions have a winner
per lot, ordinary recipients are neither captive nor funded twice for a similar project (Builder.clear), ordinary
funded NGOs earn other income too, and ordinary administrator-years are not concentrated.
"""

from __future__ import annotations

import datetime
import random
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.db import transaction

from funding.models import (
    STATE_MECHANISMS,
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
from registry.bin import bin_build
from registry.demo import AS_OF, CITIES, PUBLIC_EXAMPLE_BINS, REGION_WEIGHTS, insert_in_batches
from registry.models import (
    REPORT_INCOME_FIELDS,
    REPORT_STATE_INCOME_FIELDS,
    FieldOfActivity,
    LegalForm,
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

# State social order, million KZT, as published (DOMAIN §3.1), each with where it was published. Only these are
# stored as published totals (PublishedTotal); 2010 has no published figure and is stored as unknown. The source
# is data, written in Russian as the registers write it, naming the publication (Pierobon 2016, Table 2; the CIVICUS
# Civil Society Index report 2008-2010, Knox & Yessimova 2015) in words, authors in Cyrillic.
PILOT_SOURCE = "К. Пьеробон (2016), таблица 2: пилотные конкурсы государственного социального заказа 2003–2005 годов"
VOLUME_SOURCE = (
    "Годовой объём государственного социального заказа по опубликованным исследованиям сектора: отчёт CIVICUS "
    "«Индекс гражданского общества» (2008–2010), К. Нокс и С. Есимова (2015), К. Пьеробон (2016)"
)
UNKNOWN_SOURCE = "Объём государственного социального заказа за 2010 год не опубликован: он неизвестен, а не равен нулю"
PUBLISHED_SOCIAL_ORDER: dict[int, tuple[str | None, str]] = {
    2003: ("10.7", PILOT_SOURCE),
    2004: ("9.7", PILOT_SOURCE),
    2005: ("59.7", PILOT_SOURCE),
    2006: ("317.7", VOLUME_SOURCE),
    2007: ("453", VOLUME_SOURCE),
    2008: ("819", VOLUME_SOURCE),
    2009: ("1231", VOLUME_SOURCE),
    2010: (None, UNKNOWN_SOURCE),
    2011: ("2000", VOLUME_SOURCE),
    2012: ("4500", VOLUME_SOURCE),
    2013: ("5000", VOLUME_SOURCE),
}
# The demo's own extension after 2013, never stored or shown as published. It follows what the sources say of
# the period: 2014 a cut ("a 19% devaluation and budget cuts", DOMAIN §3.1), then growth, with 2003-2020 summing to
# the published 132.4 bn KZT (132,401.5 m here).
DEMO_SOCIAL_ORDER_MILLIONS = {
    2014: "4300",
    2015: "9000",
    2016: "14000",
    2017: "19500",
    2018: "22000",
    2019: "23500",
    2020: "25700",
    2021: "26000",
    2022: "26500",
    2023: "27500",
    2024: "28000",
    2025: "28500",
}
SOCIAL_ORDER_MILLIONS: dict[int, str | None] = {
    **{year: millions for year, (millions, _source) in PUBLISHED_SOCIAL_ORDER.items()},
    **DEMO_SOCIAL_ORDER_MILLIONS,
}
# Projects a year: the pilot tenders' 20, 20 and 50 are published (Pierobon 2016, Table 2); the rest are ours.
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
    2014: 700,
    2015: 800,
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
# The pilot tenders' applications and the organisations that sent them (Pierobon 2016, Table 2; DOMAIN §3.1).
PILOT_TENDERS = {2003: (120, 109), 2004: (142, 119), 2005: (234, 165)}
# Astana and Almaty take about 28% of state social order money (DOMAIN §2.5).
CAPITALS = ("KZ-71", "KZ-75")
CAPITALS_MONEY_SHARE = {"KZ-71": 0.13, "KZ-75": 0.15}
# About 5% of active NGOs (~900) receive state money in a given year (DOMAIN §3.1).
FUNDED_SHARE = 0.05
# Ordinary recipients are older than this, so that every new-born recipient (< 12 months) is a planted one.
SEASONED_DAYS = 400
NEWBORN_SHARE = 0.03  # of social-order lots from 2006, planted
# The 2015 reform (Law of 2 December 2015) limited price dumping in social order to 20% below plan (DOMAIN §3.1).
PRICE_REFORM = datetime.date(2015, 12, 2)
ORDINARY_PRICE = (0.80, 0.995)  # awarded / planned, for ordinary lots
DUMPED_PRICE = (0.55, 0.79)  # planted price dumping after the reform
HEAVY_DUMPING = 0.4  # planted price outliers before the reform, 1% of lots
PRICE_DUMPING_PER_FULL_SIZE = 50  # about 5 at the 1/10 size
CHARTER_MISMATCHES = 5
# Month weights of ordinary social-order award dates: through the year, 10 of 92 in December (the grant operator
# never decides in December, so about 10% of all state awards are made in December).
MONTH_WEIGHTS = [2, 5, 8, 9, 9, 8, 7, 7, 9, 9, 9, 10]
OPERATOR_MONTHS = range(3, 11)  # the grant operator and the awards secretariat decide in March-October
COMPETITION_SIZES = [1, 1, 2, 2, 3, 4]  # lots per competition
# Year-end rush, planted: an administrator-year with RUSH_AWARDS awards, 7 of them made in December ("awards"),
# or all ending in December ("completions").
RUSH_AWARDS = 10
RUSH_DECEMBER_AWARDS = 7
RUSH_YEARS_PER_ADMINISTRATOR = 3
# An ordinary administrator-year's December awards: one competition, more only within this share of its awards.
# Below the year-end rush flag's 30% minimum share, so that only a lone competition of up to 4 lots in a small year
# can pass it, which the flag's significance test does not take for a rush; high enough that about 10% of ordinary
# awards stay in December at the national size (0.15 left 7.6%).
DECEMBER_CAP = 0.25
# Captive recipient (DOMAIN §5): funded by one administrator only over this many years or more. Ordinary recipients
# never are; a few are planted, and one competition has every lot won by one recipient.
CAPTIVE_YEARS = 3
CAPTIVE_PER_FULL_SIZE = 20  # about 2 at the 1/10 size, at least 1
# Double funding (DOMAIN §5): an ordinary recipient never has another administrator's project running in the same
# region while it is awarded (a new project runs at most about this many days); a few similar projects are
# planted: same recipient, field and region, two administrators, overlapping periods, comparable amounts.
ORDINARY_HORIZON_DAYS = 350
DOUBLE_FUNDING_PER_FULL_SIZE = 30  # pairs: about 3 at the 1/10 size, at least 1
SIMILAR_AMOUNTS = Decimal("0.7")  # a double funding pair's smaller amount is at least this share of the larger
# Funding concentration (DOMAIN §5): one local department-year with 5+ recipients where one takes most of the money
# (an HHI of at least this, on the 0-10,000 scale; the flag's threshold is 2,500).
PLANTED_HHI = 3000
# State dependency (DOMAIN §5: >= 90% of income from the state, a possible GONGO): ordinary funded NGOs earn at
# least a fifth of their state money again from other sources (a state share of at most 83%); a few planted
# GONGO-like organisations live on state money alone.
OTHER_INCOME_FLOOR = Decimal("0.2")
GONGO_PER_FULL_SIZE = 40  # about 4 at the 1/10 size, at least 2
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
# Reasons for rejecting an application, in Russian as the competitions' protocols write them.
REJECTIONS = [
    "неполный пакет документов",
    "заявка подана после окончания срока приёма",
    "сведения о деятельности не представлены в базу данных НПО",
    "проект не соответствует уставу организации",
]
INELIGIBLE_REJECTION = "организационно-правовая форма не допускает участия: организация не является НПО"
# Titles of competitions and programmes by mechanism, in Russian as administrators publish them.
MECHANISM_TITLES = {
    Mechanism.SOCIAL_ORDER: "Государственный социальный заказ",
    Mechanism.STATE_GRANT: "Государственные гранты",
    Mechanism.NGO_AWARD: "Премии для НПО",
    Mechanism.FOREIGN_GRANT: "Иностранные гранты",
}


# Capitals of the units before the 2018 and 2022 reforms, for the demo administrators' names.
FORMER_CITIES = {
    "KZ-VOS": CITIES["KZ-63"],
    "KZ-ALM": ("Талдықорған", "Талдыкорган", "Taldykorgan"),
    "KZ-KAR": CITIES["KZ-35"],
    "KZ-YUZ": CITIES["KZ-79"],
}
# Local departments of each unit: (slot, kind, how often one gives a local award).
LOCAL_SLOTS = [
    ("internal-policy", "regional_department", 3),
    ("youth", "regional_department", 3),
    ("city", "district_department", 1),
    ("district", "district_department", 1),
]


class _Spec:
    """A record of the builder, read and written like the dict it once was (spec["amount"]) but held in slots: a
    demo at ten times the national size holds some hundreds of thousands of awards, lots and applications until
    they are written (seed_demo's peak memory). A slot never set reads as missing (.get)."""

    __slots__ = ()

    def __init__(self, **values) -> None:
        self.update(**values)

    def __getitem__(self, key: str):
        return getattr(self, key)

    def __setitem__(self, key: str, value) -> None:
        setattr(self, key, value)

    def get(self, key: str, default=None):
        return getattr(self, key, default)

    def setdefault(self, key: str, default):
        if not hasattr(self, key):
            setattr(self, key, default)
        return getattr(self, key)

    def update(self, **values) -> None:
        for key, value in values.items():
            setattr(self, key, value)


class AwardSpec(_Spec):
    __slots__ = (
        "admin",
        "amount",
        "amount_original",
        "awarded_on",
        "competition",
        "currency",
        "ends_on",
        "field",
        "id",
        "lot",
        "mechanism",
        "public_id",  # once written
        "recipient",
        "region",
        "rush",  # a planted completion rush (lot awards only)
        "starts_on",
        "status",
        "terminated",
        "title",
    )


class CompetitionSpec(_Spec):
    __slots__ = (
        "admin",
        "announced_on",
        "deadline_on",
        "decided_on",
        "id",
        "lots",
        "mechanism",
        "programme",
        "public_id",  # once written
        "reference",
        "title",
        "year",
    )


class LotSpec(_Spec):
    __slots__ = ("applications", "field", "id", "number", "place", "planned_amount", "region", "title")


class ApplicationSpec(_Spec):
    __slots__ = ("amount", "on", "org", "outcome", "reason")


@dataclass(slots=True)
class OrgInfo:
    id: int
    form: str
    region: str
    registered_on: datetime.date
    status: str = "active"
    parent_id: int | None = None
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
        pk: OrgInfo(pk, form, region or "KZ-71", registered, status, parent)
        for pk, form, region, registered, status, parent in Organisation.objects.filter(
            merged_into__isnull=True, registered_on__isnull=False
        )
        .order_by("local_id")
        .values_list("id", "legal_form_id", "region_id", "registered_on", "status", "parent_id")
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


def months_old(registered: datetime.date, day: datetime.date) -> int:
    """Whole months from registration to the day (a day short of a month does not count): DOMAIN §5's
    "awarded less than 12 months after registration" reads this."""
    return (day.year - registered.year) * 12 + day.month - registered.month - (day.day < registered.day)


class Units:
    """The first-level units as the Region rows date them (valid_from, valid_to, succeeded_by): which unit
    covered a place (today's unit) on a day. Before 2022 Abai (KZ-10) was part of East Kazakhstan (KZ-VOS),
    before 2018 Shymkent (KZ-79) part of South Kazakhstan (KZ-YUZ), and so on."""

    def __init__(self) -> None:
        self.rows = {r.code: r for r in Region.objects.order_by("sort_order", "code")}
        self.predecessors: dict[str, list[str]] = defaultdict(list)
        through = Region.succeeded_by.through
        for old, new in through.objects.order_by("from_region_id", "to_region_id").values_list(
            "from_region_id", "to_region_id"
        ):
            self.predecessors[new].append(old)
        self.current = [code for code, r in self.rows.items() if r.valid_to is None]
        # Units that never changed: valid throughout, with no predecessor.
        self.stable = [
            code
            for code in self.current
            if self.rows[code].valid_from is None and not self.predecessors[code] and code not in CAPITALS
        ]

    def valid(self, code: str, day: datetime.date) -> bool:
        row = self.rows[code]
        return (row.valid_from is None or row.valid_from <= day) and (row.valid_to is None or day <= row.valid_to)

    def on(self, place: str, day: datetime.date) -> str:
        """The unit that covered `place` (a current unit) on `day`."""
        if self.valid(place, day):
            return place
        for old in self.predecessors[place]:
            found = self.on(old, day)
            if self.valid(found, day):
                return found
        raise ValueError(f"no unit covered {place} on {day}")


class Builder:
    """Collects rows in memory, then writes each table in bulk."""

    def __init__(self, rng: random.Random, orgs: list[OrgInfo], units: Units, scale: float):
        self.rng = rng
        self.scale = scale
        self.orgs = orgs
        self.by_id = {o.id: o for o in orgs}
        self.units = units
        self.eligible_by_place: dict[str, list[OrgInfo]] = defaultdict(list)
        # Recipients come from the forms that are funded in practice: those obliged to report (DOMAIN §2.2: the
        # cooperatives are eligible in law but almost never funded). The planted ineligible cases come from the
        # non-profits the law names as excluded; the legal form table says they are ineligible (a test checks).
        for org in orgs:
            if org.form in REPORT_REQUIRED_FORMS:
                self.eligible_by_place[org.region].append(org)
        self.eligible = [o for o in orgs if o.form in REPORT_REQUIRED_FORMS]
        self.ineligible = [o for o in orgs if o.form in PLANTED_INELIGIBLE_FORMS]
        others = sum(REGION_WEIGHTS[c] for c in REGION_WEIGHTS if c not in CAPITALS)
        rest = 1 - sum(CAPITALS_MONEY_SHARE.values())
        self.place_shares = {
            code: CAPITALS_MONEY_SHARE.get(code, rest * REGION_WEIGHTS[code] / others) for code in REGION_WEIGHTS
        }
        self.favourites: dict[str, list[OrgInfo]] = defaultdict(list)
        self.awards: list[dict] = []
        self.competitions: list[dict] = []
        self.programmes: dict[tuple, dict] = {}
        # About 5% of active NGOs funded a year: how many distinct recipients each year should have, and how
        # many state awards are still to be given, so that each pick knows whether to fund a new organisation.
        self.funded: dict[int, list[OrgInfo]] = defaultdict(list)
        self.funded_ids: dict[int, set[int]] = defaultdict(set)
        self.funded_by: dict[tuple[str, int], set[int]] = defaultdict(set)
        # The same lists as self.funded looked up: each one's place in its year's list, and the year's by region.
        self.funded_at: dict[tuple[int, int], int] = {}
        self.funded_in: dict[tuple[int, str], list[OrgInfo]] = defaultdict(list)
        self.target: dict[int, int] = {}
        self.remaining: Counter[int] = Counter()
        self.planted: dict[str, list] = defaultdict(list)  # flag code -> award specs planted on purpose
        self.admin_place: dict[str, str] = {}
        # Per organisation: the years each administrator funded it, and its state projects as
        # (administrator, region, start, end), so that ordinary picks stay clear of captive and double funding.
        self.history: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.spans: dict[int, list[tuple]] = defaultdict(list)
        self.month_deck: list[int] = []  # the place of each department that makes a planted direct award
        # Ordinary December awards by (administrator, year), and each giver's awards in the year (DECEMBER_CAP).
        self.december_awards: Counter[tuple[str, int]] = Counter()
        self.giver_awards: dict[tuple[tuple, int], int] = {}
        # Titles are data, written in Russian as the registers publish them, with the reference data's names.
        self.field_names = dict(FieldOfActivity.objects.values_list("code", "name_ru"))
        self.titles: dict[str, str] = {}

    def lot_title(self, number: int, field_code: str) -> str:
        return self._shared(f"Лот {number}: {self.field_names[field_code].lower()}")

    def project_title(self, field_code: str, place_and_year: str) -> str:
        """A project's title: its field and, in brackets, its city and year (as "Тараз, 2019")."""
        return self._shared(f"Проект в сфере «{self.field_names[field_code]}» ({place_and_year})")

    def _shared(self, title: str) -> str:
        """One string for every record with this title (there are few titles, and many records)."""
        return self.titles.setdefault(title, title)

    def seasoned(self, org: OrgInfo, day: datetime.date) -> bool:
        return org.available_on(day, SEASONED_DAYS)

    def clear(self, org: OrgInfo, admin: str, day: datetime.date, unit: str) -> bool:
        """Whether a state award of `admin` on `day` in `unit` keeps `org` an ordinary recipient: not a third
        year of funding by this administrator alone (captive recipient), and no other administrator's project of
        it running in the same unit in the new project's time (double funding)."""
        history = self.history.get(org.id)
        years = set().union(*history.values()) if history else set()
        if history and set(history) <= {admin} and len(years | {day.year}) >= CAPTIVE_YEARS:
            return False
        horizon = day + datetime.timedelta(days=ORDINARY_HORIZON_DAYS)
        return not any(
            other != admin and region == unit and start <= horizon and day <= end
            for other, region, start, end in self.spans.get(org.id, ())
        )

    def record(self, award: dict) -> None:
        """Add an award to the builder, remembering a state award's funder, year and period for `clear`."""
        self.awards.append(award)
        if award["mechanism"] in STATE_MECHANISMS:
            start = award["starts_on"] or award["awarded_on"]
            self.history[award["recipient"]][award["admin"]].add(award["awarded_on"].year)
            self.spans[award["recipient"]].append((award["admin"], award["region"], start, award["ends_on"] or start))

    def _new_wanted(self, year: int) -> bool:
        need = self.target.get(year, 0) - len(self.funded_ids[year])
        left = self.remaining[year]
        if need <= 0:
            return False
        if left <= need:
            return True
        return self.rng.random() < need / left

    def _took(self, org: OrgInfo, year: int, state: bool, again: bool = True, admin: str = "") -> OrgInfo:
        """Count a state award of the year to `org`; `again`: whether later picks may fund it again that year
        (not so for the planted ineligible recipients)."""
        if state:
            self.remaining[year] -= 1
            self.funded_by[(admin, year)].add(org.id)
            if org.id not in self.funded_ids[year]:
                self.funded_ids[year].add(org.id)
                if again:
                    self.funded_at[(year, org.id)] = len(self.funded[year])
                    self.funded[year].append(org)
                    self.funded_in[(year, org.region)].append(org)
        return org

    def pick_recipient(
        self,
        admin: str,
        day: datetime.date,
        place: str,
        *,
        state: bool = True,
        newborn: bool = False,
        exclude: set[int] | frozenset[int] = frozenset(),
    ) -> OrgInfo:
        rng, year = self.rng, day.year
        unit = self.units.on(place, day)

        def clear(org: OrgInfo) -> bool:
            return not state or self.clear(org, admin, day, unit)

        if newborn:
            candidates = [
                o
                for o in self.eligible_by_place[place] or self.eligible
                if 30 <= (day - o.registered_on).days < 330
                and o.available_on(day, 30)
                and o.id not in exclude
                and clear(o)
            ]
            if candidates:
                return self._took(rng.choice(candidates), year, state, admin=admin)
        if state and not self._new_wanted(year):
            # Funded again this year: by the same administrator where it can (one NGO winning several of its
            # lots), so that a second administrator on the same theme (double funding) stays the exception.
            # The year's funded organisations that may take it, the administrator's own first, else those of the
            # place, else any, each tier in the year's order: found through their indexes, since the year's list
            # is long at ten times the national size (and `clear` the costly part).
            def fit(org: OrgInfo) -> bool:
                return org.id not in exclude and self.seasoned(org, day) and clear(org)

            ids = self.funded_by.get((admin, year), set())
            positions = sorted(self.funded_at[(year, i)] for i in ids - exclude if (year, i) in self.funded_at)
            tiers = (
                (self.funded[year][at] for at in positions),
                (o for o in self.funded_in.get((year, place), ()) if o.id not in ids),
                (o for o in self.funded[year] if o.region != place and o.id not in ids),
            )
            for tier in tiers:
                fitting = [o for o in tier if fit(o)]
                if fitting:
                    return self._took(rng.choice(fitting), year, state, admin=admin)

        def fresh(org: OrgInfo) -> bool:
            return (
                self.seasoned(org, day)
                and org.id not in exclude
                and not (state and org.id in self.funded_ids[year])
                and clear(org)
            )

        favourites = self.favourites[admin]
        if favourites and rng.random() < 0.35:
            pick = rng.choice(favourites)
            if fresh(pick):
                return self._took(pick, year, state, admin=admin)
        pool = self.eligible_by_place[place] if rng.random() < 0.85 else self.eligible
        for _ in range(200):
            pick = rng.choice(pool or self.eligible)
            if fresh(pick):
                if len(favourites) < 6 and rng.random() < 0.1:
                    favourites.append(pick)
                return self._took(pick, year, state, admin=admin)
        for test in (fresh, lambda o: self.seasoned(o, day) and o.id not in exclude and clear(o)):
            found = [o for o in self.eligible if test(o)]
            if found:
                return self._took(rng.choice(found), year, state, admin=admin)
        # A registry too young for the year (tiny demos): the oldest available organisation, which the manifest
        # then lists as a new-born recipient if it is one.
        found = [o for o in self.eligible if o.available_on(day, 30) and o.id not in exclude] or self.eligible
        return self._took(min(found, key=lambda o: o.registered_on), year, state, admin=admin)


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


def _award_day(rng: random.Random, year: int, months=None, deck: list[int] | None = None) -> datetime.date:
    """A day of the year: in one of `months`, or dealt from `deck` (the month weights as cards, so that a year's
    competitions follow the weights closely and not only on average), or drawn by the weights."""
    if months:
        month = rng.choice(list(months))
    elif deck is not None:
        if not deck:
            deck.extend(month for month, weight in enumerate(MONTH_WEIGHTS, start=1) for _ in range(weight))
            rng.shuffle(deck)
        month = deck.pop()
    else:
        month = rng.choices(range(1, 13), weights=MONTH_WEIGHTS)[0]
    day = datetime.date(year, month, rng.randint(1, 28))
    return min(day, AS_OF - datetime.timedelta(days=5))


def _project_end(rng: random.Random, starts: datetime.date, mechanism: str) -> datetime.date:
    """Ordinary projects run 100-330 days, ending through the year (about 10% in December); 5% of social-order
    projects are multi-year schemes, under 36 months (DOMAIN §3.1)."""
    if mechanism == Mechanism.SOCIAL_ORDER and rng.random() < 0.05:
        return starts + datetime.timedelta(days=rng.randint(400, 1050))
    ends = starts + datetime.timedelta(days=rng.randint(100, 330))
    if ends.month in (10, 11) and rng.random() < 0.15:  # some autumn ends slip to December, as budget years close
        ends = max(ends, datetime.date(ends.year, 12, rng.randint(1, 20)))
    return ends


def _allocate_places(
    rng: random.Random, amounts: list[Decimal], shares: dict[str, float], fixed: dict[int, str]
) -> list[str]:
    """A place (today's unit) for each award so that each place's money approaches its share of the year's total:
    largest awards first, each to a place still short of its share, drawn in proportion to the shortfall."""
    total = float(sum(amounts))
    assigned: dict[str, float] = defaultdict(float)
    places: list[str | None] = [None] * len(amounts)
    for i, place in fixed.items():
        places[i] = place
        assigned[place] += float(amounts[i])
    for i in sorted(range(len(amounts)), key=lambda i: (-amounts[i], i)):
        if places[i] is not None:
            continue
        short = {p: share * total - assigned[p] for p, share in shares.items()}
        wanting = {p: s for p, s in short.items() if s > 0}
        if wanting:
            place = rng.choices(list(wanting), weights=list(wanting.values()))[0]
        else:
            place = max(short, key=lambda p: short[p])
        places[i] = place
        assigned[place] += float(amounts[i])
    return [p or "KZ-71" for p in places]


@dataclass
class RushPlan:
    """A planted year-end rush: one district department's year, with RUSH_AWARDS awards."""

    place: str
    year: int
    kind: str  # "awards": most made in December; "completions": all ending in December


def _rush_plans(rng: random.Random, units: Units, counts: dict[int, int]) -> dict[int, list[RushPlan]]:
    """Two administrators rush their awards into December, two their completions, each in up to three years
    with enough awards to hide among (at least four times RUSH_AWARDS social-order awards that year)."""
    years = [y for y, n in sorted(counts.items()) if y >= 2006 and n >= 4 * RUSH_AWARDS]
    places = rng.sample(units.stable, k=min(4, len(units.stable)))
    plans: dict[int, list[RushPlan]] = defaultdict(list)
    for number, place in enumerate(places):
        kind = "awards" if number < 2 else "completions"
        for year in sorted(rng.sample(years, k=min(RUSH_YEARS_PER_ADMINISTRATOR, len(years)))):
            if (len(plans[year]) + 1) * RUSH_AWARDS * 4 <= counts[year]:
                plans[year].append(RushPlan(place, year, kind))
    return plans


def _scaled(millions: str, scale: float) -> Decimal:
    """A yearly total in million KZT at the demo's scale, in whole KZT (amounts are stored to the tiyn, and an
    unrounded share would be rounded differently by each database)."""
    return (Decimal(millions) * MILLION * Decimal(str(scale))).quantize(Decimal(1))


def _active_ngos_by_year(orgs: list[OrgInfo], years) -> dict[int, int]:
    """Active NGOs (status today, NGO-eligible forms) registered by the end of each year: the denominator of
    "about 5% of active NGOs are funded in a year"."""
    eligible_forms = set(LegalForm.objects.filter(ngo_eligible=True).values_list("code", flat=True))
    registered = sorted(
        o.registered_on for o in orgs if o.status == Organisation.Status.ACTIVE and o.form in eligible_forms
    )
    result = {}
    for year in years:
        end = datetime.date(year, 12, 31)
        result[year] = sum(1 for d in registered if d <= end)
    return result


def demo_funding_load(*, seed: int, scale: float = 1.0) -> dict:
    """Write the demo's funding on top of the demo registry; return the manifest of planted cases (and its
    "as_of" date)."""
    rng = random.Random(seed * 7919 + 1)
    units = Units()
    orgs = _organisations()
    if not orgs:
        return {}
    builder = Builder(rng, orgs, units, scale)
    with transaction.atomic():
        admins, local = _administrators(rng, units)
        ministries = [a for a in admins.values() if a["kind"] == "central_ministry"]
        counts = {
            year: max(1, round(SOCIAL_ORDER_PROJECTS[year] * scale))
            for year, millions in SOCIAL_ORDER_MILLIONS.items()
            if millions is not None
        }
        grants = {year: max(1, round(n * scale)) for year, n in GRANT_PROJECTS.items()}
        prizes = {year: max(1, round(n * scale)) for year, n in AWARDS_PER_YEAR.items()}
        split_years = (2019, 2022, 2024)
        active = _active_ngos_by_year(orgs, counts)
        for year in counts:
            builder.target[year] = round(FUNDED_SHARE * active[year])
            builder.remaining[year] = (
                max(counts[year], 3 * split_years.count(year) + 1) + grants.get(year, 0) + prizes.get(year, 0)
            )
        rush = _rush_plans(rng, units, counts)
        planted = _plant_splits(builder, local, rng, split_years)  # part of their year's total: the series stays
        _plant_ineligible(builder, local, rng, planted)
        planted_count = Counter(award["awarded_on"].year for award in builder.awards)  # every award so far
        for year, count in counts.items():
            total = _scaled(SOCIAL_ORDER_MILLIONS[year], scale) - planted.get(year, 0)
            _social_order_year(
                builder, admins, local, ministries, year, total, max(1, count - planted_count[year]), rush.get(year, [])
            )
        _plant_price_dumping(builder, max(1, round(PRICE_DUMPING_PER_FULL_SIZE * scale)))
        _plant_charter_mismatch(builder, CHARTER_MISMATCHES)
        for year, millions in GRANT_MILLIONS.items():
            _operator_year(
                builder,
                admins["grant-operator"],
                Mechanism.STATE_GRANT,
                year,
                _scaled(millions, scale),
                grants[year],
            )
        for year, n in prizes.items():
            _operator_year(
                builder,
                admins["awards-secretariat"],
                Mechanism.NGO_AWARD,
                year,
                Decimal(NGO_AWARD_MCI * MCI[year] * n),
                n,
                equal=True,
            )
        for year, rate in USD_KZT.items():
            _foreign_year(builder, admins["intl-civic-fund"], year, rate, max(1, round(30 * scale)))
        _plant_double_funding(builder, max(1, round(DOUBLE_FUNDING_PER_FULL_SIZE * scale)))
        _plant_captive(builder, max(1, round(CAPTIVE_PER_FULL_SIZE * scale)))
        _spread_concentration(builder)
        _plant_concentration(builder)
        shared = _plant_shared_applicants(builder)
        received, overdue = _write(builder, admins, rng)
        filed = _demo_reports(builder, rng, received)
        return _manifest(builder, shared, overdue, filed)


def _administrators(rng: random.Random, units: Units) -> tuple[dict[str, dict], dict[tuple[str, str], str]]:
    """The demo's administrators, with valid BINs, and the local departments by (unit, slot). Every unit that
    ever existed has its akimat and departments, each giving awards only while its unit existed."""
    admins: dict[str, dict] = {}
    local: dict[tuple[str, str], str] = {}

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
    for code, region in units.rows.items():
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
        city_kk, city_ru, city_en = CITIES.get(code) or FORMER_CITIES[code]
        add(
            f"{akimat}-city",
            "district_department",
            f"{city_kk} қаласының ішкі саясат бөлімі (демо)",
            f"Отдел внутренней политики г. {city_ru} (демо)",
            f"{city_en} City Department of Internal Policy (demo)",
            code,
            akimat,
        )
        local[(code, "internal-policy")] = f"{akimat}-internal-policy"
        local[(code, "youth")] = f"{akimat}-youth"
        local[(code, "city")] = f"{akimat}-city"
        local[(code, "district")] = f"{akimat}-city"
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
            local[(code, "district")] = f"{akimat}-district"
    # Valid BINs (DOMAIN §2.4) so that open data can name every buyer: state bodies registered in the 1990s and
    # early 2000s (entity type 4), the foreign donor a representative office (type 5, attribute 2). Serials from
    # 90000 up, far above the demo organisations', so no BIN is shared.
    serial = 90000 + rng.randint(0, 999)
    for spec in admins.values():
        foreign = spec["kind"] == "foreign_donor"
        year, month = rng.randint(1995, 2005), rng.randint(1, 12)
        while True:
            serial += 1
            value = bin_build(
                year=year,
                month=month,
                serial=serial,
                entity_type="5" if foreign else "4",
                attribute="2" if foreign else "0",
            )
            if value and value not in PUBLIC_EXAMPLE_BINS:
                spec["bin"] = value
                break
    return admins, local


def _programme(builder: Builder, admin: dict, year: int, mechanism: str, field_code: str | None, amount: Decimal):
    key = (admin["code"], year, mechanism, field_code)
    programme = builder.programmes.setdefault(
        key, {"admin": admin["code"], "year": year, "mechanism": mechanism, "field": field_code, "budget": Decimal(0)}
    )
    programme["budget"] += amount
    return key


def _local_slot(rng: random.Random) -> str:
    return rng.choices([s for s, _k, _w in LOCAL_SLOTS], weights=[w for _s, _k, w in LOCAL_SLOTS])[0]


def _social_order_year(builder, admins, local, ministries, year, total, count, rush_plans) -> None:
    rng = builder.rng
    republican_share = REPUBLICAN_SHARE_BEFORE_2017 if year < 2017 else REPUBLICAN_SHARE_FROM_2017
    amounts = _split_amounts(rng, total, count)
    # The rushes take the year's smallest awards, so that their places do not upset the places' shares of money.
    order = sorted(range(count), key=lambda i: (amounts[i], i), reverse=True)
    rush_of: dict[int, RushPlan] = {}
    for plan in rush_plans:
        for _ in range(RUSH_AWARDS):
            if len(order) > 1:
                rush_of[order.pop()] = plan
    places = _allocate_places(rng, amounts, builder.place_shares, {i: p.place for i, p in rush_of.items()})
    # Which administrator gives each award: 2009's patronage case gives one ministry 74% of the money.
    givers: list[tuple | None] = [None] * count
    if year == 2009:
        target, taken = total * Decimal("0.74"), Decimal(0)
        for i in sorted(range(count), key=lambda i: -amounts[i]):
            if i not in rush_of and taken + amounts[i] <= target * Decimal("1.02"):
                givers[i] = ("central", "min-culture")
                taken += amounts[i]
    rushing = {local[(plan.place, "district")] for plan in rush_plans}
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i in range(count):
        if i in rush_of:
            continue
        if givers[i] is None:
            givers[i] = (
                ("central", rng.choice(ministries)["code"])
                if rng.random() < republican_share
                else ("local", places[i], _local_slot(rng))
            )
            if givers[i][0] == "local" and local[(places[i], givers[i][2])] in rushing:
                # A planted rush department gives no ordinary award in its rush year: ordinary awards of its own
                # would dilute (or, made in December, inflate) the planted shares.
                givers[i] = ("local", places[i], rng.choice(["internal-policy", "youth"]))
        groups[givers[i]].append(i)
    pilot_lots: list[dict] = []
    builder.giver_awards.update({(giver, year): len(indexes) for giver, indexes in groups.items()})
    for giver, indexes in groups.items():
        while indexes:
            size = min(len(indexes), rng.choice(COMPETITION_SIZES))
            chunk, indexes = indexes[:size], indexes[size:]
            pilot_lots += _competition(builder, admins, local, year, giver, chunk, amounts, places)
    for plan in rush_plans:
        mine = [i for i, p in rush_of.items() if p is plan]
        giver = ("local", plan.place, "district")
        if plan.kind == "awards":  # most of the year's awards made in December, in two competitions
            december = mine[:RUSH_DECEMBER_AWARDS]
            half = len(december) // 2
            for chunk in (december[:half], december[half:]):
                if chunk:
                    _competition(builder, admins, local, year, giver, chunk, amounts, places, months=[12])
            for i in mine[RUSH_DECEMBER_AWARDS:]:
                _competition(builder, admins, local, year, giver, [i], amounts, places, months=range(2, 11))
        else:  # awards through the year, every project ending in December
            for k in range(0, len(mine), 2):
                _competition(
                    builder, admins, local, year, giver, mine[k : k + 2], amounts, places, months=range(2, 9), rush=True
                )
        builder.planted["year_end_rush"].append((local[(plan.place, "district")], year))
    if year in PILOT_TENDERS:
        _pilot_applications(builder, year, pilot_lots)


def _competition(builder, admins, local, year, giver, chunk, amounts, places, months=None, rush=False) -> list[dict]:
    """One competition of the year with a lot and an award for each index in `chunk`; returns its lots."""
    rng, units = builder.rng, builder.units
    day = _award_day(rng, year, months, builder.month_deck)
    if not months and day.month == 12:
        # One ordinary December competition per administrator-year, more only while its December awards stay
        # within DECEMBER_CAP of its year's: two or three of a small administrator's competitions, several lots
        # each, falling in December made a year-end rush by chance (issue 15: 15 chance hits at the national size).
        spender = local[(units.on(giver[1], day), giver[2])] if giver[0] == "local" else giver[1]
        so_far = builder.december_awards[(spender, year)]
        # In a reform year a unit's awards are split between its old and new departments: one competition only.
        whole_year = giver[0] != "local" or units.on(giver[1], datetime.date(year, 1, 1)) == units.on(giver[1], day)
        base = builder.giver_awards.get((giver, year), 0) if whole_year else 0
        if so_far and so_far + len(chunk) > DECEMBER_CAP * base:
            day = _award_day(rng, year, range(1, 12))
        else:
            builder.december_awards[(spender, year)] += len(chunk)
    announced = max(datetime.date(year, 1, 5), day - datetime.timedelta(days=rng.randint(35, 60)))
    if giver[0] == "local":
        place, slot = giver[1], giver[2]
        unit = units.on(place, day)
        if units.on(place, announced) != unit:  # a reform between the call and the award: call after it
            announced = units.rows[unit].valid_from
            day = max(day, announced + datetime.timedelta(days=25 + rng.randint(0, 20)))
        admin = admins[local[(unit, slot)]]
    else:
        admin = admins[giver[1]]
    competition = CompetitionSpec(
        admin=admin["code"],
        mechanism=Mechanism.SOCIAL_ORDER,
        year=year,
        reference=f"SO-{year}-{len(builder.competitions) + 1:05d}",
        title=f"{MECHANISM_TITLES[Mechanism.SOCIAL_ORDER]} {year} — {admin['name_ru'].replace(' (демо)', '')}",
        announced_on=announced,
        deadline_on=announced + datetime.timedelta(days=20),
        decided_on=max(announced + datetime.timedelta(days=21), day - datetime.timedelta(days=3)),
        lots=[],
    )
    builder.competitions.append(competition)
    pilot = year in PILOT_TENDERS
    winners: set[int] = set()  # each lot its own winner: one recipient of every lot is planted (captive recipient)
    for number, i in enumerate(chunk, start=1):
        newborn = not pilot and not rush and rng.random() < NEWBORN_SHARE
        recipient = builder.pick_recipient(admin["code"], day, places[i], newborn=newborn, exclude=winners)
        winners.add(recipient.id)
        _lot_with_award(
            builder,
            competition,
            number,
            admin,
            recipient,
            amounts[i],
            day,
            places[i],
            Mechanism.SOCIAL_ORDER,
            applicants=0 if pilot else _applicant_count(rng),
            ends_in_december=rush,
        )
    return competition["lots"]


def _applicant_count(rng: random.Random) -> int:
    return rng.choices([1, 2, 3, 4, 5, 6], weights=[25, 30, 22, 12, 7, 4])[0]


def _lot_with_award(
    builder,
    competition,
    number,
    admin,
    recipient,
    amount,
    day,
    place,
    mechanism,
    applicants,
    lot=None,
    ends_in_december=False,
) -> dict:
    rng, units = builder.rng, builder.units
    field_code = rng.choice(recipient.fields) if recipient.fields else "other"
    if lot is not None and lot["field"] in recipient.fields:
        field_code = lot["field"]  # a theme's lot: the winner's project is on the theme
    if lot is None:
        ratio = rng.uniform(*ORDINARY_PRICE)
        outlier = (
            mechanism == Mechanism.SOCIAL_ORDER and competition["announced_on"] < PRICE_REFORM and rng.random() < 0.01
        )
        if outlier:
            ratio = HEAVY_DUMPING  # 1% before the reform: heavy dumping, a planted price outlier
        lot = LotSpec(
            number=number,
            title=builder.lot_title(number, field_code),
            field=field_code,
            place=place,
            region=units.on(place, competition["announced_on"]),  # the unit on the day of the call
            # Rounded down, so that amount / plan is never below the ratio drawn (an ordinary 80% stays 80%).
            planned_amount=(amount / Decimal(str(ratio))).quantize(Decimal(1), rounding=ROUND_FLOOR),
            applications=[],
        )
        competition["lots"].append(lot)
        _applications(builder, lot, recipient, day, applicants, amount)
    else:
        outlier = False
        existing = next((a for a in lot["applications"] if a["org"] == recipient.id), None)
        if existing is None:
            lot["applications"].append(ApplicationSpec(org=recipient.id, outcome="won", amount=amount, on=day))
        else:  # an applicant already on this theme's lot: one application, now a winning one
            existing.update(outcome="won", reason="", amount=amount)
    starts = day + datetime.timedelta(days=rng.randint(0, 20))
    if mechanism == Mechanism.NGO_AWARD:
        starts, ends = None, None
    elif ends_in_december:
        ends = max(datetime.date(day.year, 12, rng.randint(1, 28)), starts + datetime.timedelta(days=60))
    else:
        ends = _project_end(rng, starts, mechanism)
        if mechanism == Mechanism.STATE_GRANT and ends.month == 12:
            # The operator decides once a year, so its few projects end close together: a December cluster of
            # them would be a year-end rush of completions by chance. Its projects end by November instead.
            ends = datetime.date(ends.year, 11, 30) - datetime.timedelta(days=rng.randint(0, 45))
    award = AwardSpec(
        admin=admin["code"],
        mechanism=mechanism,
        recipient=recipient.id,
        competition=competition,
        lot=lot,
        amount=amount,
        awarded_on=day,
        starts_on=starts,
        ends_on=ends,
        field=field_code,
        region=units.on(place, day),  # the unit on the award's date
        currency="KZT",
        amount_original=None,
        title=builder.project_title(field_code, f"{_place(place)}, {day.year}"),
        rush=ends_in_december,  # a planted completion rush: never terminated, or it would count one short
    )
    if outlier:
        builder.planted["price_outlier"].append(award)
    builder.record(award)
    return lot


def _place(region: str) -> str:
    """The city a project names in its title, in Russian."""
    return CITIES.get(region, ("", region, region))[1]


def _applications(builder, lot, winner, day, count, amount) -> None:
    """The winner's application and count - 1 others. The first other is a losing eligible applicant, so a lot
    drawn with two or more applicants never ends with a single admissible one; 2% of the others are planted
    ineligible applicants, rejected."""
    rng = builder.rng
    lot["applications"].append(ApplicationSpec(org=winner.id, outcome="won", amount=amount, on=day))
    seen = {winner.id}
    for attempt in range(20 * count):
        if len(lot["applications"]) >= count:
            break
        first = len(lot["applications"]) == 1
        if not first and builder.ineligible and rng.random() < 0.02:
            other = rng.choice(builder.ineligible)
            outcome, reason = "rejected", INELIGIBLE_REJECTION
        else:
            other = rng.choice(builder.eligible_by_place[lot["place"]] or builder.eligible)
            if attempt > 10 * count:
                other = rng.choice(builder.eligible)
            roll = rng.random()
            outcome, reason = (
                ("lost", "")
                if first or roll >= 0.2
                else (("rejected", rng.choice(REJECTIONS)) if roll < 0.15 else ("withdrawn", ""))
            )
        if other.id in seen or not other.available_on(day, 60):
            continue
        seen.add(other.id)
        lot["applications"].append(
            ApplicationSpec(
                org=other.id,
                outcome=outcome,
                reason=reason,
                on=day,
                amount=(amount * Decimal(str(rng.uniform(0.85, 1.1)))).quantize(Decimal(1000)),
            )
        )


def _pilot_applications(builder: Builder, year: int, lots: list[dict]) -> None:
    """The pilot tenders' applications as Pierobon's Table 2 gives them, scaled: `applications` in all from
    `organisations` distinct organisations, each lot with its winner and at least one losing applicant where the
    numbers allow."""
    rng = builder.rng
    if not lots:
        return
    applications, organisations = PILOT_TENDERS[year]
    n = len(lots)
    winners = list(dict.fromkeys(a["org"] for lot in lots for a in lot["applications"]))
    total = max(n, round(applications * builder.scale))
    distinct = max(len(winners), min(round(organisations * builder.scale), total - n + len(winners)))
    day = min(lot["applications"][0]["on"] for lot in lots)
    taken = set(winners)
    candidates = [o for o in builder.eligible if o.id not in taken and o.available_on(day, 60)]
    others = rng.sample(candidates, k=min(len(candidates), distinct - len(winners)))
    capacity = [total // n + (1 if k < total % n else 0) for k in range(n)]
    members = [{a["org"] for a in lot["applications"]} for lot in lots]

    def place(org: OrgInfo, lot_index: int) -> None:
        lot = lots[lot_index]
        lost = len(lot["applications"]) == 1 or rng.random() >= 0.12
        amount = lot["applications"][0]["amount"]
        lot["applications"].append(
            ApplicationSpec(
                org=org.id,
                outcome="lost" if lost else "rejected",
                reason="" if lost else rng.choice(REJECTIONS),
                on=lot["applications"][0]["on"],
                amount=(amount * Decimal(str(rng.uniform(0.85, 1.1)))).quantize(Decimal(1000)),
            )
        )
        members[lot_index].add(org.id)

    for org in others:  # every organisation once
        free = [k for k in range(n) if len(lots[k]["applications"]) < capacity[k]]
        if not free:
            break
        place(org, max(free, key=lambda k: (capacity[k] - len(lots[k]["applications"]), -k)))
    pool = [builder.by_id[w] for w in winners] + others
    for k in range(n):  # then the repeat applications, to lots an organisation has not applied to yet
        while len(lots[k]["applications"]) < capacity[k]:
            choices = [o for o in pool if o.id not in members[k]]
            if not choices:
                break
            place(rng.choice(choices), k)


def _operator_year(builder, admin, mechanism, year, total, count, equal=False) -> None:
    rng = builder.rng
    amounts = [total / count] * count if equal else _split_amounts(rng, total, count, spread=0.4)
    day = _award_day(rng, year, OPERATOR_MONTHS)
    announced = day - datetime.timedelta(days=60)
    label = MECHANISM_TITLES[mechanism]
    competition = CompetitionSpec(
        admin=admin["code"],
        mechanism=mechanism,
        year=year,
        reference=f"{mechanism[:2].upper()}-{year}",
        title=f"{label} {year}",
        announced_on=announced,
        deadline_on=announced + datetime.timedelta(days=25),
        decided_on=day - datetime.timedelta(days=2),
        lots=[],
    )
    builder.competitions.append(competition)
    lots_by_field: dict[str, dict] = {}
    winners: set[int] = set()
    places, weights = list(builder.place_shares), list(builder.place_shares.values())
    for amount in amounts:
        place = rng.choices(places, weights=weights)[0]
        recipient = builder.pick_recipient(admin["code"], day, place, exclude=winners)  # one win per call
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
                place,
                mechanism,
                applicants=rng.randint(4, 9),
            )
            lot["planned_amount"] = (amount * 20).quantize(Decimal(1))  # a theme's budget, shared by its winners
            lots_by_field[field_code] = lot
        else:
            _lot_with_award(
                builder, competition, lot["number"], admin, recipient, amount, day, place, mechanism, 0, lot=lot
            )


def _foreign_year(builder, admin, year, rate, count) -> None:
    rng, units = builder.rng, builder.units
    places, weights = list(builder.place_shares), list(builder.place_shares.values())
    for _ in range(count):
        day = _award_day(rng, year)
        place = rng.choices(places, weights=weights)[0]
        recipient = builder.pick_recipient(admin["code"], day, place, state=False)
        usd = Decimal(rng.choice([5000, 10000, 15000, 25000, 40000]))
        starts = day + datetime.timedelta(days=rng.randint(0, 30))
        builder.record(
            AwardSpec(
                admin=admin["code"],
                mechanism=Mechanism.FOREIGN_GRANT,
                recipient=recipient.id,
                competition=None,
                lot=None,
                amount=usd * rate,
                awarded_on=day,
                starts_on=starts,
                ends_on=starts + datetime.timedelta(days=rng.randint(180, 540)),
                field=(recipient.fields or ["other"])[0],
                region=units.on(place, day),
                currency="USD",
                amount_original=usd,
                title=f"Грант на гражданскую инициативу ({year})",
            )
        )


def _direct_award(builder, admin_code, org, day, amount, title, ends) -> dict:
    award = AwardSpec(
        admin=admin_code,
        mechanism=Mechanism.SOCIAL_ORDER,
        recipient=org.id,
        competition=None,
        lot=None,
        amount=amount,
        awarded_on=day,
        starts_on=day + datetime.timedelta(days=3),
        ends_on=ends,
        field=(org.fields or ["community"])[0],
        region=builder.units.on(builder.admin_place[admin_code], day),
        currency="KZT",
        amount_original=None,
        title=title,
    )
    builder.record(award)
    return award


def _plant_splits(builder, local, rng, years) -> dict[int, Decimal]:
    """Three awards each just under the threshold, to one recipient, from one department, within a month."""
    planted: dict[int, Decimal] = {}
    for year in years:
        place = rng.choice(builder.units.stable)
        admin = local[(place, "district")]
        builder.admin_place[admin] = place
        threshold = split_threshold(year)
        day = datetime.date(year, 6, 3)
        recipient = builder.pick_recipient(admin, day, place)
        for k in range(3):
            when = day + datetime.timedelta(days=9 * k)
            amount = (threshold * Decimal(str(rng.uniform(0.95, 0.995)))).quantize(Decimal(1000))
            if k:
                builder._took(recipient, year, True, admin=admin)
            award = _direct_award(
                builder,
                admin,
                recipient,
                when,
                amount,
                f"Общественные мероприятия, часть {k + 1} ({year})",
                when + datetime.timedelta(days=rng.randint(90, 150)),
            )
            builder.planted["threshold_splitting"].append(award)
            planted[year] = planted.get(year, Decimal(0)) + amount
    return planted


def _plant_ineligible(builder, local, rng, planted: dict[int, Decimal]) -> None:
    """Two direct awards that break the recipient rules (DOMAIN §5, ineligible recipient): one to an
    organisation whose legal form is not an NGO, one to an organisation already liquidated or reorganised.
    An officer's entry is refused such an award; in the registry they arise when a record is corrected after
    the award was entered (a liquidation registered late, a legal form put right), which the flag catches."""
    cases = []
    first = datetime.date(2022, 9, 14)
    ineligible = [o for o in builder.ineligible if builder.seasoned(o, first)]
    if ineligible:
        cases.append((rng.choice(ineligible), first))
    ceased = [
        o
        for o in builder.eligible
        if o.ceased_on
        and datetime.date(2019, 1, 1) <= o.ceased_on <= datetime.date(2025, 6, 30)
        and months_old(o.registered_on, o.ceased_on) >= 13
    ]
    if ceased:
        org = rng.choice(ceased)
        cases.append((org, org.ceased_on + datetime.timedelta(days=45)))
    for org, day in cases:
        place = rng.choice(builder.units.stable)
        admin = local[(place, "district")]
        builder.admin_place[admin] = place
        amount = Decimal(rng.randint(2, 6) * 1_000_000)
        builder._took(org, day.year, True, again=False, admin=admin)
        # The project runs 90-200 days from its start: a fixed end (15 December) came before the start for an
        # award made after 12 December, which the award_period constraint refused (issue 15).
        award = _direct_award(
            builder,
            admin,
            org,
            day,
            amount,
            f"Поддержка местного сообщества (без конкурса, {day.year})",
            day + datetime.timedelta(days=3 + rng.randint(90, 200)),
        )
        builder.planted["ineligible_recipient"].append(award)
        planted[day.year] = planted.get(day.year, Decimal(0)) + amount


def _lot_awards(builder: Builder, mechanism: str = Mechanism.SOCIAL_ORDER) -> list[dict]:
    """Ordinary awards of a lot of their own: not planted for another flag, not to a planted captive recipient, and
    not in the pilot years."""
    taken = {id(a) for specs in builder.planted.values() for a in specs if isinstance(a, AwardSpec)}
    captive = set(builder.planted["captive_recipient"])
    return [
        a
        for a in builder.awards
        if a["mechanism"] == mechanism
        and a["lot"] is not None
        and a["competition"]["year"] not in PILOT_TENDERS
        and id(a) not in taken
        and a["recipient"] not in captive
    ]


def _plant_price_dumping(builder: Builder, count: int) -> None:
    """Price dumping (DOMAIN §3.1: the 2015 reform limits it to 20% below plan): ordinary social-order awards
    from competitions announced on or after 2 December 2015 are 80-100% of their lot's plan; `count` are put at
    55-79%."""
    rng = builder.rng
    candidates = [a for a in _lot_awards(builder) if a["competition"]["announced_on"] >= PRICE_REFORM]
    for award in rng.sample(candidates, k=min(count, len(candidates))):
        ratio = Decimal(str(round(rng.uniform(*DUMPED_PRICE), 4)))
        award["lot"]["planned_amount"] = (award["amount"] / ratio).quantize(Decimal(1), rounding=ROUND_CEILING)
        builder.planted["price_dumping"].append(award)


def _plant_charter_mismatch(builder: Builder, count: int) -> None:
    """A project outside the recipient's charter (DOMAIN §2.6: a funded project's theme must fall within it):
    `count` social-order awards whose field (and their lot's) is one the recipient does not work in."""
    rng = builder.rng
    everything = list(FIELD_CODES)
    candidates = [
        a for a in _lot_awards(builder) if set(builder.by_id[a["recipient"]].fields) < set(everything) and a["field"]
    ]
    for award in rng.sample(candidates, k=min(count, len(candidates))):
        recipient = builder.by_id[award["recipient"]]
        outside = rng.choice([f for f in everything if f not in recipient.fields])
        award["field"] = award["lot"]["field"] = outside
        award["lot"]["title"] = builder.lot_title(award["lot"]["number"], outside)
        award["title"] = builder.project_title(outside, award["title"].rsplit(" (", 1)[-1].removesuffix(")"))
        builder.planted["charter_mismatch"].append(award)


def _reassignable(builder: Builder, award: dict, org: OrgInfo, *, whole_competition: bool = False) -> bool:
    """Whether an ordinary lot award can go to `org` instead without making a case of another kind: `org` is
    seasoned, has not applied to the lot and (unless `whole_competition`) wins no other lot of the competition;
    the former recipient is not left funded by one administrator alone over CAPTIVE_YEARS years."""
    lot, old = award["lot"], award["recipient"]
    if any(a["org"] == org.id for a in lot["applications"]) or not builder.seasoned(org, award["awarded_on"]):
        return False
    if not whole_competition and any(
        a["recipient"] == org.id for a in builder.awards if a["competition"] is award["competition"]
    ):
        return False
    rest = [
        a for a in builder.awards if a is not award and a["recipient"] == old and a["mechanism"] in STATE_MECHANISMS
    ]
    return not (
        rest and len({a["admin"] for a in rest}) == 1 and len({a["awarded_on"].year for a in rest}) >= CAPTIVE_YEARS
    )


def _reassign(builder: Builder, award: dict, org: OrgInfo, field_code: str) -> None:
    """Give an ordinary social-order lot award to `org` instead (checked by `_reassignable`), on `field_code`, one
    of its fields, for a planted case: its winning application, its lot's field and the titles follow."""
    lot, old = award["lot"], award["recipient"]
    for application in lot["applications"]:
        if application["org"] == old and application["outcome"] == "won":
            application["org"] = org.id
    award["recipient"] = org.id
    award["field"] = lot["field"] = field_code
    lot["title"] = builder.lot_title(lot["number"], field_code)
    award["title"] = builder.project_title(field_code, award["title"].rsplit(" (", 1)[-1].removesuffix(")"))
    start = award["starts_on"] or award["awarded_on"]
    builder.history[org.id][award["admin"]].add(award["awarded_on"].year)
    builder.spans[org.id].append((award["admin"], award["region"], start, award["ends_on"] or start))


def _overlap(one: dict, other: dict) -> bool:
    return one["starts_on"] <= other["ends_on"] and other["starts_on"] <= one["ends_on"]


def _double_funding_pairs(rng: random.Random, candidates: list[dict]) -> Iterator[tuple[dict, dict]]:
    """Every ordered pair of `candidates` of one year and region that could be a double funding pair (two
    administrators, two recipients, overlapping periods, amounts within 70% of each other), in a random order.
    The pairs grow with the square of the data (about 28 million at ten times the national size), so each is held
    as one number in an array, not as a tuple (64 bytes): the one's index in `candidates` times the largest group's
    size plus the other's place in their group, 4 bytes while that fits (8 beyond), decoded as read.
    random.shuffle's permutation depends only on the sequence's length, so the order is the one a list of the same
    pairs, made in the same order, would have."""
    by_place: dict[tuple, list[tuple]] = defaultdict(list)
    for index, a in enumerate(candidates):
        facts = (index, a["admin"], a["recipient"], a["starts_on"], a["ends_on"], a["amount"])
        by_place[(a["awarded_on"].year, a["region"])].append(facts)
    groups = list(by_place.values())
    width = max(map(len, groups), default=1)
    group_of = [0] * len(candidates)  # each candidate's group, by number
    for number, group in enumerate(groups):
        for facts in group:
            group_of[facts[0]] = number
    codes = array("i" if len(candidates) * width < 2**31 else "q")
    for group in groups:
        for i, admin, recipient, starts, ends, amount in group:
            codes.extend(
                i * width + place
                for place, (_, admin2, recipient2, starts2, ends2, amount2) in enumerate(group)
                if admin != admin2
                and recipient != recipient2
                and starts <= ends2
                and starts2 <= ends
                and min(amount, amount2) >= SIMILAR_AMOUNTS * max(amount, amount2)
            )
    rng.shuffle(codes)
    for code in codes:
        i, place = divmod(code, width)
        yield candidates[i], candidates[groups[group_of[i]][place][0]]


def _plant_double_funding(builder: Builder, count: int) -> None:
    """Double funding (DOMAIN §5: same recipient, similar project, two administrators, overlapping periods):
    `count` pairs of ordinary social-order awards of one year and region, from two administrators, with
    overlapping periods and amounts within 70% of each other; the second goes to the first's recipient, on the
    first's field and with its title. The ordinary records never pair so (Builder.clear)."""
    candidates = [a for a in _lot_awards(builder) if a["ends_on"] is not None]
    # The state projects with an end, by recipient (kept as recipients change below): what the check that a pair
    # is the whole case reads, instead of every award for every pair tried.
    projects: dict[int, list[dict]] = defaultdict(list)
    for award in builder.awards:
        if award["mechanism"] in STATE_MECHANISMS and award["ends_on"] is not None:
            projects[award["recipient"]].append(award)
    used: set[int] = set()
    for one, other in _double_funding_pairs(builder.rng, candidates):
        if count <= 0:
            break
        org = builder.by_id[one["recipient"]]
        if {id(one), id(other), one["recipient"], other["recipient"]} & used:
            continue
        # No other project of the recipient in that region and time, so the pair is the whole case.
        if any(s is not one and s["region"] == one["region"] and _overlap(s, other) for s in projects.get(org.id, ())):
            continue
        if not _reassignable(builder, other, org):
            continue
        projects[other["recipient"]].remove(other)
        projects[org.id].append(other)
        _reassign(builder, other, org, one["field"])
        other["title"] = one["title"]
        builder.planted["double_funding"] += [one, other]
        used |= {id(one), id(other), one["recipient"], other["recipient"]}
        count -= 1


def _plant_captive(builder: Builder, count: int) -> None:
    """Captive recipients (DOMAIN §5): `count` organisations never funded otherwise, each given three ordinary
    social-order awards of one department in three different years; and one competition of two or more lots
    whose every lot goes to one organisation never funded otherwise."""
    rng = builder.rng
    funded = {a["recipient"] for a in builder.awards}
    spare = [o for o in builder.eligible if o.id not in funded and o.fields]
    rng.shuffle(spare)
    by_admin: dict[str, list[dict]] = defaultdict(list)
    for award in _lot_awards(builder):
        if award["admin"].startswith("akimat-"):
            by_admin[award["admin"]].append(award)
    admins = sorted(code for code, awards in by_admin.items() if len({a["awarded_on"].year for a in awards}) >= 4)
    rng.shuffle(admins)
    for admin in admins:
        if count <= 0:
            break
        years: dict[int, list[dict]] = defaultdict(list)
        for award in by_admin[admin]:
            years[award["awarded_on"].year].append(award)
        chosen = [rng.choice(years[y]) for y in sorted(rng.sample(sorted(years), k=CAPTIVE_YEARS))]
        first = min(a["awarded_on"] for a in chosen)
        org = next(
            (o for o in spare if builder.seasoned(o, first) and all(o.available_on(a["awarded_on"]) for a in chosen)),
            None,
        )
        if org is None:
            continue
        spare.remove(org)
        if all(_reassignable(builder, a, org) for a in chosen):
            for award in chosen:
                _reassign(builder, award, org, org.fields[0])
            builder.planted["captive_recipient"].append(org.id)
            count -= 1
    competitions = [
        c
        for c in builder.competitions
        if c["mechanism"] == Mechanism.SOCIAL_ORDER and len(c["lots"]) >= 2 and c["year"] not in PILOT_TENDERS
    ]
    ordinary = {id(a) for a in _lot_awards(builder)}
    rng.shuffle(competitions)
    for competition in competitions:
        awards = [a for a in builder.awards if a["competition"] is competition]
        if len(awards) != len(competition["lots"]) or not all(id(a) in ordinary for a in awards):
            continue
        day = awards[0]["awarded_on"]
        org = next((o for o in spare if builder.seasoned(o, day)), None)
        if org is None:
            return
        if all(_reassignable(builder, a, org, whole_competition=True) for a in awards):
            for award in awards:
                _reassign(builder, award, org, org.fields[0])
            builder.planted["captive_recipient"].append(org.id)
            return


def _swap_amounts(one: dict, two: dict) -> None:
    """Two ordinary lot awards exchange amount and plan (each lot's price ratio stays), their bids following."""
    for award, amount in ((one, two["amount"]), (two, one["amount"])):
        factor = amount / award["amount"]
        for application in award["lot"]["applications"]:
            application["amount"] = (
                amount if application["outcome"] == "won" else (application["amount"] * factor).quantize(Decimal(1000))
            )
    one["lot"]["planned_amount"], two["lot"]["planned_amount"] = (
        two["lot"]["planned_amount"],
        one["lot"]["planned_amount"],
    )
    one["amount"], two["amount"] = two["amount"], one["amount"]


class _Concentration:
    """The HHI of each administrator-year's recipients (DOMAIN §5), as the flag reads it, over the builder's
    state awards, before and after two awards swap amounts."""

    def __init__(self, builder: Builder) -> None:
        self.groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
        for award in builder.awards:
            if award["mechanism"] in STATE_MECHANISMS:
                self.groups[(award["admin"], award["awarded_on"].year)].append(award)

    def of(self, group: tuple[str, int], swap: dict[int, Decimal] | None = None) -> Decimal:
        """The group's HHI, or 0 when it has fewer than 5 recipients (the flag does not judge those)."""
        sums: dict[int, Decimal] = defaultdict(Decimal)
        for a in self.groups[group]:
            sums[a["recipient"]] += (swap or {}).get(id(a), a["amount"])
        total = sum(sums.values(), Decimal(0))
        if len(sums) < 5 or not total:
            return Decimal(0)
        return sum(((a * 100 / total) ** 2 for a in sums.values()), Decimal(0))

    @staticmethod
    def swapped(one: dict, two: dict) -> dict[int, Decimal]:
        return {id(one): two["amount"], id(two): one["amount"]}


def _level(admin: str) -> str:
    """The budget an administrator spends: swaps stay within one, so the republican and local shares hold."""
    return "local" if admin.startswith("akimat-") else "republican" if admin.startswith("min-") else admin


def _swappable(builder: Builder) -> list[dict]:
    """Ordinary social-order lot awards whose amounts may be exchanged: not of the planted concentration, and not
    the 2009 patronage case's ministry (its 74% of the year's money is calibrated)."""
    planted = set(builder.planted["concentration"])
    return [
        a
        for a in _lot_awards(builder)
        if (a["admin"], a["awarded_on"].year) not in planted
        and not (a["admin"] == "min-culture" and a["awarded_on"].year == 2009)
    ]


def _spread_concentration(builder: Builder) -> None:
    """Ordinary administrator-years are never concentrated (an HHI of 2,500 or more over 5+ recipients): one of
    the year's ordinary awards swaps amounts (and plans) with an ordinary award of another administrator of the same
    budget in the same region and year whose own year stays below 2,500, the swap that lowers the index most,
    until the year is below it. Yearly totals, each region's money and the budgets' shares are unchanged."""
    hhi = _Concentration(builder)
    # The ordinary awards by administrator-year (a year's own) and by budget, year and region (its partners), each
    # in the order of _swappable; swaps change amounts only, never these keys.
    mine_of: dict[tuple[str, int], list[dict]] = defaultdict(list)
    partners_of: dict[tuple[str, int, str], list[dict]] = defaultdict(list)
    for award in _swappable(builder):
        mine_of[(award["admin"], award["awarded_on"].year)].append(award)
        partners_of[(_level(award["admin"]), award["awarded_on"].year, award["region"])].append(award)
    for group in sorted(hhi.groups):
        for _attempt in range(5):
            now = hhi.of(group)
            if now < 2500:
                break
            swaps = (
                (hhi.of(group, hhi.swapped(one, other)), one["amount"], other["amount"], one, other)
                for one in mine_of.get(group, ())
                for other in partners_of.get((_level(group[0]), group[1], one["region"]), ())
                if other["admin"] != group[0] and other["amount"] != one["amount"]
            )
            # The lowest (index, amounts), the first of equals in the order made: what a stable sort puts first.
            best = min(
                (
                    swap
                    for swap in swaps
                    if swap[0] < now and hhi.of((swap[4]["admin"], group[1]), hhi.swapped(swap[3], swap[4])) < 2500
                ),
                key=lambda swap: swap[:3],
                default=None,
            )
            if best is None:
                break
            _swap_amounts(best[3], best[4])


def _plant_concentration(builder: Builder) -> None:
    """Funding concentration (DOMAIN §5): a local department-year with five or more recipients, one of them
    dominant (an HHI of at least PLANTED_HHI). Its smallest ordinary award swaps amount and plan with a larger
    ordinary award of another local department in the same region and year, whose year stays unconcentrated."""
    rng = builder.rng
    hhi = _Concentration(builder)
    ordinary = [a for a in _swappable(builder) if _level(a["admin"]) == "local"]
    groups = sorted(g for g in hhi.groups if _level(g[0]) == "local")
    rng.shuffle(groups)
    for group in groups:
        mine = [a for a in ordinary if (a["admin"], a["awarded_on"].year) == group]
        if not mine or len({a["recipient"] for a in hhi.groups[group]}) < 5:
            continue
        small = min(mine, key=lambda a: a["amount"])
        donors = sorted(
            (
                a
                for a in ordinary
                if a["admin"] != group[0] and a["awarded_on"].year == group[1] and a["region"] == small["region"]
            ),
            key=lambda a: (-a["amount"], a["admin"]),
        )
        for large in donors:
            swap = hhi.swapped(small, large)
            if hhi.of(group, swap) < PLANTED_HHI:
                break  # the largest donors come first: none will do
            if hhi.of((large["admin"], group[1]), swap) < 2500:
                _swap_amounts(small, large)
                builder.planted["concentration"].append(group)
                return


FIELD_CODES = (
    "environment",
    "children_youth",
    "women",
    "health",
    "culture_education",
    "human_rights",
    "social_welfare",
    "community",
    "disability",
)


def _plant_shared_applicants(builder: Builder) -> dict[str, list[int]]:
    """The registry's planted shared phones (registry/demo.py gives every other organisation its own phone and
    address): each organisation of a group that has not applied yet applies, and loses, on a social-order lot
    with two or more applicants, so that the shared-contacts flag (applicants and recipients) has them all.
    Returns the groups by phone."""
    rng = builder.rng
    groups: dict[str, list[int]] = defaultdict(list)
    for org_id, phone in Organisation.objects.exclude(phone="").order_by("id").values_list("id", "phone"):
        digits = "".join(ch for ch in phone if ch.isdigit())[-10:]
        groups[digits].append(org_id)
    shared = {phone: ids for phone, ids in groups.items() if len(ids) > 1}
    lots = [
        (a["lot"], a["awarded_on"])
        for a in _lot_awards(builder)
        if len(a["lot"]["applications"]) >= 2 and a["awarded_on"].year >= 2010
    ]
    applied = {app["org"] for c in builder.competitions for lot in c["lots"] for app in lot["applications"]}
    applied |= {a["recipient"] for a in builder.awards}
    for ids in shared.values():
        for org_id in ids:
            org = builder.by_id.get(org_id)
            if org is None or org_id in applied:
                continue
            usable = [
                (lot, day)
                for lot, day in lots
                if org.available_on(day, 60) and all(app["org"] != org_id for app in lot["applications"])
            ]
            if not usable:
                continue
            lot, day = rng.choice(usable)
            lot["applications"].append(
                ApplicationSpec(
                    org=org_id,
                    outcome="lost",
                    reason="",
                    on=day,
                    amount=(lot["planned_amount"] * Decimal(str(rng.uniform(0.85, 1.0)))).quantize(Decimal(1000)),
                )
            )
            applied.add(org_id)
    return shared


def _write(builder: Builder, admins: dict[str, dict], rng: random.Random) -> tuple[Received, list[tuple[str, int]]]:
    """Write the built funding, each table in batches of model instances made as they are written (the builder's
    specs are the only whole-demo data held; they keep the new ids and public ids). The random draws come in the
    order they always did: competitions' public ids, applications' dates, each award's public id and status, then
    each award's history. Returns the money received by (organisation, year, income field), for the yearly
    reports, and the overdue evaluation reports as (award public id, award year), for the manifest."""
    admin_rows = {}
    for code, spec in admins.items():  # parents first: akimats precede their departments in the dict
        admin_rows[code] = Administrator.objects.create(
            code=code,
            kind=spec["kind"],
            name_kk=spec["name_kk"],
            name_ru=spec["name_ru"],
            name_en=spec["name_en"],
            bin=spec["bin"],
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
                title=f"{MECHANISM_TITLES[p['mechanism']]} {p['year']}"
                + (f": {builder.field_names[p['field']].lower()}" if p["field"] else ""),
                budget=(p["budget"] * Decimal("1.05")).quantize(Decimal(1000)),
            )
            for p in builder.programmes.values()
        ],
        batch_size=BATCH,
    )
    for key, row in zip(builder.programmes, created, strict=True):
        programme_rows[key] = row

    def competition_row(c: dict) -> Competition:
        c["public_id"] = new_local_id(rng)
        return Competition(
            administrator=admin_rows[c["admin"]],
            programme=programme_rows.get(c.get("programme")),
            mechanism=c["mechanism"],
            public_id=c["public_id"],
            reference=c["reference"],
            title=c["title"],
            announced_on=c["announced_on"],
            deadline_on=c["deadline_on"],
            decided_on=c["decided_on"],
        )

    comp_ids = insert_in_batches(Competition, (competition_row(c) for c in builder.competitions), BATCH)
    for c, pk in zip(builder.competitions, comp_ids, strict=True):
        c["id"] = pk
    lots = [(c["id"], lot) for c in builder.competitions for lot in c["lots"]]
    lot_ids = insert_in_batches(
        Lot,
        (
            Lot(
                competition_id=comp_id,
                number=lot["number"],
                title=lot["title"],
                field_id=lot["field"],
                region_id=lot["region"],
                planned_amount=lot["planned_amount"],
            )
            for comp_id, lot in lots
        ),
        BATCH,
    )
    for (_, lot), pk in zip(lots, lot_ids, strict=True):
        lot["id"] = pk
    del lots, lot_ids
    insert_in_batches(
        Application,
        (
            Application(
                lot_id=lot["id"],
                applicant_id=a["org"],
                amount_requested=a["amount"],
                submitted_on=a["on"] - datetime.timedelta(days=rng.randint(20, 40)),
                outcome=a["outcome"],
                rejection_reason=a.get("reason", ""),
            )
            for c in builder.competitions
            for lot in c["lots"]
            for a in lot["applications"]
        ),
        BATCH,
    )

    def award_row(a: dict) -> Award:
        a["public_id"] = new_local_id(rng)
        a["status"] = _final_status(a, rng)
        return Award(
            public_id=a["public_id"],
            mechanism=a["mechanism"],
            recipient_id=a["recipient"],
            administrator=admin_rows[a["admin"]],
            competition_id=a["competition"]["id"] if a["competition"] else None,
            lot_id=a["lot"]["id"] if a["lot"] else None,
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
            status=a["status"],
        )

    award_ids = insert_in_batches(Award, (award_row(a) for a in builder.awards), BATCH)
    for a, pk in zip(builder.awards, award_ids, strict=True):
        a["id"] = pk
    del award_ids
    # Each award's history, a batch of awards at a time: every table's rows come in the same order as when the
    # whole history was gathered first, so they get the same ids.
    received: Received = defaultdict(lambda: defaultdict(Decimal))
    overdue: list[tuple[str, int]] = []
    chunk = BATCH // 4  # an award has at most 3 status events, 2 payments, an evaluation and an amendment
    for first in range(0, len(builder.awards), chunk):
        events, payments, evaluations, amendments = [], [], [], []
        for spec in builder.awards[first : first + chunk]:
            _history(spec, rng, events, payments, evaluations, amendments)
        for model, rows in (
            (AwardStatusEvent, events),
            (Payment, payments),
            (Evaluation, evaluations),
            (Amendment, amendments),
        ):
            model.objects.bulk_create(rows, batch_size=BATCH)
        by_id = {spec["id"]: spec for spec in builder.awards[first : first + chunk]}
        for payment in payments:
            award = by_id[payment.award_id]
            received[(award["recipient"], payment.paid_on.year)][MECHANISM_INCOME[award["mechanism"]]] += payment.amount
        for evaluation in evaluations:
            if evaluation.report_received_on is None and evaluation.report_due_on < AS_OF:
                award = by_id[evaluation.award_id]
                overdue.append((award["public_id"], award["awarded_on"].year))
    # Only the published figures are stored as published totals, each naming where it was published; the
    # demo's own extension after 2013 is award-level data only and is never called published.
    PublishedTotal.objects.bulk_create(
        [
            PublishedTotal(
                year=year,
                mechanism=Mechanism.SOCIAL_ORDER,
                budget_level="all",
                amount=None if millions is None else Decimal(millions) * MILLION,
                source=source,
            )
            for year, (millions, source) in PUBLISHED_SOCIAL_ORDER.items()
        ]
    )
    return received, overdue


def _final_status(spec: dict, rng: random.Random) -> str:
    spec["terminated"] = spec["mechanism"] == Mechanism.SOCIAL_ORDER and rng.random() < 0.02 and not spec.get("rush")
    if spec["starts_on"] is None:
        return Award.Status.COMPLETED
    if spec["terminated"] and spec["starts_on"] < AS_OF:
        return Award.Status.TERMINATED
    if spec["ends_on"] and spec["ends_on"] <= AS_OF:
        return Award.Status.COMPLETED
    return Award.Status.IN_PROGRESS if spec["starts_on"] <= AS_OF else Award.Status.CONTRACTED


def _history(spec, rng, events, payments, evaluations, amendments) -> None:
    award = spec["id"]
    events.append(AwardStatusEvent(award_id=award, kind="contracted", occurred_on=spec["awarded_on"]))
    amount = spec["amount"]
    if spec["starts_on"] is None:  # a prize: paid once
        events.append(AwardStatusEvent(award_id=award, kind="completed", occurred_on=spec["awarded_on"]))
        payments.append(
            Payment(
                award_id=award,
                paid_on=spec["awarded_on"] + datetime.timedelta(days=rng.randint(5, 40)),
                amount=amount,
                kind="final",
            )
        )
        return
    if spec["starts_on"] <= AS_OF:
        events.append(AwardStatusEvent(award_id=award, kind="in_progress", occurred_on=spec["starts_on"]))
    advance = Decimal(0)
    if rng.random() < 0.6 and spec["starts_on"] + datetime.timedelta(days=10) <= AS_OF:
        advance = (amount * Decimal("0.3")).quantize(Decimal(1))
        payments.append(
            Payment(
                award_id=award, paid_on=spec["starts_on"] + datetime.timedelta(days=10), amount=advance, kind="advance"
            )
        )
    if spec["status"] == Award.Status.TERMINATED:
        stop = min(AS_OF, spec["starts_on"] + datetime.timedelta(days=rng.randint(30, 120)))
        events.append(
            AwardStatusEvent(
                award_id=award,
                kind="terminated",
                occurred_on=stop,
                reason="Договор расторгнут по соглашению сторон: получатель не смог выполнить обязательства",
            )
        )
        return
    if spec["status"] != Award.Status.COMPLETED:
        return
    events.append(AwardStatusEvent(award_id=award, kind="completed", occurred_on=spec["ends_on"]))
    final_day = spec["ends_on"] + datetime.timedelta(days=rng.randint(15, 90))  # payment comes after completion
    if final_day <= AS_OF and rng.random() > 0.02:
        payments.append(Payment(award_id=award, paid_on=final_day, amount=amount - advance, kind="final"))
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
                award_id=award,
                report_due_on=due,
                report_received_on=received,
                evaluator="Общественная экспертная комиссия",
                result=result,
            )
        )
    if rng.random() < 0.04:
        new_end = spec["ends_on"]
        old_end = new_end - datetime.timedelta(days=rng.randint(20, 60))
        if old_end >= spec["starts_on"]:
            amendments.append(
                Amendment(
                    award_id=award,
                    amended_on=old_end - datetime.timedelta(days=10),
                    field_name="ends_on",
                    old_value=old_end.isoformat(),
                    new_value=new_end.isoformat(),
                    reason="Сроки продлены по соглашению сторон",
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


MISMATCH_PLANTED_FROM = Decimal(4_000_000)
# Money received by (organisation, year): income field -> amount, from the payments as written.
Received = dict[tuple[int, int], dict[str, Decimal]]


def _money(rng: random.Random, median: float) -> Decimal:
    return Decimal(round(rng.lognormvariate(0, 1.0) * median, -3))


def _demo_reports(builder: Builder, rng: random.Random, received: Received) -> dict[tuple[int, int], datetime.date]:
    """Yearly reports consistent with the funding records, so the demo's flags are the planted ones.

    Income is declared from the money actually paid in the year (`received`: what an NGO's accounts show), and an
    organisation funded by the state files the report that was due before each award (the legal
    precondition the "not reporting" flag checks), all but a planted 1.5%. The reports are written in batches as
    they are made; the submission days returned are those of the reports due before a state award (what the
    manifest reads).
    """
    required: set[tuple[int, int]] = set()  # (org, report year) that had to be filed before a state award
    for award in builder.awards:
        if award["mechanism"] != Mechanism.FOREIGN_GRANT:
            day = award["awarded_on"]
            year = day.year - 1 if report_due_on(day.year - 1) <= day else day.year - 2
            required.add((award["recipient"], year))
    # The planted GONGO-like organisations: funded by the state, with no foreign money, living on state money alone.
    state_fields = {MECHANISM_INCOME[m] for m in STATE_MECHANISMS}
    foreign = {org for (org, _year), money in received.items() if "income_foreign" in money}
    funded = sorted(
        {org for (org, year), money in received.items() if year in REPORT_YEARS and state_fields & set(money)} - foreign
    )
    gongos = set(rng.sample(funded, k=min(len(funded), max(2, round(GONGO_PER_FULL_SIZE * builder.scale)))))
    filed: dict[tuple[int, int], datetime.date] = {}

    def reports():
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
                report = _report(rng, org, year, submitted, money, gongo=org.id in gongos)
                if report.income_social_order and money.get("income_social_order") != report.income_social_order:
                    builder.planted["self_report_mismatch"].append((org.id, year))
                if org.id in gongos:
                    state = sum((getattr(report, n) or Decimal(0) for n in REPORT_STATE_INCOME_FIELDS), Decimal(0))
                    total = sum((getattr(report, n) or Decimal(0) for n in REPORT_INCOME_FIELDS), Decimal(0))
                    if total and state >= Decimal("0.9") * total:  # the state-dependency rule (DOMAIN §5)
                        builder.planted["state_dependency"].append((org.id, year))
                if (org.id, year) in required:
                    filed[(org.id, year)] = submitted
                yield report

    insert_in_batches(YearlyReport, reports(), BATCH)
    return filed


def _report(
    rng: random.Random, org: OrgInfo, year: int, submitted: datetime.date, money: dict, *, gongo: bool = False
) -> YearlyReport:
    # 3% of those paid at least MISMATCH_PLANTED_FROM declare half as much social-order money again as the
    # records show (a planted self-report mismatch, well above the flag's tolerances).
    # The half added must also clear the flag's 10% of the larger figure when state grants come on top (it
    # did not for an organisation with 8 m of social order and 32 m of grants).
    paid_state = sum((money.get(name, Decimal(0)) for name in REPORT_STATE_INCOME_FIELDS), Decimal(0))
    figures = {
        name: (
            amount * Decimal("1.5")
            if name == "income_social_order"
            and rng.random() < 0.03
            and amount >= MISMATCH_PLANTED_FROM
            and amount * Decimal("0.5") > Decimal("0.15") * (paid_state + amount * Decimal("0.5"))
            else amount
        )
        for name, amount in money.items()
    }
    for name, chance, median in (
        ("income_business", 0.2, 800_000),
        ("income_individuals", 0.4, 150_000),
        ("income_own_activities", 0.25, 1_000_000),
        ("income_other", 0.1, 100_000),
    ):
        if rng.random() < chance and not gongo:
            figures[name] = _money(rng, median)
    if org.form == "public_association" and rng.random() < 0.6 and not gongo:
        figures["income_membership_fees"] = _money(rng, 50_000)
    if "income_foreign" not in figures and rng.random() < 0.08 and not gongo:
        figures["income_foreign"] = _money(rng, 3_000_000)
    state = sum((figures.get(name, Decimal(0)) for name in REPORT_STATE_INCOME_FIELDS), Decimal(0))
    if state and not gongo:  # a funded NGO also earns: at least OTHER_INCOME_FLOOR of its state money again
        figures["income_own_activities"] = figures.get("income_own_activities", Decimal(0)) + max(
            _money(rng, float(state) * 0.5), (state * OTHER_INCOME_FLOOR).quantize(Decimal(1000), ROUND_CEILING)
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


# ---------------------------------------------------------------- the manifest of planted cases

NOT_REPORTING_FROM = datetime.date(2018, 1, 1)  # since 2018 an applicant must have filed its report (DOMAIN §3.1)


def _manifest(
    builder: Builder,
    shared: dict[str, list[int]],
    overdue: list[tuple[str, int]],
    filed: dict[tuple[int, int], datetime.date],
) -> dict:
    """Every irregular case the demo planted, by flag code, keyed as that flag's hits are: awards by public id
    and award year, competitions by public id and announcement year, administrators by code and year,
    organisations by id (and the report year where the flag keys by year).

    Cases planted by a decision (splits, rushes, ineligible recipients, price dumping and outliers, charter
    mismatches, self-report mismatches, double funding, captive recipients, the concentrated department-year)
    are listed as planted; the planted GONGO-like organisations by each report year at 90% or more of state
    money; cases that follow from the planting rates (new-born recipients, single-applicant lots, shared phones,
    missing reports and evaluation reports) are listed from the generated records by the rule of DOMAIN §5,
    since the ordinary records are kept clear of them (see the module docstring). "as_of" is the day the records
    stop: what is overdue is listed as of it, and the flags are measured as of it."""
    found: dict[str, dict[tuple, dict]] = defaultdict(dict)

    def add(code: str, subject_type: str, key: str, year: int | None) -> None:
        found[code][(subject_type, key, year)] = {"subject_type": subject_type, "subject_key": key, "year": year}

    def add_award(code: str, spec: dict) -> None:
        add(code, "award", spec["public_id"], spec["awarded_on"].year)

    for code in ("threshold_splitting", "ineligible_recipient", "price_outlier", "price_dumping", "charter_mismatch"):
        for spec in builder.planted[code]:
            add_award(code, spec)
    for spec in builder.planted["double_funding"]:
        add_award("double_funding", spec)
    for org_id in builder.planted["captive_recipient"]:
        add("captive_recipient", "organisation", str(org_id), None)
    for org_id, year in builder.planted["state_dependency"]:
        add("state_dependency", "organisation", str(org_id), year)
    for admin, year in builder.planted["year_end_rush"]:
        add("year_end_rush", "administrator", admin, year)
    for admin, year in builder.planted["concentration"]:
        add("concentration", "administrator", admin, year)
    for org_id, year in builder.planted["self_report_mismatch"]:
        add("self_report_mismatch", "organisation", str(org_id), year)
    for spec in builder.awards:
        if spec["mechanism"] not in STATE_MECHANISMS:
            continue
        org, day = builder.by_id[spec["recipient"]], spec["awarded_on"]
        if months_old(org.registered_on, day) < 12:
            add_award("new_born", spec)
        if day >= NOT_REPORTING_FROM:
            year = day.year - 1 if report_due_on(day.year - 1) <= day else day.year - 2
            submitted = filed.get((org.id, year))
            if org.registered_on.year <= year and (submitted is None or submitted > day):
                add_award("not_reporting", spec)
    for competition in builder.competitions:
        if competition["mechanism"] not in STATE_MECHANISMS:
            continue
        for lot in competition["lots"]:
            admissible = [a for a in lot["applications"] if a["outcome"] not in ("rejected", "withdrawn")]
            if len(admissible) == 1:
                add("single_applicant", "competition", competition["public_id"], competition["announced_on"].year)
    involved = {a["org"] for c in builder.competitions for lot in c["lots"] for a in lot["applications"]}
    involved |= {a["recipient"] for a in builder.awards}
    for ids in shared.values():
        members = [i for i in ids if i in involved]
        if len({builder.by_id[i].parent_id or i for i in members}) >= 2:
            for org_id in members:
                add("shared_contacts", "organisation", str(org_id), None)
    for public_id, year in overdue:  # evaluation reports not received by their due day
        add("overdue_reporting", "award", public_id, year)
    # The day the records stop: the flags are measured as of it, so what is overdue is what is listed here.
    return {
        "as_of": AS_OF.isoformat(),
        **{
            code: sorted(entries.values(), key=lambda e: (e["year"] or 0, e["subject_key"]))
            for code, entries in sorted(found.items())
        },
    }
