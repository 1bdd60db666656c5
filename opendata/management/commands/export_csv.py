"""python manage.py export_csv KIND FILE: organisations, awards or reports, streamed to FILE (docs/api.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opendata.exports import EXPORT_KINDS, write_atomically

CSV_KINDS = ("organisations", "awards", "reports", "roles")


class Command(BaseCommand):
    help = "Write a full CSV download (organisations, awards or reports) to FILE."
    kind: str | None = None  # subclasses fix the format

    def add_arguments(self, parser):
        if self.kind is None:
            parser.add_argument("export_kind", choices=CSV_KINDS)
        parser.add_argument("file", help="where to write; '-' for standard output")

    def handle(self, *args, file: str, **options):
        code = self.kind or options["export_kind"]
        if code not in EXPORT_KINDS:
            raise CommandError(f"unknown format {code}")
        write = EXPORT_KINDS[code].write
        rows = write(self.stdout._out) if file == "-" else write_atomically(Path(file), write)
        self.stderr.write(f"{rows} records written to {file}.")
