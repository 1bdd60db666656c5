"""python manage.py import_organisations FILE [--dry-run]: the official organisations format (docs/imports.md).

The other import commands are this one with another format; all run the engine the imports page runs.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from imports.engine import ENCODINGS, IMPORT_KINDS, run_import


class Command(BaseCommand):
    help = "Import organisations from CSV or XLSX: all rows or none; the same file twice changes nothing."
    kind = "organisations"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check every row and report, write nothing")
        parser.add_argument(
            "--encoding",
            choices=ENCODINGS,
            default="auto",
            help="a CSV's encoding: auto reads UTF-8 (with or without BOM) and UTF-16 with a BOM",
        )
        parser.add_argument(
            "--user", required=True, help="the account the import is made as: its changes show under that name"
        )
        for option in IMPORT_KINDS[self.kind].options:
            parser.add_argument(f"--{option}", required=True, help=f"the format's {option} (a code)")

    def handle(self, *args, file: Path, dry_run: bool, user: str, encoding: str, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        acting_user = get_user_model().objects.filter(username=user).first()
        if acting_user is None:
            raise CommandError(f"no account has the user name {user}.")
        kind = IMPORT_KINDS[self.kind]
        values = {option: options[option] for option in kind.options}
        try:
            importer = kind.build(values)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if not kind.allowed(acting_user, values):
            raise CommandError(f"{user} may not import this format (with these options).")
        result = run_import(
            importer, file.read_bytes(), file.name, acting_user=acting_user, dry_run=dry_run, encoding=encoding
        )
        for problem in result.problems:
            self.stderr.write(str(problem))
        if result.problems:
            raise CommandError(f"{len(result.problems)} problem(s); nothing was imported.")
        prefix = "Dry run, nothing written. " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + result.summary()))
