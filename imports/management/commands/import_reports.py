"""python manage.py import_reports FILE [--dry-run]: yearly reports to the NGO database (docs/imports.md)."""

from __future__ import annotations

from imports.management.commands.import_organisations import Command as ImportCommand


class Command(ImportCommand):
    help = "Import yearly reports from CSV or XLSX: all rows or none; the same file twice changes nothing."
    kind = "reports"
