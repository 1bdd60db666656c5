"""Fill an empty registry with the fictional demo dataset (registry/demo.py), in bulk, in one transaction."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from registry import demo
from registry.models import DemoDataset, Organisation, OrganisationField, OrganisationName, StatusEvent
from registry.search import search_text_for
from registry.selectors import DEMO_CACHE_KEY
from registry.services import new_local_id
from registry.signals import demo_registry_loaded

DEFAULT_ORGS = 22_300
BATCH = 2_000


class Command(BaseCommand):
    help = "Load the deterministic, fictional demo registry into an empty database."

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
        specs = demo.generate(orgs, seed, new_local_id)
        with transaction.atomic():
            self._write(specs)
            DemoDataset.objects.create(seed=seed, organisations=orgs)
            demo_registry_loaded.send(sender=self.__class__, seed=seed, organisations=orgs)
        with connection.cursor() as cursor:
            # Planner statistics for the freshly filled tables; on PostgreSQL also the visibility map,
            # without which index-only scans read every heap page until autovacuum comes round.
            # (VACUUM can not run inside a transaction, as under the tests.)
            vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        cache.delete(DEMO_CACHE_KEY)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {orgs} fictional organisations (seed {seed}) in {time.monotonic() - started:.1f} s."
            )
        )

    def _write(self, specs: list[demo.OrgSpec]) -> None:
        pk_by_index: dict[int, int] = {}
        heads = [s for s in specs if s.parent_index is None]
        branches = [s for s in specs if s.parent_index is not None]
        for group in (heads, branches):
            rows = [self._organisation(spec, pk_by_index) for spec in group]
            created = Organisation.objects.bulk_create(rows, batch_size=BATCH)
            for spec, row in zip(group, created, strict=True):
                pk_by_index[spec.index] = row.pk
        OrganisationField.objects.bulk_create(
            (
                OrganisationField(organisation_id=pk_by_index[s.index], field_id=code)
                for s in specs
                for code in s.fields
            ),
            batch_size=BATCH,
        )
        StatusEvent.objects.bulk_create(
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
            batch_size=BATCH,
        )
        OrganisationName.objects.bulk_create(
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
            batch_size=BATCH,
        )

    @staticmethod
    def _organisation(spec: demo.OrgSpec, pk_by_index: dict[int, int]) -> Organisation:
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
