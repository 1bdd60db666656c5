"""python manage.py regenerate_exports [KIND ...]: regenerate the /exports/ files now, printing each's figures."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from config.env import peak_memory_mb
from opendata.exports import EXPORT_KINDS, export_file_regenerate, export_files_missing


class Command(BaseCommand):
    help = "Regenerate the full downloads served on /exports/ (all, or the named formats)."

    def add_arguments(self, parser):
        parser.add_argument("kinds", nargs="*", help="formats: " + ", ".join(EXPORT_KINDS))
        parser.add_argument(
            "--if-missing", action="store_true", help="only the formats never generated here (make run uses it)"
        )

    def handle(self, *args, kinds: list[str], if_missing: bool, **options):
        unknown = sorted(set(kinds) - set(EXPORT_KINDS))
        if unknown:
            raise CommandError(f"unknown formats: {', '.join(unknown)}; choose from {', '.join(EXPORT_KINDS)}")
        wanted = kinds or list(EXPORT_KINDS)
        if if_missing:
            wanted = [code for code in wanted if code in export_files_missing()]
        for code in wanted:
            record = export_file_regenerate(kind=code)
            peak = peak_memory_mb()
            self.stdout.write(
                f"{record.filename}: {record.rows} records, {record.size / 1e6:.1f} MB in {record.seconds:.1f} s "
                f"(peak memory of this process so far {peak:.0f} MB)"
            )
