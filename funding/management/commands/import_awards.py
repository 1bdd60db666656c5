"""python manage.py import_awards FILE --administrator CODE [--dry-run] (docs/imports.md)."""

from __future__ import annotations

from funding.imports import AwardImporter
from registry.management.commands.import_organisations import Command as ImportCommand


class Command(ImportCommand):
    help = "Import one administrator's awards (and its departments') from CSV or XLSX: all rows or none."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--administrator", required=True, help="the code of the administrator the file is for")

    def make_importer(self, *, administrator: str, **options):
        return AwardImporter(administrator)
