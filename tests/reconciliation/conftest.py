"""The reconciliation suite (issue 15): every figure a page or a CSV shows, on the demo data, against an
independent raw-SQL computation. The demo is seeded once for the package, at a tenth of the national size, with
its summaries, flags and concentration figures computed as a run would."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from scoring.services import summaries_regenerate

REFERENCE_TABLES = {"registry_legalform", "registry_region", "registry_region_succeeded_by", "registry_fieldofactivity"}
CENT = Decimal("0.01")


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", orgs=2230, seed=7, verbosity=0)
        summaries_regenerate()
        yield
        _empty()


def _empty() -> None:
    labels = ("registry", "funding", "scoring", "imports", "opendata")
    tables = [m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.app_label in labels]
    tables = [t for t in tables if t not in REFERENCE_TABLES]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("PRAGMA foreign_keys = ON")


@pytest.fixture
def page(client, demo):
    """GET a page anonymously, fresh (no cached overview), and return its response (with its context)."""

    def get(url: str, params: dict | None = None):
        cache.clear()
        response = client.get(url, params or {})
        assert response.status_code == 200, (url, params, response.status_code)
        return response

    return get


def sql(query: str, params: list | tuple = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def money(value) -> Decimal:
    """A SQL sum as exact KZT (SQLite hands sums back as floats; cents are exact at these sizes)."""
    return Decimal(str(value or 0)).quantize(CENT)


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
