"""Each red flag's precision on the demo data against the demo's manifest of planted cases, as a Markdown table
(the table in docs/methodology.md is this command's output on a seeded demo)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from registry.models import DemoDataset
from scoring.flags import RULES
from scoring.flags.precision import manifest_as_of, precision_table


class Command(BaseCommand):
    help = "Print every flag's hits, planted cases found and share of hits planted or explained on the demo data."

    def handle(self, *args, **options) -> None:
        dataset = DemoDataset.objects.order_by("-created_at").first()
        if dataset is None or not dataset.planted:
            raise CommandError("No demo data with a manifest of planted cases: run seed_demo first.")
        # As of the demo's own date, so that what was overdue then is what the manifest lists (docs/methodology.md).
        as_of = manifest_as_of(dataset.planted)
        if as_of is None:
            raise CommandError("The demo's manifest gives no as-of date: run seed_demo again.")
        rows = precision_table(planted=dataset.planted, today=as_of)
        self.stdout.write(f"Demo: seed {dataset.seed}, {dataset.organisations:,} organisations; as of {as_of}.\n")
        self.stdout.write(
            "| flag | hits | planted | planted found | hits on planted | explained | planted or explained |"
        )
        self.stdout.write("|---|---:|---:|---:|---:|---:|---:|")
        for row in rows:
            share = row.share_planted_or_explained
            self.stdout.write(
                f"| {RULES[row.code].name} (`{row.code}`) | {row.hits:,} | {row.planted:,} | {row.planted_found:,} | "
                f"{row.hits_planted:,} | {row.hits_explained:,} | {'—' if share is None else f'{share:.1%}'} |"
            )
        hits = sum(r.hits for r in rows)
        good = sum(r.hits_planted + r.hits_explained for r in rows)
        overall = f"{good / hits:.1%}" if hits else "—"
        self.stdout.write(
            f"| all flags | {hits:,} | {sum(r.planted for r in rows):,} | {sum(r.planted_found for r in rows):,} | "
            f"{sum(r.hits_planted for r in rows):,} | {sum(r.hits_explained for r in rows):,} | "
            f"{overall} |"
        )
