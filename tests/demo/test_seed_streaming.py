"""seed_demo streams (issue 18, target 4): the demo builders (registry/demo.py, funding/demo.py, demo/people.py)
write each table in batches as they make its rows, so that memory grows far slower than the data (4.4 GB at ten
times the national size when every table's rows were gathered first). Measured on one seeding, rolled back: no
bulk insert is handed more than a batch, and no more than about a batch of any model's instances is ever alive at
once, at a size where each of the largest tables holds several batches."""

from __future__ import annotations

import copy
import datetime
import random
import weakref
from collections import Counter, defaultdict
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models.query import QuerySet
from django.db.models.signals import post_init

from funding import demo as demo_funding
from funding.models import Mechanism
from registry.demo import BATCH

ORGS = 900  # a size where persons, roles and yearly reports each take more than one batch
pytestmark = pytest.mark.django_db  # the test database is set up for marked tests only


@pytest.fixture(scope="module")
def seeding(django_db_setup, django_db_blocker):
    """seed_demo once, counting the rows handed to each bulk insert and the instances of each model alive at
    once; the data is rolled back."""
    inserts: dict[str, list[int]] = {}
    alive: Counter[str] = Counter()
    peak: Counter[str] = Counter()
    bulk_create = QuerySet.bulk_create

    def counting_bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        inserts.setdefault(self.model.__name__, []).append(len(objs))
        return bulk_create(self, objs, *args, **kwargs)

    def made(sender, instance, **kwargs):
        name = sender.__name__
        alive[name] += 1
        peak[name] = max(peak[name], alive[name])
        weakref.finalize(instance, alive.subtract, [name])

    post_init.connect(made, weak=False, dispatch_uid="test_seed_streaming")
    QuerySet.bulk_create = counting_bulk_create
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            call_command("seed_demo", orgs=ORGS, seed=2026, verbosity=0)
            transaction.set_rollback(True)
    finally:
        QuerySet.bulk_create = bulk_create
        post_init.disconnect(dispatch_uid="test_seed_streaming")
    return inserts, peak


def test_no_bulk_insert_is_handed_more_than_a_batch(seeding):
    inserts, _ = seeding
    rows = {model: sum(sizes) for model, sizes in inserts.items()}
    # the check means something: these tables are larger than a batch at this size
    assert {"Person", "OrganisationRole", "YearlyReport"} <= {model for model, n in rows.items() if n > BATCH}
    assert {model: max(sizes) for model, sizes in inserts.items() if max(sizes) > BATCH} == {}


def test_no_more_than_a_batch_of_any_model_is_held_at_once(seeding):
    _, peak = seeding
    assert peak["Person"] > BATCH // 2  # instances are counted (a batch of people is made before it is written)
    assert {model: n for model, n in peak.items() if n > BATCH + 1} == {}


# ---- planting at ten times the national size: the same choices without the pairwise lists (funding/demo.py)


def _synthetic_awards(rng: random.Random, count: int) -> list[dict]:
    """Ordinary social-order lot awards as the funding builder holds them, few enough values of each field that
    groups, pairs and ties (equal amounts) abound."""
    awards = []
    for number in range(count):
        year = rng.choice((2019, 2020))
        starts = datetime.date(year, rng.randint(1, 6), 1)
        amount = Decimal(rng.choice((1, 2, 3, 5, 8, 40))) * 1_000_000
        lot = {"applications": [{"org": number, "amount": amount, "outcome": "won"}], "planned_amount": amount}
        awards.append(
            {
                "mechanism": Mechanism.SOCIAL_ORDER,
                "lot": lot,
                "competition": {"year": year},
                "admin": rng.choice(("akimat-a", "akimat-b", "akimat-c", "min-x", "min-y")),
                "recipient": rng.randrange(12),
                "awarded_on": starts,
                "starts_on": starts,
                "ends_on": starts + datetime.timedelta(days=rng.choice((60, 200, 300))),
                "region": rng.choice(("KZ-11", "KZ-15")),
                "amount": amount,
            }
        )
    return awards


def _pairs_as_a_list(rng: random.Random, candidates: list[dict]) -> list[tuple[dict, dict]]:
    """The double funding pairs as funding/demo.py made them before they were held as codes."""
    by_place: dict[tuple, list[dict]] = defaultdict(list)
    for award in candidates:
        by_place[(award["awarded_on"].year, award["region"])].append(award)
    pairs = [
        (one, other)
        for group in by_place.values()
        for one in group
        for other in group
        if one["admin"] != other["admin"]
        and one["recipient"] != other["recipient"]
        and one["starts_on"] <= other["ends_on"]
        and other["starts_on"] <= one["ends_on"]
        and min(one["amount"], other["amount"]) >= Decimal("0.7") * max(one["amount"], other["amount"])
    ]
    rng.shuffle(pairs)
    return pairs


@pytest.mark.parametrize("seed", range(5))
def test_double_funding_pairs_come_in_the_order_of_the_list_they_replace(seed):
    candidates = _synthetic_awards(random.Random(seed), 150)
    expected = [(id(one), id(other)) for one, other in _pairs_as_a_list(random.Random(seed), candidates)]
    rng = random.Random(seed)
    pairs = [(id(one), id(other)) for one, other in demo_funding._double_funding_pairs(rng, candidates)]
    assert len(expected) > 300  # many pairs over a few groups, so that a different order would show
    assert pairs == expected
    assert rng.random() == _after_shuffle(seed, len(expected))  # the random stream goes on as it did


def _after_shuffle(seed: int, length: int) -> float:
    rng = random.Random(seed)
    rng.shuffle(list(range(length)))
    return rng.random()


def _spread_by_sorting(builder) -> None:
    """_spread_concentration as it was: every candidate swap listed, sorted, the first that passes taken."""
    hhi = demo_funding._Concentration(builder)
    ordinary = demo_funding._swappable(builder)
    level = demo_funding._level
    for group in sorted(hhi.groups):
        for _attempt in range(5):
            now = hhi.of(group)
            if now < 2500:
                break
            mine = [a for a in ordinary if (a["admin"], a["awarded_on"].year) == group]
            swaps = [
                (hhi.of(group, hhi.swapped(one, other)), one["amount"], other["amount"], one, other)
                for one in mine
                for other in ordinary
                if other["admin"] != group[0]
                and level(other["admin"]) == level(group[0])
                and other["awarded_on"].year == group[1]
                and other["region"] == one["region"]
                and other["amount"] != one["amount"]
            ]
            swaps = [
                swap
                for swap in sorted(swaps, key=lambda swap: swap[:3])
                if swap[0] < now and hhi.of((swap[4]["admin"], group[1]), hhi.swapped(swap[3], swap[4])) < 2500
            ]
            if not swaps:
                break
            demo_funding._swap_amounts(swaps[0][3], swaps[0][4])


@pytest.mark.parametrize("seed", range(8))
def test_spreading_concentration_makes_the_swaps_the_sorted_list_made(seed):
    awards = _synthetic_awards(random.Random(seed), 120)
    builder = SimpleNamespace(awards=awards, planted=defaultdict(list))
    sorting = SimpleNamespace(awards=copy.deepcopy(awards), planted=defaultdict(list))
    _spread_by_sorting(sorting)
    demo_funding._spread_concentration(builder)
    before = [a["amount"] for a in _synthetic_awards(random.Random(seed), 120)]
    after = [a["amount"] for a in builder.awards]
    assert after != before  # concentrated years were spread: the comparison means something
    assert after == [a["amount"] for a in sorting.awards]
    assert [a["lot"]["planned_amount"] for a in builder.awards] == [a["lot"]["planned_amount"] for a in sorting.awards]
