"""python manage.py import_awards FILE --administrator CODE [--dry-run] (docs/imports.md)."""

from __future__ import annotations

from imports.management.commands.import_organisations import Command as ImportCommand


class Command(ImportCommand):
    help = "Import one administrator's awards (and its departments') from CSV or XLSX: all rows or none."
    kind = "awards"
