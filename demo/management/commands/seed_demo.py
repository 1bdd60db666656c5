"""Fill an empty database with the fictional demo data: the registry's builder, then funding's, then the people's,
in one transaction (registry/demo.py, funding/demo.py, demo/people.py), and record the cases planted on purpose
(DemoDataset.planted). The builders write in batches as they go, so memory grows far slower than the data
(docs/demo.md: under 1 GB at ten times the national size)."""

from __future__ import annotations

import resource
import sys
import time
from collections import deque
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from demo.people import demo_people_load
from funding.demo import demo_funding_load
from funding.rollups import funding_rollups_rebuild
from registry.cube import facet_cube_rebuild
from registry.demo import demo_registry_load
from registry.models import Organisation
from registry.selectors import DEMO_CACHE_KEY

DEFAULT_ORGS = 22_300  # the registry's size (DOMAIN §7); funding is scaled to it


@contextmanager
def _queries_not_kept():
    """Under DEBUG (the settings of `make run`) Django keeps the SQL of the last 9,000 queries with their values
    written out: for a bulk load, each a batch of rows (about 140 MB at the national size). The load keeps none;
    a caller capturing queries (a test's assertNumQueries, which forces the debug cursor) still gets them."""
    if not settings.DEBUG or connection.force_debug_cursor:
        yield
        return
    kept, connection.queries_log = connection.queries_log, deque(maxlen=0)
    try:
        yield
    finally:
        connection.queries_log = kept


class Command(BaseCommand):
    help = "Load the deterministic, fictional demo registry and its funding into an empty database."

    def _phases(self, verbosity: int):
        """A callable that, at verbosity 2 and above, writes the seconds since the last phase ended and the peak
        memory so far (Linux and macOS), after each phase's name."""
        last = [time.monotonic()]

        def phase(name: str) -> None:
            now = time.monotonic()
            if verbosity >= 2:
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
                peak_mb = peak // (2**20 if sys.platform == "darwin" else 2**10)
                self.stdout.write(f"  {name}: {now - last[0]:.1f} s (peak memory so far {peak_mb} MB)")
            last[0] = now

        return phase

    def add_arguments(self, parser):
        parser.add_argument(
            "--orgs", type=int, default=DEFAULT_ORGS, help="number of organisations (default %(default)s)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed; the same seed gives the same data")
        parser.add_argument("--if-empty", action="store_true", help="do nothing, successfully, when data exists")

    def handle(self, *args, orgs: int, seed: int, if_empty: bool, **options):
        if orgs < 1:
            raise CommandError("--orgs must be at least 1.")
        existing = Organisation.objects.count()
        if existing:
            if if_empty:
                self.stdout.write(f"The registry already holds {existing} organisations; demo data not loaded.")
                return
            raise CommandError(
                f"The registry already holds {existing} organisations; seed_demo only fills an empty database "
                "(use --if-empty to skip quietly)."
            )
        started = time.monotonic()
        phase = self._phases(options["verbosity"])
        with _queries_not_kept(), transaction.atomic():
            dataset = demo_registry_load(count=orgs, seed=seed)
            phase("registry")
            # The manifest of every case planted on purpose, for tests and docs/demo.md (DemoDataset.planted).
            dataset.planted = demo_funding_load(seed=seed, scale=orgs / DEFAULT_ORGS)
            phase("funding")
            # the people on both sides of the money, with the people flags' planted cases and near misses
            dataset.planted |= demo_people_load(seed=seed, scale=orgs / DEFAULT_ORGS)
            dataset.save(update_fields=["planted"])
            phase("people")
            # The aggregates the public pages read, counted once from what was just written in bulk (bulk
            # writes announce nothing): the directory's count cube and the explorer's rollups.
            facet_cube_rebuild()
            funding_rollups_rebuild()
            phase("count cube and rollups")
        phase("commit")
        with connection.cursor() as cursor:
            # Planner statistics for the freshly filled tables; on PostgreSQL also the visibility map,
            # without which index-only scans read every heap page until autovacuum comes round.
            # (VACUUM can not run inside a transaction, as under the tests.)
            vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        phase("planner statistics")
        cache.delete(DEMO_CACHE_KEY)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {orgs} fictional organisations (seed {seed}) in {time.monotonic() - started:.1f} s."
            )
        )
