"""Issue 14 (3): text that a spreadsheet would run as a formula comes out of every CSV neutralised; plain values
(numbers, dates, phone numbers) come out as they are."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from opendata.csv_writer import csv_cell
from tests.funding.factories import make_award
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "@SUM(1+1)*cmd|' /C calc'!A0", "=1+2", "-1+2", "+cmd|x"]


@pytest.mark.parametrize("text", [*FORMULAS, "\t=1+2", "\r=1+2"])
def test_a_formula_is_neutralised(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["+7 (701) 123-45-67", "-12.50", "+7 7172 00 00 00", "Astana", "", 5, -3])
def test_plain_values_are_written_as_they_are(value):
    assert csv_cell(value) == value


def rows(body: bytes | str) -> list[dict]:
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_directory_download_neutralises_names_and_phones(client):
    make_organisation(name_en=FORMULAS[0], name_ru="=1+2", phone="@SUM(A1)")
    make_organisation(name_en="Plain", phone="+7 7172 00 00 00")
    response = client.get(reverse("opendata:organisation_list_csv"))
    found = {row["name_en"]: row for row in rows(b"".join(response.streaming_content))}
    assert found["'" + FORMULAS[0]]["name_ru"] == "'=1+2" and found["'" + FORMULAS[0]]["phone"] == "'@SUM(A1)"
    assert found["Plain"]["phone"] == "+7 7172 00 00 00"


def test_the_funding_download_and_the_export_command_neutralise_titles(client, tmp_path):
    make_award(title="=1+2", awarded_on=datetime.date(2022, 3, 1))
    response = client.get(reverse("opendata:explorer_csv"))
    assert [row["title"] for row in rows(b"".join(response.streaming_content))] == ["'=1+2"]
    target = tmp_path / "awards.csv"
    call_command("export_csv", "awards", str(target), stderr=io.StringIO())
    assert [row["title"] for row in rows(target.read_text(encoding="utf-8"))] == ["'=1+2"]
