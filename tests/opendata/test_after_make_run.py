"""Issue 16: /exports/ offers every file right after `make run` (seed, summaries, exports), with no broker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from opendata.exports import EXPORT_KINDS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as make run: commits happen
MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def _seed_commands() -> list[list[str]]:
    """The manage.py commands of the Makefile's `seed` target, which `make run` runs before serving."""
    recipe = MAKEFILE.read_text().split("\nseed:", 1)[1].split("\n\n", 1)[0]
    return [line.split("manage.py", 1)[1].split() for line in recipe.splitlines() if "manage.py" in line]


def test_exports_page_offers_every_file_after_the_seed_target(client, settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path
    commands = _seed_commands()
    assert [c[0] for c in commands] == ["seed_demo", "regenerate_summaries", "regenerate_exports"]
    for name, *args in commands:
        if name == "seed_demo":
            args = [*args, "--orgs", "200"]  # the same command at a small size
        call_command(name, *args, verbosity=0)
    html = client.get(reverse("opendata:exports")).content.decode()
    links = set(re.findall(r'href="/exports/([^"]+)"', html))
    assert len(links) == len(EXPORT_KINDS) >= 6
    assert all((tmp_path / name).stat().st_size > 0 for name in links)
    assert "not generated yet" not in html
