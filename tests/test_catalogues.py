"""The kk and ru catalogues are complete (issue 16): the catalogues are regenerated from the code in a temporary
copy of the project, and any message that is untranslated or fuzzy there fails this test, named. So every change
that adds or changes interface text brings its translations in the same commit. The committed .mo files must be
what the committed .po files compile to."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("kk", "ru")
# What `make messages` scans: the project's own code and templates, not the virtualenv, the benchmarks or tests.
IGNORED = (".venv", ".git", "bench", "tests", "media", "var", "staticfiles", "node_modules", "docs")


def gettext_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("QOGAM_REQUIRE_GETTEXT"):
            pytest.fail("GNU gettext is missing; .ci/run installs Debian's gettext package")
        pytest.skip("GNU gettext is not installed here (apt-get install gettext); CI installs it and runs this")
    return path


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    gettext_tool("msgmerge")
    copy = tmp_path_factory.mktemp("catalogues") / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*IGNORED, "__pycache__", "*.sqlite3*"))
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete", *(f"-l{lang}" for lang in LANGUAGES)]
    command += [f"--ignore={name}" for name in IGNORED]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    subprocess.run(command, cwd=copy, env=env, check=True, capture_output=True, text=True)
    return copy


def _messages(po: Path, which: str) -> list[str]:
    """The msgids of the catalogue's untranslated or fuzzy messages (msgattrib prints them)."""
    flag = "--untranslated" if which == "untranslated" else "--only-fuzzy"
    out = subprocess.run(
        [gettext_tool("msgattrib"), flag, "--no-obsolete", "--no-wrap", str(po)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line[len("msgid ") :] for line in out.splitlines() if line.startswith('msgid "') and line != 'msgid ""']


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(regenerated, language):
    po = regenerated / "locale" / language / "LC_MESSAGES" / "django.po"
    untranslated = _messages(po, "untranslated")
    fuzzy = _messages(po, "fuzzy")
    assert not untranslated, f"{len(untranslated)} untranslated in {language}:\n" + "\n".join(untranslated[:80])
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {language}:\n" + "\n".join(fuzzy[:80])
    check = subprocess.run(
        [gettext_tool("msgfmt"), "--check", "-o", os.devnull, str(po)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_catalogue_is_compiled(tmp_path, language):
    msgfmt = gettext_tool("msgfmt")
    folder = ROOT / "locale" / language / "LC_MESSAGES"
    compiled = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check", "-o", str(compiled), str(folder / "django.po")], check=True)
    assert compiled.read_bytes() == (folder / "django.mo").read_bytes(), f"run `make messages` for {language}"
