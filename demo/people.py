"""The demo's people (issue 17): heads, founders and board members of the demo organisations, officials of the
administrators, each competition's commission and its scores; with planted cases for each people flag and a
control set of near misses that must not fire. Written after the funding (it reads the demo's records back),
deterministic for a seed, in bulk.

Every name is fictional: a surname, a first name and a patronymic drawn from pools, each combination used once.
Within each pool and across pools of one sex, words are kept at least two letters apart (FUZZY_MAX_EDITS + 1)
on their matching keys, so that two different demo people never match, even fuzzily: only the planted cases tie
two records together. A person is written in Russian ("Алиев Нурлан Серикович") and Kazakh ("Әлиев Нұрлан
Серікұлы") and in Latin; a planted second record of the same person, as another source would write it, uses
Kazakh letters in another word order (the same matching key: an exact match) or a passport's Latin spelling
("Nurlan Serikovich Aliyev": one letter more in a word, a fuzzy match).

The ordinary records are clean by construction: officials and commission members hold no role in any
organisation, every organisation has its own head, founders and board members, and each lot's winners are
scored above all its other applications (at the last stage, for the two-stage NGO awards). So every hit of the
people flags on the demo is a planted case; the control set lists the near misses (a namesake two letters apart,
an official who left three years before, applicants of different lots sharing a founder, a shared board member,
one person behind recipients of different years or administrators, a winner tied on score), keyed as the flags
key their hits, under DemoDataset.planted["_control"]."""

from __future__ import annotations

import datetime
import itertools
import random
import sys
from array import array
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone

from funding.models import (
    STATE_MECHANISMS,
    Administrator,
    AdministratorOfficial,
    Application,
    Award,
    CommissionMember,
    CommissionScore,
    Competition,
    Mechanism,
)
from registry.demo import AS_OF, insert_in_batches
from registry.models import Organisation, OrganisationRole, Person, RoleSource
from registry.search import person_name_key
from scoring.flags.catalogue import FUZZY_MAX_EDITS, REVOLVING_DOOR_YEARS
from scoring.flags.people import key_edits, levenshtein

BATCH = 2000
SCORE_BATCH = 10_000
FULL_SIZE = 22_300  # the registry's size (seed_demo's default): planted cases scale with it
PLANTED_PER_FULL_SIZE = 15  # per people flag: 3 at a tenth of the size (the minimum), 15 at full size
CONTROL_EACH = 2  # near misses of each kind
SCORED_FROM = 2018  # commission scores are recorded for competitions announced from this year
MAX_SCORE = 10
EARLIEST = datetime.date(2003, 1, 1)
# Variants of a planted tie, in turn: one person record on both sides; a second record in Kazakh letters and
# another word order (the same key); a second record in a passport's Latin spelling (one letter more: fuzzy).
VARIANTS = ("same", "kazakh", "latin")
# The share of a sex's name pool drawn before names take double surnames (NameBook): never reached at the national
# size (a 1x demo draws about a quarter of the women's pool), reached above about 45,000 organisations.
EXTEND_AT = 0.6

# Word pools in Kazakh spelling; Russian folds the Kazakh letters (as Russian-language registers write them).
MALE_NAMES = [
    "Нұрлан",
    "Серік",
    "Асқар",
    "Ерлан",
    "Бауыржан",
    "Дәурен",
    "Жанат",
    "Марат",
    "Талғат",
    "Арман",
    "Самат",
    "Ғалым",
    "Бекзат",
    "Әділ",
    "Ринат",
    "Азамат",
    "Темірлан",
    "Болат",
    "Дархан",
    "Еркін",
    "Жандос",
    "Мейрам",
    "Нұрбол",
    "Олжас",
    "Ербол",
    "Руслан",
    "Санжар",
    "Тимур",
    "Ұлан",
    "Қуаныш",
    "Мақсат",
    "Абай",
    "Ғабит",
    "Жасұлан",
    "Дидар",
    "Ислам",
    "Ертай",
    "Рустем",
    "Шыңғыс",
    "Айдос",
]
FEMALE_NAMES = [
    "Айгерім",
    "Динара",
    "Салтанат",
    "Гүлнар",
    "Жанар",
    "Әсел",
    "Мадина",
    "Ақмарал",
    "Гүлмира",
    "Зарина",
    "Айжан",
    "Меруерт",
    "Ләззат",
    "Назерке",
    "Шынар",
    "Балжан",
    "Ботагөз",
    "Сәуле",
    "Жұлдыз",
    "Камила",
    "Индира",
    "Раушан",
    "Толқын",
    "Ұлжан",
    "Томирис",
    "Асем",
    "Дильназ",
    "Эльмира",
    "Қарлығаш",
    "Мөлдір",
    "Перизат",
    "Жібек",
    "Арайлым",
    "Сымбат",
    "Самал",
]
SURNAME_ROOTS = [
    "Ахмет",
    "Жұмаба",
    "Омар",
    "Сейіт",
    "Қасым",
    "Нұрғали",
    "Тұрсын",
    "Сәрсен",
    "Төлеген",
    "Есен",
    "Мұхамет",
    "Оспан",
    "Әбен",
    "Байжан",
    "Ысқақ",
    "Жақып",
    "Смағұл",
    "Құдайберген",
    "Абдрахман",
    "Ибра",
    "Қали",
    "Әли",
    "Шәкен",
    "Әмір",
    "Бейсен",
    "Дүйсен",
    "Жолдас",
    "Кенже",
    "Мамыр",
    "Рахым",
    "Өтеген",
    "Бекбосын",
    "Сұлтан",
    "Досмұхамед",
    "Тәжі",
    "Иман",
    "Қожахмет",
    "Нұрпейіс",
    "Мырзахмет",
    "Бақыт",
    "Жаңабай",
    "Қуандық",
    "Әубәкір",
    "Ержан",
    "Тоқтар",
]
SURNAME_SUFFIXES = ("ов", "баев", "беков")  # -ов becomes -ев after a vowel
PATRONYMIC_ROOTS = [
    "Серік",
    "Асқар",
    "Ерлан",
    "Бауыржан",
    "Жанат",
    "Марат",
    "Талғат",
    "Арман",
    "Самат",
    "Болат",
    "Дархан",
    "Мейрам",
    "Қайрат",
    "Ғалым",
    "Нұрлан",
    "Есен",
    "Сәкен",
    "Бекен",
    "Төлеу",
    "Әмір",
    "Қанат",
    "Жұмабек",
    "Ораз",
    "Сапар",
    "Тілек",
    "Оңдасын",
    "Мұрат",
    "Қабдолла",
    "Рысбек",
    "Әбдіғали",
]
_FOLD = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")
_LATIN = {
    **dict(zip("абвгдезиклмнопрстуфы", "abvgdeziklmnoprstufy", strict=True)),
    "ж": "zh",
    "й": "y",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "ь": "",
    "ъ": "",
    "ё": "e",
}
CRITERIA = {
    Mechanism.SOCIAL_ORDER: (
        "Соответствие технической спецификации",
        "Опыт организации",
        "Квалификация исполнителей",
        "Обоснованность бюджета",
    ),
    Mechanism.STATE_GRANT: ("Актуальность", "Реалистичность", "Устойчивость результатов", "Опыт", "Бюджет"),
    # the five criteria of the NGO awards (DOMAIN §3.3)
    Mechanism.NGO_AWARD: ("Социальный вклад", "Опыт", "Общественное признание", "Инновационность", "Результативность"),
}
HEAD_POSTS = ("Руководитель", "Заместитель руководителя")


def _russian(word: str) -> str:
    return word.translate(_FOLD)


def _latin(text: str) -> str:
    out = []
    for word in text.split():
        spelled = "".join(_LATIN.get(c, c) for c in word.lower())
        out.append("-".join(part[:1].upper() + part[1:] for part in spelled.split("-")))  # Akhmetov-Omarov
    return " ".join(out)


def _surnames(roots) -> list[tuple[str, str]]:
    """(male, female) surnames in Kazakh spelling."""
    found = []
    for root in roots:
        for suffix in SURNAME_SUFFIXES:
            if suffix == "ов" and root[-1] in "аеіиоұүуәө":
                suffix = "ев"
            if suffix != "ов" and root.endswith(("ба", "бай")):
                continue
            found.append((root + suffix, root + suffix + "а"))
    return found


def _near(one: str, other: str) -> bool:
    """Whether two keys are at most FUZZY_MAX_EDITS letters apart (lengths first: most pairs stop there)."""
    return abs(len(one) - len(other)) <= FUZZY_MAX_EDITS and levenshtein(one, other) <= FUZZY_MAX_EDITS


def _apart(words: Sequence[tuple[str, ...]], kept_keys: list[str]) -> list[tuple[str, ...]]:
    """The words (tuples: their first item is matched) whose keys are more than FUZZY_MAX_EDITS letters from every
    word kept so far, in order; the kept keys grow as words are kept."""
    kept = []
    for item in words:
        key = person_name_key(_russian(item[0]))
        if all(not _near(key, other) for other in kept_keys):
            kept.append(item)
            kept_keys.append(key)
    return kept


@dataclass(frozen=True)
class Name:
    kk: str
    ru: str
    en: str
    words: tuple[str, str, str]  # surname, first name, patronymic root, in Kazakh spelling
    female: bool

    def variant(self, kind: str) -> dict[str, str]:
        """The same person as another source writes them: name fields for a second Person record."""
        surname, first, root = self.words
        patronymic = root + ("овна" if self.female else "ович")
        if kind == "kazakh":  # Kazakh letters, a Russian-style patronymic, the first name first
            return {"name_kk": f"{first} {patronymic} {surname}"}
        latin = _latin(_russian(f"{first} {patronymic} {surname}"))
        # a passport's y before -ev (Aliyev, Bayev): one letter more in the surname
        return {"name_en": latin.replace("aev", "ayev").replace("iev", "iyev").replace("eev", "eyev")}


def _number(combo: tuple[bool, int, int, int]) -> int:
    """A combination (female, surname, first name, patronymic: indexes, the last two into pools of fewer than 256;
    the surname's beyond its pool's end a double surname's) as one number."""
    female, surname, first, patronymic = combo
    return ((surname * 256 + first) * 256 + patronymic) * 2 + female


class NameBook:
    """Fictional names, each combination of surname, first name and patronymic used once.

    A sex's pool (its surnames x first names x patronymics: 138,880 men's and 109,616 women's names) is drawn from
    as it always was until EXTEND_AT of it is used (a 1x demo uses 30% of the women's, so every size that loaded
    before keeps its names); beyond that, names take a double surname ("Ахметов-Омаров": two surnames of different
    roots, each pair once, in the pools' order): 7,503 of them a sex, 60 times the single surnames, so that ten
    times the national size finds new names at once. A double surname's key has one word more than a single's (the
    hyphen parts two words), and every word of one sex's pools is at least two letters from every other: two
    different names never match, even fuzzily."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[int] = set()  # combinations used, as numbers (_number): some hundreds of thousands
        self.drawn = {False: 0, True: 0}  # names used, by sex
        self.pools = {}
        self.doubles: dict[bool, list[tuple[int, int]]] = {}  # double surnames: pairs of indexes into the surnames
        self.double_index: dict[bool, dict[tuple[int, int], int]] = {}
        root_of = {male: root for root in SURNAME_ROOTS for male, _female in _surnames([root])}
        for female, names in ((False, MALE_NAMES), (True, FEMALE_NAMES)):
            keys: list[str] = []
            surnames = _apart([(s[female], s[0]) for s in _surnames(SURNAME_ROOTS)], keys)
            firsts = _apart([(n,) for n in names], keys)
            patronymics = [
                (_russian(r) + ("овна" if female else "ович"), r + ("қызы" if female else "ұлы"), r)
                for r in PATRONYMIC_ROOTS
            ]
            roots = _apart(patronymics, keys)
            self.pools[female] = (surnames, firsts, roots)
            self.doubles[female] = [
                (a, b)
                for a in range(len(surnames))
                for b in range(a + 1, len(surnames))
                if root_of[surnames[a][1]] != root_of[surnames[b][1]]
            ]
            self.double_index[female] = {pair: i for i, pair in enumerate(self.doubles[female])}

    def extend_at(self, female: bool) -> int:
        """How many names of a sex are drawn from its pool before double surnames come in."""
        surnames, firsts, roots = self.pools[female]
        return int(len(surnames) * len(firsts) * len(roots) * EXTEND_AT)

    def _surname(self, female: bool, s: int) -> str:
        """Surname number `s`: a surname of the pool, or beyond the pool's end a double surname."""
        surnames = self.pools[female][0]
        if s < len(surnames):
            return surnames[s][0]
        a, b = self.doubles[female][s - len(surnames)]
        return f"{surnames[a][0]}-{surnames[b][0]}"

    def _name(self, female: bool, s: int, f: int, p: int) -> Name:
        surname, first = self._surname(female, s), self.pools[female][1][f][0]
        russian_patronymic, kazakh_patronymic, root = self.pools[female][2][p]
        ru = f"{_russian(surname)} {_russian(first)} {russian_patronymic}"
        return Name(
            kk=f"{surname} {first} {kazakh_patronymic}",
            ru=ru,
            en=_latin(ru),
            words=(surname, first, root),
            female=female,
        )

    def _use(self, combo: tuple[bool, int, int, int]) -> None:
        self.used.add(_number(combo))
        self.drawn[combo[0]] += 1

    def new(self, *, female: bool | None = None, latin_variant: bool = False) -> Name:
        """A name not used before; with latin_variant, one whose surname a passport spells with one letter more."""
        female = self.rng.random() < 0.55 if female is None else female
        surnames, firsts, roots = self.pools[female]
        # the draw as it always was while the pool is far from used up, then among the double surnames
        start, count = (0, len(surnames))
        if self.drawn[female] >= self.extend_at(female):
            start, count = (len(surnames), len(self.doubles[female]))
        while True:
            combo = (
                female,
                start + self.rng.randrange(count),
                self.rng.randrange(len(firsts)),
                self.rng.randrange(len(roots)),
            )
            if _number(combo) in self.used:
                continue
            name = self._name(*combo)
            if (
                latin_variant
                and key_edits(person_name_key(name.ru), person_name_key(name.variant("latin")["name_en"])) != 1
            ):
                continue
            self._use(combo)
            return name

    def namesake(self, name: Name) -> Name:
        """Someone with the same first name and patronymic and the nearest other surname (at least two letters
        apart on its key: beyond the fuzzy threshold); of a double surname, the nearest other second part."""
        surnames, firsts, roots = self.pools[name.female]
        f0 = next(i for i, f in enumerate(firsts) if f[0] == name.words[1])
        p0 = next(i for i, r in enumerate(roots) if r[2] == name.words[2])
        index = {s[0]: i for i, s in enumerate(surnames)}
        *kept, last = (index[part] for part in name.words[0].split("-"))
        own = person_name_key(_russian(surnames[last][0]))
        order = sorted(
            (i for i in range(len(surnames)) if i != last),
            key=lambda i: (levenshtein(own, person_name_key(_russian(surnames[i][0]))), i),
        )
        for s in order:
            if kept:  # a double surname: its first part kept, the second a surname of another root
                pair = (min(kept[0], s), max(kept[0], s))
                if pair not in self.double_index[name.female]:
                    continue
                s = len(surnames) + self.double_index[name.female][pair]
            combo = (name.female, s, f0, p0)
            if _number(combo) not in self.used:
                self._use(combo)
                return self._name(*combo)
        raise RuntimeError("no namesake left")


# ---------------------------------------------------------------- the records read back


class OrgRow(NamedTuple):
    registered_on: datetime.date | None
    parent_id: int | None


class AppRow(NamedTuple):
    """An application as read back (a tuple: the demo's largest table read whole, at ten times the national size
    too)."""

    id: int
    applicant_id: int
    outcome: str


class AwardRow(NamedTuple):
    public_id: str
    administrator_id: int
    recipient_id: int
    awarded_on: datetime.date


@dataclass
class Records:
    orgs: dict[int, OrgRow]
    admins: dict[int, dict]
    competitions: dict[int, dict]
    lots: dict[int, dict] = field(default_factory=dict)  # lot id -> {"competition", "applications": [...]}
    awards: list[AwardRow] = field(default_factory=list)


def _read() -> Records:
    orgs = {
        pk: OrgRow(registered_on, parent_id)
        for pk, registered_on, parent_id in Organisation.objects.order_by("id").values_list(
            "id", "registered_on", "parent_id"
        )
    }
    admins: dict[int, Any] = {
        row["id"]: row for row in Administrator.objects.order_by("id").values("id", "code", "kind")
    }
    competitions: dict[int, Any] = {
        row["id"]: {**row, "lots": []}
        for row in Competition.objects.filter(mechanism__in=STATE_MECHANISMS)
        .order_by("id")
        .values("id", "public_id", "announced_on", "deadline_on", "decided_on", "administrator_id", "mechanism")
    }
    records = Records(orgs=orgs, admins=admins, competitions=competitions)
    for pk, lot_id, competition_id, applicant_id, outcome in (
        Application.objects.filter(lot__competition__in=list(competitions))
        .order_by("lot_id", "id")
        .values_list("id", "lot_id", "lot__competition_id", "applicant_id", "outcome")
        .iterator(chunk_size=BATCH)
    ):
        lot: dict[str, Any] | None = records.lots.get(lot_id)
        if lot is None:
            lot = {"id": lot_id, "competition": competition_id, "applications": []}
            records.lots[lot_id] = lot
            competitions[competition_id]["lots"].append(lot)
        lot["applications"].append(AppRow(pk, applicant_id, sys.intern(outcome)))
    records.awards = list(
        map(
            AwardRow._make,
            Award.objects.filter(mechanism__in=STATE_MECHANISMS, recipient__isnull=False)
            .order_by("id")
            .values_list("public_id", "administrator_id", "recipient_id", "awarded_on")
            .iterator(chunk_size=BATCH),
        )
    )
    return records


def _decided(competition: dict) -> datetime.date:
    return competition["decided_on"] or competition["deadline_on"] or competition["announced_on"]


def _admissible(app: AppRow) -> bool:
    return app.outcome not in (Application.Outcome.REJECTED, Application.Outcome.WITHDRAWN)


def _days(rng: random.Random, low: int, high: int) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(low, high))


# ---------------------------------------------------------------- writing


class Writer:
    """People and their roles, written in batches as they are made, in the order they are made (so with the ids
    they would have if all were gathered first): a person is known by a handle, its number in that order, and a
    role by its number among the roles. What stays in memory is a batch of rows, the ids written and the
    officials' posts (few, written last). People are written before the roles that name them."""

    def __init__(self, book: NameBook):
        self.book = book
        self.person_ids = array("q")  # handle -> id, for the people written
        self.pending_people: list[Person] = []
        self.role_ids = array("q")  # role number -> id, for the roles written
        self.pending_roles: list[tuple[int, dict]] = []
        self.posts: list[tuple[int, dict]] = []

    def person(self, name: Name | None = None, **fields) -> int:
        if name is not None:
            fields = {"name_kk": name.kk, "name_ru": name.ru, "name_en": name.en}
        row = Person(**fields)
        row.name_key = person_name_key(row.name_ru or row.name_kk or row.name_en)
        self.pending_people.append(row)
        if len(self.pending_people) >= BATCH:
            self.write_people()
        return len(self.person_ids) + len(self.pending_people) - 1

    def pk(self, person: int) -> int:
        """A written person's id."""
        return self.person_ids[person]

    def role(self, person: int, org: int, kind: str, started, ended=None, source=RoleSource.STATE_REGISTER) -> int:
        """Add a role; returns its number (for end_role)."""
        entry = {"organisation_id": org, "kind": kind, "started_on": started, "ended_on": ended, "source": source}
        self.pending_roles.append((person, entry))
        number = len(self.role_ids) + len(self.pending_roles) - 1
        if len(self.pending_roles) >= BATCH:
            self._write_roles()
        return number

    def end_role(self, number: int, ended_on: datetime.date) -> None:
        """End a role already added: in its row once written, else before it is."""
        if number < len(self.role_ids):
            OrganisationRole.objects.filter(pk=self.role_ids[number]).update(ended_on=ended_on)
        else:
            self.pending_roles[number - len(self.role_ids)][1]["ended_on"] = ended_on

    def post(self, person: int, admin: int, position: str, started, ended) -> dict:
        entry = {"administrator_id": admin, "position": position, "started_on": started, "ended_on": ended}
        self.posts.append((person, entry))
        return entry

    def write_people(self) -> None:
        self.person_ids.extend(row.pk for row in Person.objects.bulk_create(self.pending_people, batch_size=BATCH))
        self.pending_people = []

    def _write_roles(self) -> None:
        self.write_people()  # a role's person first
        rows = [OrganisationRole(person_id=self.person_ids[p], **entry) for p, entry in self.pending_roles]
        self.role_ids.extend(row.pk for row in OrganisationRole.objects.bulk_create(rows, batch_size=BATCH))
        self.pending_roles = []

    def write_roles(self) -> None:
        """The roles not written yet, then the officials' posts."""
        self._write_roles()
        AdministratorOfficial.objects.bulk_create(
            [
                AdministratorOfficial(person_id=self.person_ids[p], source=RoleSource.ADMINISTRATOR, **e)
                for p, e in self.posts
            ],
            batch_size=BATCH,
        )


@dataclass(slots=True)
class Head:
    """An organisation's head as built (the last of its heads): the number of their role and its first day."""

    role: int
    started_on: datetime.date


def _organisation_people(rng: random.Random, writer: Writer, records: Records) -> dict[int, Head]:
    """Each organisation's heads (the first may have handed over), founders and board members; returns each
    organisation's current head."""
    people: dict[int, Head] = {}
    for org_id, org in records.orgs.items():
        registered = org.registered_on or EARLIEST
        start = registered
        first = None
        if (AS_OF - registered).days > 4 * 365 and rng.random() < 0.25:
            change = registered + _days(rng, 365, (AS_OF - registered).days - 365)
            first = writer.person(writer.book.new())
            writer.role(first, org_id, OrganisationRole.Kind.HEAD, registered, change)
            start = change + datetime.timedelta(days=1)
        head = writer.person(writer.book.new())
        people[org_id] = Head(writer.role(head, org_id, OrganisationRole.Kind.HEAD, start), start)
        if rng.random() < 0.6:
            founders = [head if first is None else first] if rng.random() < 0.3 else []
            founders += [writer.person(writer.book.new()) for _ in range(rng.randint(1, 2))]
            for founder in founders:
                writer.role(founder, org_id, OrganisationRole.Kind.FOUNDER, registered)
        if rng.random() < 0.15:
            for _ in range(3):
                member = writer.person(writer.book.new())
                writer.role(member, org_id, OrganisationRole.Kind.BOARD_MEMBER, registered + _days(rng, 0, 700))
    return people


def _officials(rng: random.Random, writer: Writer, records: Records) -> dict[int, list[tuple[int, dict]]]:
    """Two chains of posts per state administrator (its head and a deputy), from 2003 to today, terms of 3-7
    years; the last term is open."""
    posts: dict[int, list[tuple[int, dict]]] = defaultdict(list)
    for admin_id, admin in records.admins.items():
        if admin["kind"] in (Administrator.Kind.FOREIGN_DONOR, Administrator.Kind.BUSINESS):
            continue
        for position in HEAD_POSTS:
            day = EARLIEST - _days(rng, 0, 3 * 365)
            while day <= AS_OF:
                end = day + _days(rng, 3 * 365, 7 * 365)
                person = writer.person(writer.book.new())
                entry = writer.post(person, admin_id, position, day, end if end < AS_OF else None)
                posts[admin_id].append((person, entry))
                day = end + datetime.timedelta(days=1)
    return posts


def _in_post(entry: dict, day: datetime.date) -> bool:
    return entry["started_on"] <= day and (entry["ended_on"] is None or entry["ended_on"] >= day)


# ---------------------------------------------------------------- commissions and scores


@dataclass(slots=True)
class Seat:
    person: int  # the Writer's handle
    competition: int
    role: str
    stage: int
    member_id: int = 0  # once written


def _commissions(rng, writer, records, posts) -> dict[int, list[Seat]]:
    """Each competition's commission: the administrator's deputy in post as chair, members and a secretary from
    the administrator's own pool of experts (the same people sit on its competitions year after year); the NGO
    awards in two stages (a working group, then an expert commission)."""
    pools: dict[int, list[int]] = {}
    seats: dict[int, list[Seat]] = {}
    for competition_id, competition in records.competitions.items():
        if not competition["lots"]:
            continue
        admin = competition["administrator_id"]
        pool = pools.get(admin)
        if pool is None:
            pool = pools[admin] = [writer.person(writer.book.new()) for _ in range(9)]
        chosen = rng.sample(pool, 8)
        day = competition["announced_on"]
        deputy = next((p for p, e in posts.get(admin, ()) if e["position"] == HEAD_POSTS[1] and _in_post(e, day)), None)
        chair = deputy if deputy is not None else chosen.pop()
        if competition["mechanism"] == Mechanism.NGO_AWARD:
            stages = [(1, chosen[:3]), (2, [chair, *chosen[3:6]])]
            secretary = chosen[6]
        else:
            stages = [(1, [chair, *chosen[: rng.randint(2, 3)]])]
            secretary = chosen[5]
        found = []
        for stage, people in stages:
            for k, person in enumerate(people):
                role = CommissionMember.Role.CHAIR if person == chair else CommissionMember.Role.MEMBER
                if stage == 1 and k == 0 and person != chair:
                    role = CommissionMember.Role.CHAIR
                found.append(Seat(person, competition_id, role, stage))
        found.append(Seat(secretary, competition_id, CommissionMember.Role.SECRETARY, stages[-1][0]))
        seats[competition_id] = found
    return seats


def _vector(rng: random.Random, mean: float, n: int) -> list[int]:
    return [max(0, min(MAX_SCORE, round(rng.gauss(mean, 1.2)))) for _ in range(n)]


def _order(winners: list[list[int]], others: list[list[int]]) -> None:
    """Raise the winners' scores (or lower the others') until every winner's total is above every other's."""
    while winners and others and min(map(sum, winners)) <= max(map(sum, others)):
        low = min(winners, key=sum)
        i = min(range(len(low)), key=lambda k: low[k])
        if low[i] < MAX_SCORE:
            low[i] += 1
            continue
        high = max(others, key=sum)
        high[max(range(len(high)), key=lambda k: high[k])] -= 1


def _scores(rng, records, seats) -> dict[int, dict[int, dict[int, list[int]]]]:
    """Scores by lot, stage and application: each a vector over (member, criterion), winners on top at the last
    stage (the NGO awards' first stage is free: who passed it is what matters)."""
    found: dict[int, dict[int, dict[int, list[int]]]] = {}
    for competition_id, competition in records.competitions.items():
        if competition["announced_on"].year < SCORED_FROM or competition_id not in seats:
            continue
        criteria = len(CRITERIA[competition["mechanism"]])
        voting: dict[int, int] = defaultdict(int)
        for seat in seats[competition_id]:
            if seat.role != CommissionMember.Role.SECRETARY:
                voting[seat.stage] += 1
        last = max(voting)
        for lot in competition["lots"]:
            apps = [a for a in lot["applications"] if _admissible(a)]
            winners = [a for a in apps if a.outcome == Application.Outcome.WON]
            by_stage: dict[int, dict[int, list[int]]] = {}
            candidates = apps
            if last == 2:
                first = {a.id: _vector(rng, rng.uniform(4, 8.5), voting[1] * criteria) for a in apps}
                by_stage[1] = first
                losers = sorted((a for a in apps if a not in winners), key=lambda a: -sum(first[a.id]))
                candidates = winners + losers[: (len(losers) + 1) // 2]
            n = voting[last] * criteria
            vectors = {
                a.id: _vector(rng, rng.uniform(7.5, 9.2) if a in winners else rng.uniform(4, 7.5), n)
                for a in candidates
            }
            _order([vectors[a.id] for a in winners], [vectors[a.id] for a in candidates if a not in winners])
            by_stage[last] = vectors
            found[lot["id"]] = by_stage
    return found


# ---------------------------------------------------------------- planting


class Manifest:
    def __init__(self) -> None:
        self.planted: dict[str, dict[tuple, dict]] = defaultdict(dict)
        self.control: dict[str, dict[tuple, dict]] = defaultdict(dict)

    @staticmethod
    def _entry(subject_type: str, key: str, year: int | None) -> dict:
        return {"subject_type": subject_type, "subject_key": key, "year": year}

    def plant(self, code: str, subject_type: str, key: str, year: int | None) -> None:
        self.planted[code][(subject_type, key, year)] = self._entry(subject_type, key, year)

    def near_miss(self, code: str, subject_type: str, key: str, year: int | None) -> None:
        self.control[code][(subject_type, key, year)] = self._entry(subject_type, key, year)

    def as_dict(self) -> dict:
        def listed(found):
            return {
                code: sorted(entries.values(), key=lambda e: (e["year"] or 0, e["subject_key"]))
                for code, entries in sorted(found.items())
            }

        return {**listed(self.planted), "_control": listed(self.control)}


class Planter:
    """Chooses the records each planted case and near miss uses, each record at most once, so that one case
    never creates another."""

    def __init__(self, rng, writer, records, people, posts, seats, scores):
        self.rng, self.writer, self.records = rng, writer, records
        self.people, self.posts, self.seats, self.scores = people, posts, seats, scores
        self.manifest = Manifest()
        self.taken_orgs: set[int] = set()
        self.taken_competitions: set[int] = set()
        self.taken_awards: set[str] = set()
        self.taken_people: set[int] = set()  # officials given a planted role (the Writer's handles)
        self.lots_of: dict[int, set[int]] = defaultdict(set)
        for lot in records.lots.values():
            for app in lot["applications"]:
                self.lots_of[app.applicant_id].add(lot["id"])
        self.admin_years_of: dict[int, set[tuple[int, int]]] = defaultdict(set)
        for award in records.awards:
            self.admin_years_of[award.recipient_id].add((award.administrator_id, award.awarded_on.year))
        self.branched = {pk for pk, org in records.orgs.items() if org.parent_id}
        self.branched |= {org.parent_id for org in records.orgs.values() if org.parent_id}

    # ---- helpers

    def _free(self, org: int) -> bool:
        return org not in self.taken_orgs and org not in self.branched

    def _second(self, name: Name, person: int, variant: str) -> int:
        """The same person on the other side: the same record, or a second record as another source writes it."""
        return person if variant == "same" else self.writer.person(**name.variant(variant))

    def _competitions(self, *, scored: bool = False):
        ids = sorted(self.records.competitions)
        self.rng.shuffle(ids)
        for competition_id in ids:
            competition = self.records.competitions[competition_id]
            if competition_id in self.taken_competitions or competition_id not in self.seats:
                continue
            if scored and competition["announced_on"].year < SCORED_FROM:
                continue
            yield competition

    def _independent(self, one: int, other: int) -> bool:
        """Two organisations that share no lot and no administrator-year as recipients."""
        return not (self.lots_of[one] & self.lots_of[other]) and not (
            self.admin_years_of[one] & self.admin_years_of[other]
        )

    # ---- conflict of interest

    def _applicants(self):
        """Competitions not yet used, each with a free organisation among its (not withdrawn) applicants."""
        for competition in self._competitions():
            apps = [a for lot in competition["lots"] for a in lot["applications"] if a.outcome != "withdrawn"]
            orgs = [a.applicant_id for a in apps if self._free(a.applicant_id)]
            if orgs:
                yield competition, orgs[0]

    def _invite(self, competition: dict, name: Name) -> int:
        """A member invited to this competition's commission only (at its last stage; they score nothing)."""
        member = self.writer.person(name)
        stage = max(seat.stage for seat in self.seats[competition["id"]])
        self.seats[competition["id"]].append(Seat(member, competition["id"], CommissionMember.Role.MEMBER, stage))
        return member

    def conflict_of_interest(self, count: int) -> None:
        for made, (competition, org) in enumerate(itertools.islice(self._applicants(), count)):
            variant = VARIANTS[made % len(VARIANTS)]
            name = self.writer.book.new(latin_variant=variant == "latin")
            member = self._invite(competition, name)
            registered = self.records.orgs[org].registered_on or EARLIEST
            kind = (OrganisationRole.Kind.FOUNDER, OrganisationRole.Kind.BOARD_MEMBER)[made % 2]
            self.writer.role(self._second(name, member, variant), org, kind, registered)
            self.taken_orgs.add(org)
            self.taken_competitions.add(competition["id"])
            self.manifest.plant(
                "conflict_of_interest", "competition", competition["public_id"], competition["announced_on"].year
            )
        self._official_in_post()

    def _official_in_post(self) -> None:
        """An official of the administrator, in post, on the board of an applicant for the competition's year
        only; every competition of the administrator it meets is listed."""
        for competition in self._competitions():
            day, end = competition["announced_on"], _decided(competition)
            admin = competition["administrator_id"]
            official = next(
                ((p, e) for p, e in self.posts.get(admin, ()) if _in_post(e, day) and _in_post(e, end)), None
            )
            apps = [a for lot in competition["lots"] for a in lot["applications"] if a.outcome != "withdrawn"]
            orgs = [a.applicant_id for a in apps if self._free(a.applicant_id)]
            if official is None or not orgs:
                continue
            person, post = official
            self.taken_people.add(person)
            org = orgs[0]
            low, high = day - datetime.timedelta(days=30), end + datetime.timedelta(days=30)
            self.writer.role(person, org, OrganisationRole.Kind.BOARD_MEMBER, low, high)
            self.taken_orgs.add(org)
            for other in self.records.competitions.values():
                if other["administrator_id"] != admin:
                    continue
                o_low, o_high = other["announced_on"], _decided(other)
                applied = any(
                    a.applicant_id == org and a.outcome != "withdrawn"
                    for lot in other["lots"]
                    for a in lot["applications"]
                )
                post_on = post["started_on"] <= o_high and (post["ended_on"] is None or post["ended_on"] >= o_low)
                if applied and post_on and low <= o_high and high >= o_low:
                    self.taken_competitions.add(other["id"])
                    self.manifest.plant(
                        "conflict_of_interest", "competition", other["public_id"], other["announced_on"].year
                    )
            return

    def _former_officials(self):
        """Competitions not yet used, each with a free applicant and an official of the administrator who left
        three to four years before it was announced."""
        for competition, org in self._applicants():
            day = competition["announced_on"]
            former = [
                p
                for p, e in self.posts.get(competition["administrator_id"], ())
                if p not in self.taken_people
                and e["ended_on"]
                and datetime.timedelta(days=3 * 365) <= day - e["ended_on"] <= datetime.timedelta(days=4 * 365)
            ]
            if former:
                yield competition, org, former[0]

    def conflict_near_misses(self) -> None:
        for competition, org in itertools.islice(self._applicants(), CONTROL_EACH):  # a namesake two letters away
            name = self.writer.book.new()
            self._invite(competition, name)
            namesake = self.writer.person(self.writer.book.namesake(name))
            registered = self.records.orgs[org].registered_on or EARLIEST
            self.writer.role(namesake, org, OrganisationRole.Kind.FOUNDER, registered)
            self.taken_orgs.add(org)
            self.taken_competitions.add(competition["id"])
            self.manifest.near_miss(
                "conflict_of_interest", "competition", competition["public_id"], competition["announced_on"].year
            )
        for competition, org, person in itertools.islice(self._former_officials(), CONTROL_EACH):
            day = competition["announced_on"]
            self.taken_people.add(person)
            self.writer.role(person, org, OrganisationRole.Kind.FOUNDER, day - datetime.timedelta(days=60))
            self.taken_orgs.add(org)
            self.taken_competitions.add(competition["id"])
            self.manifest.near_miss("conflict_of_interest", "competition", competition["public_id"], day.year)

    # ---- collusion

    def _lot_pairs(self, *, same_lot: bool):
        lots = sorted(self.records.lots)
        self.rng.shuffle(lots)
        for lot_id in lots:
            lot = self.records.lots[lot_id]
            competition = self.records.competitions[lot["competition"]]
            if competition["id"] in self.taken_competitions:
                continue
            orgs = sorted({a.applicant_id for a in lot["applications"] if self._free(a.applicant_id)})
            if same_lot:
                for i, one in enumerate(orgs):
                    for other in orgs[i + 1 :]:
                        shared = self.lots_of[one] & self.lots_of[other]
                        if shared == {lot_id} and not (self.admin_years_of[one] & self.admin_years_of[other]):
                            yield competition, one, other
                            break
                    else:
                        continue
                    break
            else:
                others = [
                    a.applicant_id
                    for other_lot in competition["lots"]
                    if other_lot["id"] != lot_id
                    for a in other_lot["applications"]
                    if self._free(a.applicant_id)
                ]
                for one in orgs:
                    pair = next((o for o in others if o != one and self._independent(one, o)), None)
                    if pair is not None:
                        yield competition, one, pair
                        break

    def collusion(self, count: int) -> None:
        for made, (competition, one, other) in enumerate(itertools.islice(self._lot_pairs(same_lot=True), count)):
            variant = VARIANTS[made % len(VARIANTS)]
            name = self.writer.book.new(latin_variant=variant == "latin")
            founder = self.writer.person(name)
            self.writer.role(founder, one, OrganisationRole.Kind.FOUNDER, self.records.orgs[one].registered_on)
            self.writer.role(
                self._second(name, founder, variant),
                other,
                OrganisationRole.Kind.FOUNDER,
                self.records.orgs[other].registered_on,
            )
            self.taken_orgs |= {one, other}
            self.taken_competitions.add(competition["id"])
            self.manifest.plant("collusion", "competition", competition["public_id"], competition["announced_on"].year)

    def collusion_near_misses(self) -> None:
        # applicants to different lots of one competition
        for competition, one, other in itertools.islice(self._lot_pairs(same_lot=False), CONTROL_EACH):
            founder = self.writer.person(self.writer.book.new())
            for org in (one, other):
                self.writer.role(founder, org, OrganisationRole.Kind.FOUNDER, self.records.orgs[org].registered_on)
            self.taken_orgs |= {one, other}
            self.taken_competitions.add(competition["id"])
            self.manifest.near_miss(
                "collusion", "competition", competition["public_id"], competition["announced_on"].year
            )
        # a board member shared by two applicants to one lot
        for competition, one, other in itertools.islice(self._lot_pairs(same_lot=True), CONTROL_EACH):
            member = self.writer.person(self.writer.book.new())
            for org in (one, other):
                registered = self.records.orgs[org].registered_on
                self.writer.role(member, org, OrganisationRole.Kind.BOARD_MEMBER, registered)
            self.taken_orgs |= {one, other}
            self.taken_competitions.add(competition["id"])
            self.manifest.near_miss(
                "collusion", "competition", competition["public_id"], competition["announced_on"].year
            )

    # ---- one person behind several recipients

    def _recipient_pairs(self, *, same: str):
        """Pairs of free recipients with no lot in common: one administrator-year in common (same="admin-year"),
        one administrator in different years only ("admin"), or one year with different administrators only
        ("year")."""
        by_admin_year: dict[tuple[int, int], list[int]] = defaultdict(list)
        for org, held in self.admin_years_of.items():
            for key in held:
                by_admin_year[key].append(org)
        order = sorted(by_admin_year)
        self.rng.shuffle(order)
        for admin, year in order:
            for one in sorted(by_admin_year[(admin, year)]):
                if not self._free(one):
                    continue
                if same == "admin-year":
                    candidates = by_admin_year[(admin, year)]
                elif same == "admin":
                    candidates = [o for (a, y), orgs in by_admin_year.items() if a == admin and y != year for o in orgs]
                else:
                    candidates = [o for (a, y), orgs in by_admin_year.items() if y == year and a != admin for o in orgs]
                for other in sorted(set(candidates)):
                    if other == one or not self._free(other) or self.lots_of[one] & self.lots_of[other]:
                        continue
                    common = self.admin_years_of[one] & self.admin_years_of[other]
                    if (same == "admin-year" and common == {(admin, year)}) or (same != "admin-year" and not common):
                        yield admin, year, one, other
                        break
                else:
                    continue
                break

    def one_person_many_recipients(self, count: int) -> None:
        for made, (admin, year, one, other) in enumerate(
            itertools.islice(self._recipient_pairs(same="admin-year"), count)
        ):
            variant = VARIANTS[made % len(VARIANTS)]
            name = self.writer.book.new(latin_variant=variant == "latin")
            person = self.writer.person(name)
            self.writer.role(person, one, OrganisationRole.Kind.FOUNDER, self.records.orgs[one].registered_on)
            self.writer.role(
                self._second(name, person, variant),
                other,
                OrganisationRole.Kind.FOUNDER,
                self.records.orgs[other].registered_on,
            )
            self.taken_orgs |= {one, other}
            self.manifest.plant("one_person_many_recipients", "administrator", self.records.admins[admin]["code"], year)

    def one_person_near_misses(self) -> None:
        for same in ("admin", "year"):
            for admin, year, one, other in itertools.islice(self._recipient_pairs(same=same), CONTROL_EACH):
                person = self.writer.person(self.writer.book.new())
                for org in (one, other):
                    registered = self.records.orgs[org].registered_on
                    self.writer.role(person, org, OrganisationRole.Kind.FOUNDER, registered)
                    for a, y in self.admin_years_of[org]:
                        if (same == "admin" and a == admin) or (same == "year" and y == year):
                            self.manifest.near_miss(
                                "one_person_many_recipients", "administrator", self.records.admins[a]["code"], y
                            )
                self.taken_orgs |= {one, other}

    # ---- revolving door

    def _awards_with_head(self):
        awards = list(self.records.awards)
        self.rng.shuffle(awards)
        for award in awards:
            org = award.recipient_id
            if not self._free(org) or award.public_id in self.taken_awards or award.administrator_id not in self.posts:
                continue
            head = self.people[org]
            if (award.awarded_on - head.started_on).days >= 90 and award.awarded_on >= datetime.date(2006, 1, 1):
                yield award, head

    def _new_head(self, award: AwardRow, head: Head, person: int) -> datetime.date:
        """`person` heads the recipient from 30 days before the award; the head before them leaves the day before."""
        start = award.awarded_on - datetime.timedelta(days=30)
        self.writer.end_role(head.role, start - datetime.timedelta(days=1))
        self.writer.role(person, award.recipient_id, OrganisationRole.Kind.HEAD, start)
        self.taken_orgs.add(award.recipient_id)
        return start

    def revolving_door(self, count: int) -> None:
        for made, (award, head) in enumerate(itertools.islice(self._awards_with_head(), count)):
            variant = VARIANTS[made % len(VARIANTS)]
            name = self.writer.book.new(latin_variant=variant == "latin")
            official = self.writer.person(name)
            day = award.awarded_on
            left = day - _days(self.rng, 60, 600)
            self.writer.post(official, award.administrator_id, HEAD_POSTS[1], left - _days(self.rng, 700, 2500), left)
            start = self._new_head(award, head, self._second(name, official, variant))
            limit = _years_after(left, REVOLVING_DOOR_YEARS)
            for other in self.records.awards:  # every award of the administrator to the recipient in the window
                same = (other.administrator_id, other.recipient_id) == (
                    award.administrator_id,
                    award.recipient_id,
                )
                if same and start <= other.awarded_on <= limit and other.awarded_on > left:
                    self.taken_awards.add(other.public_id)
                    self.manifest.plant("revolving_door", "award", other.public_id, other.awarded_on.year)

    def revolving_near_misses(self) -> None:
        for award, head in itertools.islice(self._awards_with_head(), CONTROL_EACH):
            official = self.writer.person(self.writer.book.new())
            day = award.awarded_on
            left = _years_after(day, -3) - _days(self.rng, 1, 200)  # three years and more before
            self.writer.post(official, award.administrator_id, HEAD_POSTS[1], left - _days(self.rng, 700, 2500), left)
            self._new_head(award, head, official)
            self.taken_awards.add(award.public_id)
            self.manifest.near_miss("revolving_door", "award", award.public_id, day.year)

    # ---- not the best scored

    def _scored_lots(self):
        for competition in self._competitions(scored=True):
            if competition["mechanism"] == Mechanism.NGO_AWARD:
                continue
            for lot in competition["lots"]:
                vectors = self.scores.get(lot["id"], {}).get(1, {})
                winners = [a for a in lot["applications"] if a.outcome == "won" and a.id in vectors]
                others = [a for a in lot["applications"] if a.outcome != "won" and a.id in vectors]
                if len(winners) == 1 and others:
                    yield competition, vectors, winners[0], max(others, key=lambda a: sum(vectors[a.id]))
                    break

    def not_best_scored(self, count: int) -> None:
        for competition, vectors, winner, best in itertools.islice(self._scored_lots(), count):
            vectors[winner.id], vectors[best.id] = vectors[best.id], vectors[winner.id]
            self.taken_competitions.add(competition["id"])
            self.manifest.plant(
                "not_best_scored", "competition", competition["public_id"], competition["announced_on"].year
            )

    def not_best_near_misses(self) -> None:
        for competition, vectors, winner, best in itertools.islice(self._scored_lots(), CONTROL_EACH):
            vectors[best.id] = list(vectors[winner.id])  # tied on every score, so on the total
            self.taken_competitions.add(competition["id"])
            self.manifest.near_miss(
                "not_best_scored", "competition", competition["public_id"], competition["announced_on"].year
            )


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _write_commissions(writer: Writer, seats: dict[int, list[Seat]], scores, records: Records) -> None:
    ordered = [seat for competition_id in sorted(seats) for seat in seats[competition_id]]
    rows = (
        CommissionMember(
            competition_id=seat.competition,
            person_id=writer.pk(seat.person),
            role=seat.role,
            stage=seat.stage,
            source=RoleSource.PROTOCOL,
        )
        for seat in ordered
    )
    for seat, pk in zip(ordered, insert_in_batches(CommissionMember, rows, BATCH), strict=True):
        seat.member_id = pk

    def score_rows():
        for lot_id in sorted(scores):
            competition_id = records.lots[lot_id]["competition"]
            criteria = CRITERIA[records.competitions[competition_id]["mechanism"]]
            for stage, vectors in sorted(scores[lot_id].items()):
                voting = [
                    s for s in seats[competition_id] if s.stage == stage and s.role != CommissionMember.Role.SECRETARY
                ]
                for application_id, vector in vectors.items():
                    values = iter(vector)
                    # members invited after the scores were drawn (planted cases) score nothing: the vector covers
                    # the commission as first drawn
                    for seat in voting[: len(vector) // len(criteria)]:
                        for criterion in criteria:
                            yield (application_id, seat.member_id, criterion, next(values), MAX_SCORE, now)

    # Scores are the demo's largest table (about half a million rows at full size): written with executemany in
    # batches, since building a model instance per score tripled seed_demo's time. Portable SQL, parameters only.
    now = timezone.now()
    table = CommissionScore._meta.db_table
    insert = (
        f"INSERT INTO {table} (application_id, member_id, criterion, score, max_score, created_at) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s, %s)"
    )
    rows_left = score_rows()
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows_left, SCORE_BATCH)):
            cursor.executemany(insert, batch)


def demo_people_load(*, seed: int, scale: float = 1.0) -> dict:
    """Write the demo's people, roles, officials, commissions and scores on top of its registry and funding;
    return the manifest of the people flags' planted cases, with the near misses under "_control"."""
    rng = random.Random(seed * 104_729 + 17)  # noqa: S311 (fictional data, deterministic for a seed)
    records = _read()
    if not records.orgs:
        return {}
    writer = Writer(NameBook(rng))
    people = _organisation_people(rng, writer, records)
    posts = _officials(rng, writer, records)
    seats = _commissions(rng, writer, records, posts)
    scores = _scores(rng, records, seats)
    planter = Planter(rng, writer, records, people, posts, seats, scores)
    count = max(len(VARIANTS), round(PLANTED_PER_FULL_SIZE * scale))
    planter.not_best_scored(count)
    planter.not_best_near_misses()
    planter.revolving_door(count)
    planter.revolving_near_misses()
    planter.conflict_of_interest(count)
    planter.conflict_near_misses()
    planter.collusion(count)
    planter.collusion_near_misses()
    planter.one_person_many_recipients(count)
    planter.one_person_near_misses()
    writer.write_people()
    writer.write_roles()
    _write_commissions(writer, seats, scores, records)
    return planter.manifest.as_dict()
