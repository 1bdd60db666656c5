"""Standing checks that CI must enforce: no model change without its migration, lint and format clean."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).parent / "ruff"


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]], ids=["lint", "format"])
def test_ruff(args):
    result = subprocess.run([str(RUFF), *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports() -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_import_contracts_hold():
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "wrong_import"),
    [
        ("registry", "import scoring.models"),  # against the flow: the registry imports nothing above it
        ("api", "import registry.models"),  # the conventions import no app
        ("opendata", "import imports.engine"),  # siblings at the top stay independent
    ],
)
def test_a_wrong_import_breaks_a_contract(module, wrong_import):
    probe = ROOT / module / f"_contract_probe_{os.getpid()}.py"
    probe.write_text(f"{wrong_import}  # written by tests/test_codebase.py, removed at once\n")
    try:
        result = _lint_imports()
    finally:
        probe.unlink()
    assert result.returncode != 0 and "BROKEN" in result.stdout, result.stdout
