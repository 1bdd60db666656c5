"""seed_demo streams (issue 18, target 4): the demo builders (registry/demo.py, funding/demo.py, demo/people.py)
write each table in batches as they make its rows, so that memory grows far slower than the data (4.4 GB at ten
times the national size when every table's rows were gathered first). Measured on one seeding, rolled back: no
bulk insert is handed more than a batch, and no more than about a batch of any model's instances is ever alive at
once, at a size where each of the largest tables holds several batches."""

from __future__ import annotations

import weakref
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models.query import QuerySet
from django.db.models.signals import post_init

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
