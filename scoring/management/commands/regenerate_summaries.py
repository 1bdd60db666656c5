"""python manage.py regenerate_summaries: every score and sector summary, synchronously, with its timing."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from config.env import peak_memory_mb
from scoring.models import OrganisationScore, SectorSummary, SummaryRun
from scoring.services import summaries_regenerate


class Command(BaseCommand):
    help = "Recompute every organisation's scores and every sector summary now (a new run, swapped in whole)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing when summaries exist already (make run uses it)"
        )

    def handle(self, *args, if_missing: bool = False, **options):
        if if_missing and SummaryRun.objects.filter(current=True).exists():
            self.stdout.write("Summaries exist already; not regenerated.")
            return
        started = time.monotonic()
        phases: list[tuple[str, float, float]] = []  # each progress message's phase: seconds, peak MB by its end
        current: list = []  # the phase under way: its message and start

        def end_phase() -> None:
            if current:
                name, began = current
                phases.append((name, time.monotonic() - began, peak_memory_mb()))

        def progress(message: str) -> None:
            end_phase()
            current[:] = [message, time.monotonic()]
            if options["verbosity"] > 1:
                self.stderr.write(f"  {message}")

        run = summaries_regenerate(progress=progress)
        end_phase()
        peak = peak_memory_mb()
        self.stdout.write(
            f"Run {run.pk}: {OrganisationScore.objects.filter(run=run).count()} organisation-years scored, "
            f"{SectorSummary.objects.filter(run=run).count()} summaries, in {time.monotonic() - started:.1f} s "
            f"(peak memory {peak:.0f} MB; "
            + ", ".join(f"{name} {seconds:.1f} s, peak {mb:.0f} MB by its end" for name, seconds, mb in phases)
            + ")."
        )
