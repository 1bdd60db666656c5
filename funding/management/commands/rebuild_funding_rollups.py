"""python manage.py rebuild_funding_rollups: count every award into the explorer's rollup afresh (funding/rollups.py).

Run after anything that writes awards in bulk without announcing them (seed_demo, a restore), and nightly as a
safety net; until then the explorer counts the awards themselves, never a stale rollup."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from funding.rollups import funding_rollups_rebuild


class Command(BaseCommand):
    help = "Count every award into the funding explorer's rollup afresh."

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = funding_rollups_rebuild()
        self.stdout.write(f"Funding rollup rebuilt: {rows} recipient cells in {time.monotonic() - started:.1f} s.")
