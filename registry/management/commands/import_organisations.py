"""python manage.py import_organisations FILE [--dry-run]: the official organisations format (docs/imports.md).

The other import commands subclass this one with their own importer.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.imports import OrganisationImporter, run_import


class Command(BaseCommand):
    help = "Import organisations from CSV or XLSX: all rows or none; the same file twice changes nothing."
    importer_class = OrganisationImporter

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check every row and report, write nothing")

    def make_importer(self, **options):
        return self.importer_class()

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            importer = self.make_importer(**options)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        result = run_import(importer, file.read_bytes(), file.name, dry_run=dry_run)
        for problem in result.problems:
            self.stderr.write(str(problem))
        if result.problems:
            raise CommandError(f"{len(result.problems)} problem(s); nothing was imported.")
        prefix = "Dry run, nothing written. " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + result.summary()))
