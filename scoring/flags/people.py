"""Flags on the people on both sides of the money (issue 17): conflicts of interest, collusion, one person behind
several recipients, the revolving door; and a winner that was not the best scored.

A name is matched on its key (registry.search.person_name_key: Kazakh letters folded, Cyrillic in Latin, Latin
variants folded, words sorted). Two names match *exactly* when they are the same person record or share that key;
*fuzzily* when they have the same number of words (at least two) and the words pair up so that each pair is equal
or, both at least FUZZY_MIN_LETTERS letters long, differs by at most FUZZY_MAX_EDITS letter (Levenshtein
distance): "Aliyev" and "Aliev" do, "Alimov" and "Aliev" do not. Each hit carries the letters that differ between
the two spellings (0: an exact match), so a reader sees how sure the match is. Groups compared are small (one
competition's commission against its applicants, one lot's applicants, one administrator-year's recipients), so
the pairwise comparison stays cheap at the registry's size.

No personal identification number is stored or used: two different people with the same name match, which is
why every hit is a reason to check, never a finding."""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Count, Sum

from funding.models import STATE_MECHANISMS, AdministratorOfficial, Application, CommissionMember, CommissionScore
from registry.models import Organisation, OrganisationRole
from scoring.flags.catalogue import (
    FUZZY_MAX_EDITS,
    FUZZY_MIN_LETTERS,
    MANY_RECIPIENTS,
    REVOLVING_DOOR_YEARS,
    Hit,
    state_awards,
    stream,
)

HEAD, FOUNDER, BOARD = (OrganisationRole.Kind.HEAD, OrganisationRole.Kind.FOUNDER, OrganisationRole.Kind.BOARD_MEMBER)
# Permutations of words are tried up to this many words; longer names pair their sorted words.
_MAX_PERMUTED_WORDS = 4


# ---------------------------------------------------------------- matching names


def levenshtein(one: str, other: str) -> int:
    """The number of letters inserted, deleted or replaced to turn one word into the other."""
    if len(one) < len(other):
        one, other = other, one
    previous = list(range(len(other) + 1))
    for i, a in enumerate(one, 1):
        current = [i]
        for j, b in enumerate(other, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1]


@lru_cache(maxsize=500_000)
def _word_edits(one: str, other: str) -> int | None:
    """Letters that differ between two words of a name, or None when they are not the same word: Levenshtein's
    table computed only within FUZZY_MAX_EDITS of its diagonal, stopping as soon as a row exceeds it."""
    if one == other:
        return 0
    if min(len(one), len(other)) < FUZZY_MIN_LETTERS or abs(len(one) - len(other)) > FUZZY_MAX_EDITS:
        return None
    band, beyond = FUZZY_MAX_EDITS, FUZZY_MAX_EDITS + 1
    previous = {j: j for j in range(min(len(other), band) + 1)}
    for i, a in enumerate(one, 1):
        current = {}
        for j in range(max(0, i - band), min(len(other), i + band) + 1):
            if j == 0:
                current[j] = i
                continue
            current[j] = min(
                previous.get(j, beyond) + 1,
                current.get(j - 1, beyond) + 1,
                previous.get(j - 1, beyond) + (a != other[j - 1]),
            )
        if min(current.values()) > band:
            return None
        previous = current
    edits = previous.get(len(other), beyond)
    return edits if edits <= band else None


@lru_cache(maxsize=200_000)
def key_edits(one: str, other: str) -> int | None:
    """How far apart two name keys are: 0 when they are the same key, the letters that differ when they match
    fuzzily, None when they do not match. (Cached: the same commissions and applicants meet again and again.)"""
    if not one or not other:
        return None
    if one == other:
        return 0
    words, others = one.split(), other.split()
    if len(words) != len(others) or len(words) < 2:
        return None
    # Words can pair within the edits allowed only if their lengths can, which the sorted lengths tell at once.
    lengths = zip(sorted(map(len, words)), sorted(map(len, others)), strict=True)
    if any(abs(a - b) > FUZZY_MAX_EDITS for a, b in lengths):
        return None
    table = []
    for a in words:
        row = [_word_edits(a, b) for b in others]
        if all(cell is None for cell in row):
            return None
        table.append(row)
    n = len(words)
    orders = itertools.permutations(range(n)) if n <= _MAX_PERMUTED_WORDS else [range(n)]
    best = None
    for order in orders:
        cells = [table[i][j] for i, j in zip(range(n), order, strict=True)]
        if None not in cells:
            total = sum(c for c in cells if c is not None)
            best = total if best is None else min(best, total)
    return best


@dataclass(frozen=True)
class Holder:
    """A person as one record names them: the person row, its key and its name as published."""

    person_id: int
    key: str
    name: str


def match(one: Holder, other: Holder) -> int | None:
    """Letters that differ between two people's names (0: the same person row or the same key), or None."""
    if one.person_id == other.person_id:
        return 0
    return key_edits(one.key, other.key)


def _holder(row: dict) -> Holder:
    """The person of a row read with PERSON_VALUES, named as published (Russian, else Kazakh, else English)."""
    name = row["person__name_ru"] or row["person__name_kk"] or row["person__name_en"]
    return Holder(row["person_id"], row["person__name_key"], name)


PERSON_VALUES = ("person_id", "person__name_key", "person__name_ru", "person__name_kk", "person__name_en")


def _overlaps(start, end, low: datetime.date, high: datetime.date) -> bool:
    """A dated period (open ends unknown or running) meets the days low..high."""
    return (start is None or start <= high) and (end is None or end >= low)


def person_record(holder: Holder) -> dict:
    return {"type": "person", "key": str(holder.person_id), "label": holder.name}


def _organisation_record(org_id: int) -> dict:
    return {"type": "organisation", "key": str(org_id), "label": ""}


def _competition_record(row: dict) -> dict:
    return {"type": "competition", "key": row["public_id"], "label": row["title"]}


@dataclass(frozen=True)
class Role:
    holder: Holder
    organisation_id: int
    kind: str
    started_on: datetime.date | None
    ended_on: datetime.date | None

    def on(self, low: datetime.date, high: datetime.date | None = None) -> bool:
        return _overlaps(self.started_on, self.ended_on, low, high or low)


def _roles(organisations, kinds: Iterable[str]) -> dict[int, list[Role]]:
    """The roles of the given kinds in the organisations (a queryset of ids), by organisation."""
    by_org: dict[int, list[Role]] = defaultdict(list)
    rows = OrganisationRole.objects.filter(organisation__in=organisations, kind__in=list(kinds)).values(
        "organisation_id", "kind", "started_on", "ended_on", *PERSON_VALUES
    )
    with stream(rows) as found:
        for row in found:
            by_org[row["organisation_id"]].append(
                Role(_holder(row), row["organisation_id"], row["kind"], row["started_on"], row["ended_on"])
            )
    return by_org


def _branches(ids: Iterable[int]) -> dict[int, int]:
    """Each organisation's root: itself, or the organisation it is a branch of."""
    return {
        pk: parent or pk for pk, parent in Organisation.objects.filter(pk__in=list(ids)).values_list("id", "parent_id")
    }


def _competitions():
    from funding.models import Competition

    return Competition.objects.filter(mechanism__in=STATE_MECHANISMS)


COMPETITION_VALUES = (
    "id",
    "public_id",
    "title",
    "announced_on",
    "deadline_on",
    "decided_on",
    "administrator_id",
    "administrator__code",
)


def _period(row: dict) -> tuple[datetime.date, datetime.date]:
    """A competition's dates: from its announcement to its decision (or deadline) as recorded."""
    return row["announced_on"], row["decided_on"] or row["deadline_on"] or row["announced_on"]


# ---------------------------------------------------------------- conflict of interest


def conflict_of_interest_find(*, today: datetime.date) -> Iterator[Hit]:
    """A commission member of a competition, or an official of its administrator in post on its dates, who is
    head, founder or board member of one of its applicants on those dates."""
    competitions = {row["id"]: row for row in _competitions().values(*COMPETITION_VALUES)}
    applications: dict[int, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        Application.objects.filter(lot__competition__mechanism__in=STATE_MECHANISMS)
        .exclude(outcome=Application.Outcome.WITHDRAWN)
        .values("lot__competition_id", "lot__number", "applicant_id", "outcome")
    )
    for row in rows:
        applications[row["lot__competition_id"]][row["applicant_id"]].append(row)
    if not applications:
        return
    roles = _roles(
        Application.objects.filter(lot__competition__mechanism__in=STATE_MECHANISMS).values("applicant_id"),
        (HEAD, FOUNDER, BOARD),
    )
    seats: dict[int, list[tuple[Holder, str]]] = defaultdict(list)
    for row in CommissionMember.objects.filter(competition__mechanism__in=STATE_MECHANISMS).values(
        "competition_id", "role", *PERSON_VALUES
    ):
        seats[row["competition_id"]].append((_holder(row), "commission"))
    officials: dict[int, list[tuple[Holder, str, datetime.date | None, datetime.date | None]]] = defaultdict(list)
    for row in AdministratorOfficial.objects.values(
        "administrator_id", "position", "started_on", "ended_on", *PERSON_VALUES
    ):
        officials[row["administrator_id"]].append((_holder(row), row["position"], row["started_on"], row["ended_on"]))
    for competition_id in sorted(applications):
        competition = competitions[competition_id]
        low, high = _period(competition)
        deciders: list[tuple[Holder, str, str]] = [(holder, "commission", "") for holder, _ in seats[competition_id]]
        deciders += [
            (holder, "official", position)
            for holder, position, started, ended in officials[competition["administrator_id"]]
            if _overlaps(started, ended, low, high)
        ]
        if not deciders:
            continue
        found: dict[tuple[int, int], dict] = {}
        for org_id, apps in applications[competition_id].items():
            for role in roles.get(org_id, ()):
                if not role.on(low, high):
                    continue
                for holder, side, position in deciders:
                    edits = match(holder, role.holder)
                    if edits is None:
                        continue
                    hit = found.setdefault(
                        (holder.person_id, org_id),
                        {"decider": holder, "holder": role.holder, "edits": edits, "sides": {}, "kinds": set()},
                    )
                    hit["sides"][side] = position
                    hit["kinds"].add(role.kind)
                    if edits < hit["edits"]:
                        hit["edits"], hit["holder"] = edits, role.holder
                    hit["lots"] = sorted({str(a["lot__number"]) for a in apps})
                    hit["won"] = sum(1 for a in apps if a["outcome"] == Application.Outcome.WON)
        for (_, org_id), hit in sorted(found.items()):
            decider, holder = hit["decider"], hit["holder"]
            values = {
                "commission_member": decider.name if "commission" in hit["sides"] else None,
                "official": f"{decider.name}, {hit['sides']['official']}" if "official" in hit["sides"] else None,
                **{
                    name: holder.name if kind in hit["kinds"] else None
                    for kind, name in (
                        (HEAD, "applicant_head"),
                        (FOUNDER, "applicant_founder"),
                        (BOARD, "applicant_board"),
                    )
                },
                "name_letters_differ": hit["edits"],
                "lots": hit["lots"],
                "lots_won": hit["won"],
            }
            people = {decider.person_id: decider, holder.person_id: holder}
            yield Hit(
                code="conflict_of_interest",
                subject_type="competition",
                subject_key=competition["public_id"],
                title=f"{competition['title']}: {decider.name}",
                year=competition["announced_on"].year,
                administrator=competition["administrator__code"],
                organisation_id=org_id,
                values={key: value for key, value in values.items() if value is not None},
                records=[
                    _competition_record(competition),
                    _organisation_record(org_id),
                    *(person_record(p) for p in people.values()),
                ],
            )


# ---------------------------------------------------------------- collusion


def collusion_find(*, today: datetime.date) -> Iterator[Hit]:
    """Two applicants to one lot (neither a branch of the other) sharing a head or founder on the competition's
    dates: one hit per pair of applicants."""
    competitions = {row["id"]: row for row in _competitions().values(*COMPETITION_VALUES)}
    lots: dict[int, dict] = {}
    for row in Application.objects.filter(lot__competition__mechanism__in=STATE_MECHANISMS).values(
        "lot_id", "lot__number", "lot__competition_id", "applicant_id"
    ):
        lot = lots.setdefault(
            row["lot_id"], {"number": row["lot__number"], "competition": row["lot__competition_id"], "orgs": set()}
        )
        lot["orgs"].add(row["applicant_id"])
    lots = {pk: lot for pk, lot in lots.items() if len(lot["orgs"]) >= 2}
    if not lots:
        return
    roles = _roles(
        Application.objects.filter(lot__competition__mechanism__in=STATE_MECHANISMS).values("applicant_id"),
        (HEAD, FOUNDER),
    )
    roots = _branches({org for lot in lots.values() for org in lot["orgs"]})
    for lot_id in sorted(lots):
        lot = lots[lot_id]
        competition = competitions[lot["competition"]]
        low, high = _period(competition)
        holders = {org: [r for r in roles.get(org, ()) if r.on(low, high)] for org in sorted(lot["orgs"])}
        for one, other in itertools.combinations(sorted(lot["orgs"]), 2):
            if roots.get(one, one) == roots.get(other, other):
                continue
            shared: dict[tuple[int, int], tuple[int, Role, Role]] = {}
            for a in holders[one]:
                for b in holders[other]:
                    edits = match(a.holder, b.holder)
                    if edits is not None:
                        pair = (a.holder.person_id, b.holder.person_id)
                        if pair not in shared or edits < shared[pair][0]:
                            shared[pair] = (edits, a, b)
            if not shared:
                continue
            edits, a, b = min(shared.values(), key=lambda item: item[0])
            names = list(dict.fromkeys([a.holder.name, b.holder.name]))
            people = {r.holder.person_id: r.holder for _, x, y in shared.values() for r in (x, y)}
            yield Hit(
                code="collusion",
                subject_type="competition",
                subject_key=competition["public_id"],
                title=f"{competition['title']}, {lot['number']}: {a.holder.name}",
                year=competition["announced_on"].year,
                administrator=competition["administrator__code"],
                organisation_id=one,
                values={
                    "lot": str(lot["number"]),
                    "shared_people": names,
                    "headed": sum(1 for r in (a, b) if r.kind == HEAD),
                    "name_letters_differ": edits,
                },
                records=[
                    _competition_record(competition),
                    _organisation_record(one),
                    _organisation_record(other),
                    *(person_record(p) for p in people.values()),
                ],
            )


# ---------------------------------------------------------------- one person behind several recipients


def _clusters(holders: list[Holder]) -> list[tuple[list[int], int]]:
    """Groups of the given holders (indices) that match one another, directly or through a chain, with the most
    letters differing between any matched pair in a group (0: all exact)."""
    parent = list(range(len(holders)))
    worst = [0] * len(holders)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_key: dict[str, int] = {}
    for i, holder in enumerate(holders):
        first = by_key.setdefault(holder.key, i)
        if first != i:
            parent[root(i)] = root(first)
    for i, j in itertools.combinations(range(len(holders)), 2):
        if holders[i].key == holders[j].key:
            continue
        edits = match(holders[i], holders[j])
        if edits is not None:
            a, b = root(i), root(j)
            if a != b:
                parent[a] = b
            worst[root(j)] = max(worst[a], worst[b], edits)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(holders)):
        groups[root(i)].append(i)
    return [(members, worst[r]) for r, members in groups.items() if len(members) > 1]


def one_person_many_recipients_find(*, today: datetime.date) -> Iterator[Hit]:
    """One head or founder (in role on an award's date) behind MANY_RECIPIENTS or more different recipients of
    one administrator's state money in one year; branches count with their parent organisation."""
    awards: dict[tuple[str, int], dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        state_awards()
        .filter(recipient__isnull=False)
        .values("public_id", "title", "awarded_on", "administrator__code", "recipient_id", "amount")
        .order_by("administrator__code", "awarded_on", "id")
    )
    for row in rows:
        awards[(row["administrator__code"], row["awarded_on"].year)][row["recipient_id"]].append(row)
    roles = _roles(state_awards().values("recipient_id"), (HEAD, FOUNDER))
    roots = _branches({org for by_org in awards.values() for org in by_org})
    for (admin, year), by_org in sorted(awards.items()):
        if len({roots.get(org, org) for org in by_org}) < MANY_RECIPIENTS:
            continue
        entries: list[tuple[Role, int]] = []
        for org, org_awards in by_org.items():
            for role in roles.get(org, ()):
                if any(role.on(award["awarded_on"]) for award in org_awards):
                    entries.append((role, org))
        holders = [role.holder for role, _ in entries]
        for members, worst in _clusters(holders):
            orgs = sorted({entries[i][1] for i in members})
            if len({roots.get(org, org) for org in orgs}) < MANY_RECIPIENTS:
                continue
            people = {holders[i].person_id: holders[i] for i in members}
            first = min(people.values(), key=lambda h: h.person_id)
            won = [award for org in orgs for award in by_org[org]]
            yield Hit(
                code="one_person_many_recipients",
                subject_type="administrator",
                subject_key=admin,
                title=f"{first.name}, {year}",
                year=year,
                administrator=admin,
                organisation_id=orgs[0],
                amount=sum((award["amount"] for award in won), Decimal(0)),
                values={
                    "person": first.name,
                    "spellings": sorted({holders[i].name for i in members}),
                    "recipients": len(orgs),
                    "as_head": len({entries[i][1] for i in members if entries[i][0].kind == HEAD}),
                    "as_founder": len({entries[i][1] for i in members if entries[i][0].kind == FOUNDER}),
                    "awards": len(won),
                    "total": str(sum((award["amount"] for award in won), Decimal(0))),
                    "name_letters_differ": worst,
                    "min_recipients": MANY_RECIPIENTS,
                },
                records=[
                    *(person_record(p) for p in sorted(people.values(), key=lambda h: h.person_id)),
                    *(_organisation_record(org) for org in orgs),
                    *({"type": "award", "key": award["public_id"], "label": award["title"]} for award in won),
                ],
            )


# ---------------------------------------------------------------- revolving door


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def revolving_door_find(*, today: datetime.date) -> Iterator[Hit]:
    """A state award to an organisation headed, on the award date, by a former official of the awarding
    administrator who left the post less than REVOLVING_DOOR_YEARS before."""
    officials: dict[int, list[tuple[Holder, str, datetime.date]]] = defaultdict(list)
    for row in AdministratorOfficial.objects.filter(ended_on__isnull=False).values(
        "administrator_id", "position", "ended_on", *PERSON_VALUES
    ):
        officials[row["administrator_id"]].append((_holder(row), row["position"], row["ended_on"]))
    if not officials:
        return
    heads = _roles(state_awards().filter(administrator_id__in=list(officials)).values("recipient_id"), (HEAD,))
    rows = (
        state_awards()
        .filter(administrator_id__in=list(officials), recipient__isnull=False)
        .values(
            "id",
            "public_id",
            "title",
            "awarded_on",
            "administrator_id",
            "administrator__code",
            "region_id",
            "recipient_id",
            "amount",
        )
        .order_by("awarded_on", "id")
    )
    with stream(rows) as found:
        for award in found:
            day = award["awarded_on"]
            best = None
            for role in heads.get(award["recipient_id"], ()):
                if not role.on(day):
                    continue
                for holder, position, left in officials[award["administrator_id"]]:
                    if not (left < day <= _years_after(left, REVOLVING_DOOR_YEARS)):
                        continue
                    edits = match(holder, role.holder)
                    if edits is not None and (best is None or (edits, -left.toordinal()) < best[0]):
                        best = ((edits, -left.toordinal()), holder, role.holder, left, position)
            if best is None:
                continue
            (edits, _), official, head, left, position = best
            yield Hit(
                code="revolving_door",
                subject_type="award",
                subject_key=award["public_id"],
                title=award["title"],
                year=day.year,
                administrator=award["administrator__code"],
                region=award["region_id"] or "",
                organisation_id=award["recipient_id"],
                amount=award["amount"],
                values={
                    "official": f"{official.name}, {position}",
                    "left_post": left.isoformat(),
                    "head": head.name,
                    "days_after_leaving": (day - left).days,
                    "name_letters_differ": edits,
                    "max_years": REVOLVING_DOOR_YEARS,
                },
                records=[
                    {"type": "award", "key": award["public_id"], "label": award["title"]},
                    _organisation_record(award["recipient_id"]),
                    *(person_record(p) for p in {official.person_id: official, head.person_id: head}.values()),
                ],
            )


# ---------------------------------------------------------------- not the best scored


def _better(one: tuple[Decimal, int], other: tuple[Decimal, int]) -> bool:
    """`one` scored strictly higher than `other`, on their mean score per member and criterion (the total,
    where both carry the same number of scores)."""
    return one[0] * other[1] > other[0] * one[1]


def not_best_scored_find(*, today: datetime.date) -> Iterator[Hit]:
    """A winner outscored, at the last stage it was scored, by an application of its lot that did not win."""
    scored: dict[int, dict[int, tuple[Decimal, int]]] = defaultdict(dict)  # application -> stage -> (total, n)
    for row in (
        CommissionScore.objects.filter(application__lot__competition__mechanism__in=STATE_MECHANISMS)
        .values("application_id", "member__stage")
        .annotate(total=Sum("score"), n=Count("id"))
    ):
        scored[row["application_id"]][row["member__stage"]] = (row["total"], row["n"])
    if not scored:
        return
    lots: dict[int, list[Any]] = defaultdict(list)
    for application in (
        Application.objects.filter(
            lot__competition__mechanism__in=STATE_MECHANISMS,
            lot__in=Application.objects.filter(outcome=Application.Outcome.WON, scores__isnull=False).values("lot_id"),
        )
        .exclude(outcome__in=(Application.Outcome.REJECTED, Application.Outcome.WITHDRAWN))
        .values(
            "id",
            "outcome",
            "applicant_id",
            "lot_id",
            "lot__number",
            "lot__competition__public_id",
            "lot__competition__title",
            "lot__competition__announced_on",
            "lot__competition__administrator__code",
            "lot__region_id",
            "lot__planned_amount",
        )
        .order_by("lot_id", "id")
    ):
        lots[application["lot_id"]].append(application)
    for lot_id in sorted(lots):
        apps = lots[lot_id]
        winners = [a for a in apps if a["outcome"] == Application.Outcome.WON and scored.get(a["id"])]
        for winner in winners:
            stage = max(scored[winner["id"]])
            mine = scored[winner["id"]][stage]
            rivals = [
                (a, scored[a["id"]][stage])
                for a in apps
                if a["outcome"] != Application.Outcome.WON and stage in scored.get(a["id"], {})
            ]
            above = [(a, s) for a, s in rivals if _better(s, mine)]
            if not above:
                continue
            best, best_score = max(above, key=lambda item: (item[1][0] / item[1][1], -item[0]["id"]))
            yield Hit(
                code="not_best_scored",
                subject_type="competition",
                subject_key=winner["lot__competition__public_id"],
                title=f"{winner['lot__competition__title']}, {winner['lot__number']}",
                year=winner["lot__competition__announced_on"].year,
                administrator=winner["lot__competition__administrator__code"],
                region=winner["lot__region_id"] or "",
                organisation_id=winner["applicant_id"],
                amount=winner["lot__planned_amount"],
                values={
                    "lot": str(winner["lot__number"]),
                    "stage": stage,
                    "winner_total": str(mine[0]),
                    "winner_scores": mine[1],
                    "best_total": str(best_score[0]),
                    "best_scores": best_score[1],
                    "outscored_by": len(above),
                    "compared": len(rivals) + 1,
                },
                records=[
                    {
                        "type": "competition",
                        "key": winner["lot__competition__public_id"],
                        "label": winner["lot__competition__title"],
                    },
                    _organisation_record(winner["applicant_id"]),
                    _organisation_record(best["applicant_id"]),
                ],
            )
