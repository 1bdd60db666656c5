"""The OpenAPI schema: a committed snapshot that changes only on purpose, and local docs. The fuzzing run over
the live API with every check is tests/test_api_fuzz.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

SNAPSHOT = Path(__file__).resolve().parent.parent / "api" / "openapi.yaml"


@pytest.mark.django_db
def test_the_schema_matches_the_reviewed_snapshot(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn", verbosity=0)
    assert generated.read_text() == SNAPSHOT.read_text(), (
        "The API changed. Review the difference, then `make schema` to update api/openapi.yaml and docs/api.md."
    )


@pytest.mark.django_db
def test_the_docs_page_serves_its_assets_locally(client):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page and "cdn" not in page.lower() and "//unpkg" not in page
    assert client.get("/api/schema/?format=json").json()["openapi"].startswith("3.")
