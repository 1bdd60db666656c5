"""python manage.py export_ocds FILE: the OCDS 1.1 release package of state social order competitions."""

from __future__ import annotations

from opendata.management.commands.export_csv import Command as ExportCommand


class Command(ExportCommand):
    help = "Write the OCDS 1.1 release package (one release per social order competition) to FILE."
    kind = "ocds"
