"""Fictional, deterministic demo registry calibrated to DOMAIN §2 and §7.

Every name is assembled from common words, so no record stands for a real organisation; BINs are built
with valid check digits from the registration month and a serial, and the eight BINs published as
examples in DOMAIN §2.4 are never used. The same seed gives the same data, whatever the day it runs.
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from django.db import models

from registry.bin import bin_build
from registry.models import DemoDataset, Organisation, OrganisationField, OrganisationName, StatusEvent
from registry.search import search_text_for
from registry.services import new_local_id

BATCH = 2_000

AS_OF = datetime.date(2026, 10, 31)  # the demo registry's "data as of" date, fixed for determinism
PUBLIC_EXAMPLE_BINS = {
    "950440001673",
    "990940003030",
    "000640002067",
    "940140000385",
    "950341000052",
    "961141000023",
    "070941024691",
    "990140004654",
}

# Ministry of Justice counts, May 2010 (DOMAIN §2.2), for the forms an NGO registry holds; the rarer
# non-NGO forms are present in small numbers so that eligibility rules have cases to show.
LEGAL_FORM_WEIGHTS = {
    "public_association": 8034,
    "foundation": 4751,
    "private_institution": 5500,
    "association_of_legal_entities": 1324,
    "noncommercial_jsc": 63,
    "religious_association": 380,
    "consumer_cooperative": 120,
    "rural_consumer_cooperative": 60,
    "housing_cooperative": 20,
    "apartment_owners_cooperative": 200,
    "chamber": 15,
    "agricultural_partnership": 5,
    "state_institution": 10,
    "political_party": 6,
    "trade_union": 60,
}
# Fields of activity, Ministry of Culture and Information 2013 (DOMAIN §2.6), in per cent.
FIELD_SHARES = {
    "environment": 15,
    "children_youth": 14,
    "women": 13,
    "health": 13,
    "culture_education": 12,
    "human_rights": 8,
    "social_welfare": 7,
    "community": 7,
    "disability": 7,
    "other": 4,
}
# About a third in Astana and Almaty (DOMAIN §2.5); the rest roughly by population.
REGION_WEIGHTS = {
    "KZ-75": 18.0,
    "KZ-71": 15.0,
    "KZ-61": 7.0,
    "KZ-19": 5.0,
    "KZ-63": 4.5,
    "KZ-35": 5.0,
    "KZ-31": 4.0,
    "KZ-79": 4.5,
    "KZ-15": 3.5,
    "KZ-39": 3.5,
    "KZ-55": 3.5,
    "KZ-43": 3.0,
    "KZ-11": 3.5,
    "KZ-27": 3.0,
    "KZ-23": 3.0,
    "KZ-47": 3.0,
    "KZ-59": 2.5,
    "KZ-10": 2.5,
    "KZ-33": 2.5,
    "KZ-62": 1.0,
}
ACTIVE_SHARE = 0.735  # 18,204 active of 23,335 registered in 2023 (DOMAIN §2.3)
CEASED_SHARE = 0.04  # liquidated or reorganised records kept for their history
SUSPENDED_SHARE = 0.01
BRANCH_SHARE = 0.03
RENAMED_SHARE = 0.05
SHARED_PHONE_EVERY = 1000  # one planted group of organisations sharing a phone per this many organisations
SHARED_PHONE_FORMS = {"public_association", "foundation", "private_institution"}

CITIES = {
    "KZ-10": ("Семей", "Семей", "Semey"),
    "KZ-11": ("Көкшетау", "Кокшетау", "Kokshetau"),
    "KZ-15": ("Ақтөбе", "Актобе", "Aktobe"),
    "KZ-19": ("Қонаев", "Конаев", "Konaev"),
    "KZ-23": ("Атырау", "Атырау", "Atyrau"),
    "KZ-27": ("Орал", "Уральск", "Oral"),
    "KZ-31": ("Тараз", "Тараз", "Taraz"),
    "KZ-33": ("Талдықорған", "Талдыкорган", "Taldykorgan"),
    "KZ-35": ("Қарағанды", "Караганда", "Karaganda"),
    "KZ-39": ("Қостанай", "Костанай", "Kostanay"),
    "KZ-43": ("Қызылорда", "Кызылорда", "Kyzylorda"),
    "KZ-47": ("Ақтау", "Актау", "Aktau"),
    "KZ-55": ("Павлодар", "Павлодар", "Pavlodar"),
    "KZ-59": ("Петропавл", "Петропавловск", "Petropavl"),
    "KZ-61": ("Түркістан", "Туркестан", "Turkistan"),
    "KZ-62": ("Жезқазған", "Жезказган", "Zhezkazgan"),
    "KZ-63": ("Өскемен", "Усть-Каменогорск", "Oskemen"),
    "KZ-71": ("Астана", "Астана", "Astana"),
    "KZ-75": ("Алматы", "Алматы", "Almaty"),
    "KZ-79": ("Шымкент", "Шымкент", "Shymkent"),
}
PHONE_CODES = {
    "KZ-75": "727",
    "KZ-71": "7172",
    "KZ-79": "7252",
    "KZ-35": "7212",
    "KZ-55": "7182",
    "KZ-63": "7232",
}
STREETS = [
    ("Абай даңғылы", "проспект Абая", "Abai Avenue"),
    ("Достық көшесі", "улица Достык", "Dostyk Street"),
    ("Бейбітшілік көшесі", "улица Бейбитшилик", "Beibitshilik Street"),
    ("Тәуелсіздік даңғылы", "проспект Тауелсиздик", "Tauelsizdik Avenue"),
    ("Жібек жолы көшесі", "улица Жибек жолы", "Zhibek Zholy Street"),
    ("Республика даңғылы", "проспект Республики", "Respublika Avenue"),
    ("Мектеп көшесі", "улица Школьная", "Mektep Street"),
    ("Орталық көшесі", "улица Центральная", "Ortalyk Street"),
]

# Word stems for names: (Kazakh, Russian, English).
STEMS = [
    ("Жасыл әлем", "Жасыл алем", "Zhasyl Alem"),
    ("Болашақ ұрпақ", "Новое поколение", "New Generation"),
    ("Қамқор", "Камкор", "Kamkor"),
    ("Үміт", "Надежда", "Hope"),
    ("Мейірім", "Милосердие", "Mercy"),
    ("Сенім", "Доверие", "Trust"),
    ("Ашық әлем", "Открытый мир", "Open World"),
    ("Тең мүмкіндік", "Равные возможности", "Equal Opportunities"),
    ("Бірлік", "Единство", "Unity"),
    ("Достық", "Дружба", "Friendship"),
    ("Шапағат", "Шапагат", "Shapagat"),
    ("Нұр", "Свет", "Light"),
    ("Жұлдыз", "Звезда", "Star"),
    ("Арман", "Мечта", "Dream"),
    ("Ізгілік", "Добро", "Goodness"),
    ("Таза өзен", "Чистая река", "Clean River"),
    ("Дала тынысы", "Дыхание степи", "Breath of the Steppe"),
    ("Шаңырақ", "Шанырак", "Shanyrak"),
    ("Береке", "Берекет", "Bereke"),
    ("Жігер", "Энергия", "Energy"),
    ("Көмек қолы", "Рука помощи", "Helping Hand"),
    ("Ақ бесік", "Белая колыбель", "White Cradle"),
    ("Ынтымақ", "Солидарность", "Solidarity"),
    ("Тірек", "Опора", "Support"),
    ("Самға", "Взлёт", "Soar"),
    ("Азамат", "Гражданин", "Citizen"),
    ("Құқық пен заң", "Право и закон", "Law and Rights"),
    ("Ана мен бала", "Мать и дитя", "Mother and Child"),
    ("Саулық", "Здоровье", "Health"),
    ("Жаңа қадам", "Новый шаг", "New Step"),
    ("Көпір", "Мост", "Bridge"),
    ("Шұғыла", "Сияние", "Radiance"),
    ("Кең дала", "Широкая степь", "Wide Steppe"),
    ("Алтын күз", "Золотая осень", "Golden Autumn"),
    ("Ақ жол", "Светлый путь", "Bright Road"),
    ("Бастау", "Исток", "Source"),
    ("Мұра", "Наследие", "Heritage"),
    ("Сана", "Сознание", "Awareness"),
    ("Қанат", "Крылья", "Wings"),
    ("Тал бесік", "Колыбель", "Cradle"),
    ("Жас қыран", "Молодой беркут", "Young Eagle"),
    ("Ортақ үй", "Общий дом", "Common Home"),
    ("Өркен", "Росток", "Sprout"),
    ("Дәстүр", "Традиция", "Tradition"),
    ("Шуақ", "Луч", "Sunbeam"),
    ("Аялы алақан", "Тёплые ладони", "Warm Palms"),
    ("Жол серік", "Попутчик", "Companion"),
    ("Таңшолпан", "Утренняя звезда", "Morning Star"),
    ("Ақ ниет", "Благое намерение", "Good Will"),
    ("Көктем", "Весна", "Spring"),
    ("Ашық қоғам", "Открытое общество", "Open Society"),
    ("Шеберхана", "Мастерская", "Workshop"),
    ("Қадам", "Шаг", "Step"),
    ("Мирас", "Мирас", "Miras"),
    ("Жүрек", "Сердце", "Heart"),
    ("Бәйтерек", "Байтерек", "Baiterek"),
    ("Ақбота", "Акбота", "Akbota"),
    ("Жайлау", "Джайляу", "Zhailau"),
    ("Сарыарқа", "Сарыарка", "Saryarka"),
    ("Алатау", "Алатау", "Alatau"),
]
DESCRIPTORS = {
    "environment": ("экологиялық орталығы", "Экологический центр", "Ecology Centre"),
    "children_youth": ("жастар орталығы", "Молодёжный центр", "Youth Centre"),
    "women": ("әйелдер қауымдастығы", "Ассоциация женщин", "Women's Association"),
    "health": ("салауатты өмір орталығы", "Центр здоровья", "Health Centre"),
    "culture_education": (
        "білім және мәдениет орталығы",
        "Центр образования и культуры",
        "Education and Culture Centre",
    ),
    "human_rights": ("құқықтық көмек орталығы", "Центр правовой помощи", "Legal Aid Centre"),
    "social_welfare": ("әлеуметтік көмек орталығы", "Центр социальной помощи", "Social Aid Centre"),
    "community": ("азаматтық бастамалар орталығы", "Центр гражданских инициатив", "Civic Initiatives Centre"),
    "disability": ("оңалту орталығы", "Реабилитационный центр", "Rehabilitation Centre"),
    "other": ("даму орталығы", "Центр развития", "Development Centre"),
}
FORM_NAMES = {  # how the form reads inside a name: Kazakh suffix, Russian prefix, English prefix
    "public_association": ("қоғамдық бірлестігі", "Общественное объединение", "Public Association"),
    "foundation": ("қоғамдық қоры", "Общественный фонд", "Public Foundation"),
    "private_institution": ("жеке мекемесі", "Частное учреждение", "Private Institution"),
    "association_of_legal_entities": (
        "заңды тұлғалар бірлестігі",
        "Объединение юридических лиц",
        "Association of Legal Entities",
    ),
    "noncommercial_jsc": ("КЕАҚ", "НАО", "Non-commercial JSC"),
    "religious_association": ("діни бірлестігі", "Религиозное объединение", "Religious Association"),
    "consumer_cooperative": ("тұтыну кооперативі", "Потребительский кооператив", "Consumer Cooperative"),
    "rural_consumer_cooperative": (
        "ауылдық тұтыну кооперативі",
        "Сельский потребительский кооператив",
        "Rural Consumer Cooperative",
    ),
    "housing_cooperative": (
        "тұрғын үй-құрылыс кооперативі",
        "Жилищно-строительный кооператив",
        "Housing Cooperative",
    ),
    "apartment_owners_cooperative": (
        "пәтер иелерінің кооперативі",
        "Кооператив собственников квартир",
        "Apartment Owners' Cooperative",
    ),
    "chamber": ("палатасы", "Палата", "Chamber"),
    "agricultural_partnership": (
        "ауыл шаруашылығы серіктестігі",
        "Сельскохозяйственное товарищество",
        "Agricultural Partnership",
    ),
    "state_institution": ("мемлекеттік мекемесі", "Государственное учреждение", "State Institution"),
    "political_party": ("партиясы", "Партия", "Party"),
    "trade_union": ("кәсіподағы", "Профессиональный союз", "Trade Union"),
}
# Branches are named "Филиал <parent's form in the genitive> «…»".
GENITIVE_RU = {"Общественное объединение": "общественного объединения", "Общественный фонд": "общественного фонда"}
# Charter activities, in Russian as the register publishes them (the charter's own words, one language only).
CHARTER = {
    "environment": "охрана окружающей среды; экологическое просвещение; мониторинг отходов и водных ресурсов",
    "children_youth": "программы досуга, образования и трудоустройства для детей и молодёжи",
    "women": "поддержка экономического и гражданского участия женщин; профилактика бытового насилия",
    "health": "пропаганда здорового образа жизни; профилактика социально значимых заболеваний; поддержка пациентов",
    "culture_education": "культурные, научные и просветительские мероприятия; поддержка государственного языка",
    "human_rights": "юридические консультации; мониторинг прав человека; поддержка стратегических судебных дел",
    "social_welfare": "социальные услуги малообеспеченным семьям, пожилым людям и лицам в трудной жизненной ситуации",
    "community": "поддержка инициатив местного самоуправления; благоустройство общественных пространств",
    "disability": "реабилитация, инклюзия и трудоустройство лиц с инвалидностью",
    "other": "иная общественно полезная деятельность, не запрещённая законом",
}


@dataclass(slots=True)  # slots: a national registry's specs are held until written (seed_demo's peak memory)
class OrgSpec:
    index: int
    local_id: str
    legal_form: str
    region: str
    registered_on: datetime.date
    bin: str | None
    name_kk: str
    name_ru: str
    name_en: str
    fields: list[str]
    territorial_level: str
    address: str
    phone: str
    email: str
    website: str
    charter_activities: str
    parent_index: int | None = None
    events: list[tuple] = field(default_factory=list)  # (kind, occurred_on, ends_on, legal_basis)
    former_names: list[tuple] = field(default_factory=list)  # (name, language, valid_from, valid_to)


@cache
def _charter(fields: tuple[str, ...]) -> str:
    """The charter's activities for these fields: one string shared by every organisation with the same fields."""
    return "; ".join(CHARTER[f] for f in fields)


@cache
def _registration_basis(city: str) -> str:
    return f"Государственная регистрация в органах юстиции (г. {city})"


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _registration_date(rng: random.Random) -> datetime.date:
    # Few registrations before 2000, most in 2000-2015, a steady flow since.
    year = rng.choices(range(1992, 2027), weights=[1] * 8 + [3] * 16 + [2] * 11)[0]
    last_month = AS_OF.month if year == AS_OF.year else 12
    month = rng.randint(1, last_month)
    day = rng.randint(1, 28)
    return datetime.date(year, month, day)


class BinAllocator:
    """Unique BINs with valid check digits, serials counting up per registration month."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.next_serial: dict[tuple[int, int, str], int] = {}
        self.used: set[str] = set()

    def allocate(self, when: datetime.date, attribute: str) -> str:
        key = (when.year, when.month, attribute)
        serial = self.next_serial.get(key, self.rng.randint(1, 4000))
        while True:
            serial += 1
            value = bin_build(year=when.year, month=when.month, serial=serial, attribute=attribute)
            if value and value not in self.used and value not in PUBLIC_EXAMPLE_BINS:
                self.next_serial[key] = serial
                self.used.add(value)
                return value


def _names(rng: random.Random, form: str, region: str, fields: list[str]) -> tuple[str, str, str]:
    stem_kk, stem_ru, stem_en = rng.choice(STEMS)
    form_kk, form_ru, form_en = FORM_NAMES[form]
    style = rng.random()
    if style < 0.45:
        return f"«{stem_kk}» {form_kk}", f"{form_ru} «{stem_ru}»", f"{form_en} “{stem_en}”"
    if style < 0.8:
        d_kk, d_ru, d_en = DESCRIPTORS[fields[0]]
        return (
            f"«{stem_kk}» {d_kk} {form_kk}",
            f"{form_ru} «{d_ru} «{stem_ru}»»",
            f"{form_en} “{stem_en} {d_en}”",
        )
    c_kk, c_ru, c_en = CITIES[region]
    return f"«{c_kk} {stem_kk}» {form_kk}", f"{form_ru} «{stem_ru} {c_ru}»", f"{form_en} “{stem_en} {c_en}”"


def _contacts(rng: random.Random, region: str, local_id: str, used_phones: set[str]) -> tuple[str, str, str]:
    """A phone no other organisation has (shared phones are planted on purpose, by _plant_shared_phones, so
    that every shared contact in the demo is one the manifest lists), an e-mail and a website."""
    while True:
        if rng.random() < 0.6:
            operator = f"7{rng.choice('0457')}{rng.randint(0, 9)}"
            phone = f"+7 {operator} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        else:
            code = PHONE_CODES.get(region, "7" + str(rng.randint(100, 299)))
            phone = f"+7 {code} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        digits = "".join(ch for ch in phone if ch.isdigit())[-10:]
        if digits not in used_phones:
            used_phones.add(digits)
            break
    email = (
        f"info.{local_id.lower()}@{rng.choice(['mail.kz', 'gmail.com', 'inbox.kz', 'yandex.kz'])}"
        if rng.random() < 0.7
        else ""
    )
    website = f"https://{local_id.lower()}.example.kz" if rng.random() < 0.25 else ""
    return phone, email, website


def _address(rng: random.Random, region: str, used: set[str]) -> str:
    """A street address no other organisation has: a shared address would be an unplanted shared contact."""
    city = CITIES[region]
    while True:
        street = rng.choice(STREETS)
        address = f"{city[1]}, {street[1]}, {rng.randint(1, 250)}, {rng.randint(1, 400)}"  # building, office
        if address not in used:
            used.add(address)
            return address


def generate(count: int, seed: int, local_id) -> list[OrgSpec]:
    """`local_id(rng)` mints identifiers the way the services do."""
    rng = random.Random(seed)
    bins = BinAllocator(rng)
    used_phones: set[str] = set()
    used_addresses: set[str] = set()
    specs: list[OrgSpec] = []
    used_ids: set[str] = set()
    for index in range(count):
        form = _weighted(rng, LEGAL_FORM_WEIGHTS)
        region = _weighted(rng, REGION_WEIGHTS)
        registered_on = _registration_date(rng)
        fields = [_weighted(rng, FIELD_SHARES)]
        for extra_share in (0.4, 0.15):
            if rng.random() < extra_share:
                extra = _weighted(rng, FIELD_SHARES)
                if extra not in fields:
                    fields.append(extra)
        level = ""
        if form in {"public_association", "religious_association"}:
            level = rng.choices(["local", "regional", "republican"], weights=[65, 28, 7])[0]
        no_bin = rng.random() < (0.25 if registered_on.year < 2004 else 0.02)
        lid = local_id(rng)
        while lid in used_ids:
            lid = local_id(rng)
        used_ids.add(lid)
        name_kk, name_ru, name_en = _names(rng, form, region, fields)
        phone, email, website = _contacts(rng, region, lid, used_phones)
        spec = OrgSpec(
            index=index,
            local_id=lid,
            legal_form=form,
            region=region,
            registered_on=registered_on,
            bin=None if no_bin else bins.allocate(registered_on, "0"),
            name_kk=name_kk,
            name_ru=name_ru,
            name_en=name_en,
            fields=fields,
            territorial_level=level,
            address=_address(rng, region, used_addresses),
            phone=phone,
            email=email,
            website=website,
            charter_activities=_charter(tuple(fields)),
        )
        specs.append(spec)
    _add_branches(rng, specs, bins)
    for spec in specs:
        _add_history(rng, spec)
    _plant_shared_phones(rng, specs, used_phones)
    return specs


def _plant_shared_phones(rng: random.Random, specs: list[OrgSpec], used_phones: set[str]) -> None:
    """Planted shared contacts (DOMAIN §5): groups of two or three unrelated head offices that give one phone
    number, about one group per SHARED_PHONE_EVERY organisations and at least two. Only active organisations
    of the forms funded in practice, registered by 2018, are chosen, so that the funding builder can make them
    applicants (the flag looks at applicants and recipients)."""
    candidates = [
        s
        for s in specs
        if s.parent_index is None
        and s.legal_form in SHARED_PHONE_FORMS
        and s.registered_on.year <= 2018
        and s.events[-1][0] == "registered"
    ]
    groups = max(2, len(specs) // SHARED_PHONE_EVERY)
    rng.shuffle(candidates)
    for number in range(groups):
        size = rng.choice([2, 2, 3])
        if len(candidates) < size:
            return
        members, candidates = candidates[:size], candidates[size:]
        while True:
            phone = f"+7 701 {rng.randint(100, 999)} 00 {number % 100:02d}"
            digits = "".join(ch for ch in phone if ch.isdigit())[-10:]
            if digits not in used_phones:
                used_phones.add(digits)
                break
        for member in members:
            member.phone = phone


def _add_branches(rng: random.Random, specs: list[OrgSpec], bins: BinAllocator) -> None:
    """Turn some records into branches of republican associations and foundations registered earlier."""
    parents = [
        s
        for s in specs
        if s.legal_form in {"public_association", "foundation"}
        and s.bin
        and s.territorial_level in {"republican", ""}
        and s.registered_on.year < 2015
    ]
    if not parents:
        return
    parent_indexes = {p.index for p in parents}  # a head office never becomes a branch itself
    for spec in specs:
        if spec.legal_form not in {"public_association", "foundation"} or rng.random() >= BRANCH_SHARE * 2.5:
            continue
        if spec.index in parent_indexes:
            continue
        parent = rng.choice(parents)
        spec.parent_index = parent.index
        spec.legal_form = parent.legal_form
        spec.territorial_level = "regional" if parent.legal_form == "public_association" else ""
        if spec.registered_on <= parent.registered_on:
            spec.registered_on = parent.registered_on + datetime.timedelta(days=rng.randint(30, 900))
            spec.registered_on = min(spec.registered_on, AS_OF)
        spec.bin = bins.allocate(spec.registered_on, "1")
        city = CITIES[spec.region]
        spec.name_kk = f"{parent.name_kk} {city[0]} филиалы"
        form_ru = FORM_NAMES[parent.legal_form][1]
        spec.name_ru = f"Филиал {GENITIVE_RU[form_ru]}{parent.name_ru[len(form_ru) :]} в г. {city[1]}"
        spec.name_en = f"{parent.name_en}, {city[2]} branch"
        spec.fields = list(parent.fields)
        spec.charter_activities = parent.charter_activities


def _add_history(rng: random.Random, spec: OrgSpec) -> None:
    # Legal bases are data, in Russian as the register writes them.
    spec.events.append(("registered", spec.registered_on, None, _registration_basis(CITIES[spec.region][1])))
    roll = rng.random()
    span = (AS_OF - spec.registered_on).days

    def later(min_days: int = 30) -> datetime.date:
        return spec.registered_on + datetime.timedelta(days=rng.randint(min(min_days, span), max(span, 1)))

    if roll < CEASED_SHARE and span > 60:
        if rng.random() < 0.75:
            spec.events.append(
                (
                    "liquidated",
                    later(),
                    None,
                    rng.choice(
                        [
                            "Решение общего собрания о добровольной ликвидации",
                            "Решение суда о принудительной ликвидации",
                        ]
                    ),
                )
            )
        else:
            spec.events.append(("reorganised", later(), None, "Реорганизация путём присоединения к другой организации"))
        return
    if spec.legal_form == "public_association" and roll < CEASED_SHARE + SUSPENDED_SHARE and span > 400:
        start = AS_OF - datetime.timedelta(days=rng.randint(10, 80))
        spec.events.append(
            (
                "suspended",
                start,
                start + datetime.timedelta(days=rng.choice([90, 120, 180])),
                "Решение суда о приостановлении деятельности (на срок от 3 до 6 месяцев)",
            )
        )
        return
    registered_share = 1 - CEASED_SHARE
    if roll > CEASED_SHARE + ACTIVE_SHARE * registered_share and span > 400:
        spec.events.append(
            ("found_inactive", later(365), None, "Деятельность не подтверждена ежегодной проверкой базы данных НПО")
        )
    if rng.random() < RENAMED_SHARE and span > 800:
        stem = rng.choice(STEMS)
        spec.former_names.append(
            (
                f"«{stem[0]}» {FORM_NAMES[spec.legal_form][0]}",
                "kk",
                spec.registered_on,
                spec.registered_on + datetime.timedelta(days=rng.randint(365, span - 1)),
            )
        )


# ---------------------------------------------------------------- writing it


def demo_registry_load(*, count: int, seed: int) -> DemoDataset:
    """Write `count` fictional organisations (deterministic for a seed) in bulk, with their fields, status
    events and former names, and mark the data set as a demo. Call it inside a transaction."""
    _write(generate(count, seed, new_local_id))
    return DemoDataset.objects.create(seed=seed, organisations=count)


def insert_in_batches(model, rows: Iterable, batch: int = BATCH) -> list[int]:
    """Insert `rows` (model instances, best generated lazily) in batches of `batch`, never holding more than one
    batch of instances (bulk_create would make one list of a generator); return the new primary keys in order.
    The demo builders write through it so that seed_demo's memory does not grow with the rows it writes."""
    # A file field's value (a FieldFile, made when the insert reads it) points back at its instance: a cycle that
    # only a full garbage collection frees, long after. Dropping it lets each batch go as soon as it is written.
    files = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    pks: list[int] = []
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, batch)):
        for row in model.objects.bulk_create(chunk):
            pks.append(row.pk)
            for name in files:
                row.__dict__.pop(name, None)
        del chunk  # before the next batch is made, not after
    return pks


def _write(specs: list[OrgSpec]) -> None:
    """Head offices first, then branches (which point to them), each table in batches: the specs are the only
    whole-registry data held, and the rows are built from them a batch at a time."""
    pk_by_index: dict[int, int] = {}
    for branch in (False, True):
        group = [s for s in specs if (s.parent_index is not None) is branch]
        pks = insert_in_batches(Organisation, (_organisation(spec, pk_by_index) for spec in group))
        pk_by_index.update(zip((s.index for s in group), pks, strict=True))
    insert_in_batches(
        OrganisationField,
        (OrganisationField(organisation_id=pk_by_index[s.index], field_id=code) for s in specs for code in s.fields),
    )
    insert_in_batches(
        StatusEvent,
        (
            StatusEvent(
                organisation_id=pk_by_index[s.index],
                kind=kind,
                occurred_on=on,
                ends_on=ends,
                legal_basis=basis,
            )
            for s in specs
            for kind, on, ends, basis in s.events
        ),
    )
    insert_in_batches(
        OrganisationName,
        (
            OrganisationName(
                organisation_id=pk_by_index[s.index],
                name=name,
                language=lang,
                kind=OrganisationName.Kind.FORMER,
                valid_from=start,
                valid_to=end,
            )
            for s in specs
            for name, lang, start, end in s.former_names
        ),
    )


def _organisation(spec: OrgSpec, pk_by_index: dict[int, int]) -> Organisation:
    last_kind = spec.events[-1][0]
    return Organisation(
        bin=spec.bin,
        local_id=spec.local_id,
        name_kk=spec.name_kk,
        name_ru=spec.name_ru,
        name_en=spec.name_en,
        legal_form_id=spec.legal_form,
        territorial_level=spec.territorial_level,
        region_id=spec.region,
        address=spec.address,
        phone=spec.phone,
        email=spec.email,
        website=spec.website,
        registered_on=spec.registered_on,
        charter_activities=spec.charter_activities,
        parent_id=pk_by_index.get(spec.parent_index) if spec.parent_index is not None else None,
        status=StatusEvent.RESULTING_STATUS[last_kind],
        search_text=search_text_for(
            [spec.name_kk, spec.name_ru, spec.name_en, *(n[0] for n in spec.former_names)], spec.bin
        ),
    )
