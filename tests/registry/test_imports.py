from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.engine import run_import
from registry.importers import OrganisationImporter
from registry.models import ChangeRecord, Organisation
from tests.registry.factories import clerk, make_bin

pytestmark = pytest.mark.django_db
HEADER = "bin,name_kk,name_ru,name_en,legal_form,region,registered_on,status,fields,address,phone,email,website"
BIN_A = make_bin(datetime.date(2012, 4, 1))
BIN_B = make_bin(datetime.date(2013, 7, 1))
GOOD = (
    f"{HEADER}\n"
    f"{BIN_A},«Сенім» қоры,Фонд «Доверие»,Trust Foundation,foundation,KZ-55,2012-04-10,active,"
    "human_rights;women,Павлодар,+7 7182 11 22 33,info@trust.example.kz,https://trust.example.kz\n"
    f"{BIN_B},,ОО «Мост»,,public_association,KZ-71,15.07.2013,inactive,community,,,,\n"
)


def run(text: str | bytes, name: str = "orgs.csv", dry_run: bool = False):
    data = text.encode() if isinstance(text, str) else text
    return run_import(OrganisationImporter(), data, name, dry_run=dry_run, acting_user=clerk())


def test_a_good_file_creates_every_row():
    result = run(GOOD)
    assert not result.problems and (result.created, result.updated, result.unchanged) == (2, 0, 0)
    trust = Organisation.objects.get(bin=BIN_A)
    assert trust.name_en == "Trust Foundation" and trust.region_id == "KZ-55"
    assert sorted(trust.fields.values_list("code", flat=True)) == ["human_rights", "women"]
    assert Organisation.objects.get(bin=BIN_B).status == "inactive"


def test_importing_the_same_file_again_changes_nothing():
    run(GOOD)
    again = run(GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert not ChangeRecord.objects.exists()


def test_a_changed_file_updates_and_records_each_change_as_an_import():
    run(GOOD)
    result = run(GOOD.replace("+7 7182 11 22 33", "+7 7182 99 99 99"))
    assert (result.updated, result.unchanged) == (1, 1)
    change = ChangeRecord.objects.get()
    assert (change.field, change.new_value, change.source) == ("phone", "+7 7182 99 99 99", "import")


def test_a_dry_run_reports_and_writes_nothing():
    result = run(GOOD, dry_run=True)
    assert result.created == 2 and not result.applied
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("text", "row", "column", "words"),
    [
        (GOOD.replace(BIN_A, BIN_A[:11] + str((int(BIN_A[11]) + 1) % 10)), 2, "bin", "check digit should be"),
        (GOOD.replace("foundation,KZ-55", "fund,KZ-55"), 2, "legal_form", "not a legal form code"),
        (GOOD.replace("KZ-71", "KZ-99"), 3, "region", "not a region code"),
        (GOOD.replace("15.07.2013", "2013-13-45"), 3, "registered_on", "is not a date"),
        (GOOD.replace("info@trust.example.kz", "not-an-email"), 2, "email", "not a valid email"),
        (GOOD.replace("human_rights;women", "human_rights;cooking"), 2, "fields", "cooking"),
        (GOOD.replace(",inactive,", ",suspended,"), 3, "status", "a moderator records it"),
        (GOOD + GOOD.splitlines()[1] + "\n", 4, "bin", "repeats row 2"),
        (GOOD.replace("2012-04-10", "2011-01-01"), 2, "registered_on", "before the month"),
    ],
)
def test_every_problem_names_its_row_and_column_and_nothing_is_written(text, row, column, words):
    result = run(text)
    assert any(p.row == row and p.column == column and words in p.message for p in result.problems), result.problems
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("header", "words"),
    [
        (HEADER.replace(",website", ""), "column “website”: this column is missing"),
        (HEADER + ",notes", "column “notes”: this column is not part of the format"),
    ],
)
def test_the_header_must_be_the_format(header, words):
    result = run(GOOD.replace(HEADER, header))
    assert any(words in str(p) for p in result.problems)
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_encodings_excel_produces_are_read(encoding):
    assert run(GOOD.encode(encoding)).created == 2
    assert Organisation.objects.get(bin=BIN_A).name_ru == "Фонд «Доверие»"


def test_windows_1251_is_read_when_chosen_and_refused_otherwise():
    text = GOOD.replace("«Сенім» қоры", "")  # Windows-1251 has no Kazakh letters
    refused = run(text.encode("cp1251"))
    assert [(p.row, p.column) for p in refused.problems] == [(2, "name_ru")]
    assert "byte 15 of this row (0xD4) is not UTF-8" in refused.problems[0].message
    chosen = run_import(
        OrganisationImporter(), text.encode("cp1251"), "orgs.csv", acting_user=clerk(), encoding="windows-1251"
    )
    assert chosen.created == 2 and chosen.preview["rows"][0][1][2] == "Фонд «Доверие»"


def test_semicolons_blank_lines_and_windows_line_ends_are_read():
    text = GOOD.replace(",", ";").replace("human_rights;women", "human_rights|women")
    text = text.replace("human_rights|women", "human_rights")
    assert run("\r\n\r\n".join(text.splitlines()) + "\r\n").created == 2


def test_xlsx_files_are_read():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for line in GOOD.strip().splitlines():
        sheet.append(line.split(","))
    sheet["G2"] = datetime.date(2012, 4, 10)
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert run(buffer.getvalue(), "orgs.xlsx").created == 2


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02", b"PK\x03\x04 not a workbook"])
def test_unreadable_files_are_one_clear_problem(data):
    result = run(data, "orgs.xlsx" if data.startswith(b"PK") else "orgs.csv")
    assert len(result.problems) == 1 and result.problems[0].row is None


def test_the_command_prints_the_problems_and_exits_non_zero(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD.replace("KZ-71", "KZ-99"))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_organisations", "--user", clerk().username, str(bad))
    assert "row 3, column “region”" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    call_command("import_organisations", "--user", clerk().username, str(good), "--dry-run")
    assert not Organisation.objects.exists()
    call_command("import_organisations", "--user", clerk().username, str(good))
    assert Organisation.objects.count() == 2


CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "yes",
            "KZ-71",
            "foundation",
            "2012-04-10",
            "31.12.2020",
            "1e400",
            "99999999999999999999",
            "-1",
            "“quoted”",
            "a,b",
            "line\nbreak",
            "Қамқор",
            "\ufeff",
            "NaN",
        ]
    ),
    st.text(max_size=12),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(CELLS, min_size=10, max_size=15), max_size=6),
    good_rows=st.integers(min_value=0, max_value=2),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]),
    extra_column=st.booleans(),
    blank_lines=st.booleans(),
)
def test_any_file_is_all_or_nothing_and_never_a_crash(rows, good_rows, encoding, extra_column, blank_lines):
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER.split(",") + (["notes"] if extra_column else []))
    for line in GOOD.strip().splitlines()[1 : good_rows + 1]:
        writer.writerow(line.split(","))
    for cells in rows:
        writer.writerow(cells)
        if blank_lines:
            writer.writerow([])
    before = Organisation.objects.count()
    data = buffer.getvalue().encode(encoding, errors="replace")
    result = run(data)
    after = Organisation.objects.count()
    if result.problems:
        assert after == before  # never a partial import
    else:
        assert after == before + result.created
        assert run(data).created == 0  # and never twice


def test_the_template_is_a_file_the_importer_accepts(client):
    from django.urls import reverse

    response = client.get(reverse("opendata:import_template", args=["organisations"]))
    body = b"".join(response.streaming_content)
    result = run(body)
    assert not result.problems and result.created == 1
    assert client.get(reverse("opendata:import_template", args=["nothing"])).status_code == 404
