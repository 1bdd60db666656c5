"""python manage.py import_reports FILE [--dry-run]: yearly reports to the NGO database (docs/imports.md)."""

from __future__ import annotations

from registry.imports import ReportImporter
from registry.management.commands.import_organisations import Command as OrganisationsCommand


class Command(OrganisationsCommand):
    help = "Import yearly reports from CSV or XLSX, keyed by BIN and year: all rows or none."
    importer_class = ReportImporter
