"""python manage.py export_360giving FILE: the 360Giving 1.4 package of state money to NGOs."""

from __future__ import annotations

from opendata.management.commands.export_csv import Command as ExportCommand


class Command(ExportCommand):
    help = "Write the 360Giving JSON package (state social order, grants and awards) to FILE."
    kind = "360giving"
