"""Found 5, 6 and 10 (issue 14): uploads had no size limit and a 5 KB XLSX claiming A1:XFD1048576 exhausted
memory; damaged rows passed silently (a short row wiped a report's figures, an unquoted comma moved the street
into "phone", one stray byte turned every Cyrillic name into Windows-1251 garbage); errors named no row or
column, or internal fields; counts SQLite accepted were refused by PostgreSQL with a traceback.
"""

from __future__ import annotations

import datetime
import io
import re
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding.importers import AwardImporter
from funding.models import Administrator, Award, Lot
from imports import engine
from imports.engine import run_import
from imports.models import ImportJob
from registry.importers import OrganisationImporter, ReportImporter
from registry.models import Organisation, YearlyReport
from tests.funding.factories import clerk, make_administrator
from tests.registry.factories import make_bin, make_organisation

pytestmark = pytest.mark.django_db
ORG_HEADER = "bin,name_kk,name_ru,name_en,legal_form,region,registered_on,status,fields,address,phone,email,website"
BIN = make_bin(datetime.date(2012, 4, 1))
ORG_ROW = f"{BIN},,Фонд «Доверие»,,foundation,KZ-55,2012-04-10,active,health,Павлодар,+7 7182 11 22 33,,"


def organisations(data: bytes, name: str = "orgs.csv", **options):
    return run_import(OrganisationImporter(), data, name, acting_user=clerk(), **options)


def where(result) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in result.problems]


# ---------------------------------------------------------------- sizes


def upload(client, data: bytes, name: str = "orgs.csv", **extra):
    return client.post(
        reverse("imports:imports"), {"kind": "organisations", "file": SimpleUploadedFile(name, data), **extra}
    )


def test_an_upload_past_the_ceiling_is_not_kept_and_the_form_names_the_limit(client, moderator, settings):
    settings.UPLOAD_MAX_BYTES = 4096
    client.force_login(moderator)
    response = upload(client, f"{ORG_HEADER}\n".encode() + b"x" * 100_000)
    assert response.status_code == 200
    assert "the file is 0.1 MB" in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()
    assert (
        not list((settings.MEDIA_ROOT / "imports").rglob("*")) if (settings.MEDIA_ROOT / "imports").exists() else True
    )


def test_each_format_has_its_own_limit(client, moderator, monkeypatch):
    monkeypatch.setattr(OrganisationImporter, "max_bytes", 1024, raising=False)
    client.force_login(moderator)
    response = upload(client, f"{ORG_HEADER}\n{ORG_ROW}\n".encode() * 20)
    assert "this format takes files of up to 0 MB" in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()
    assert "limit" not in str(organisations(f"{ORG_HEADER}\n{ORG_ROW}\n".encode()).problems)


def test_documents_past_the_ceiling_are_refused_by_their_own_limit(client, settings):
    from registry.models import Document, Membership
    from tests.registry.factories import person

    settings.UPLOAD_MAX_BYTES = 4096
    organisation = make_organisation()
    owner = person("owner")
    Membership.objects.create(user=owner, organisation=organisation, role="owner")
    client.force_login(owner)
    response = client.post(
        reverse("registry:organisation_documents", args=[organisation.org_id]),
        {"kind": "charter", "title": "Charter", "file": SimpleUploadedFile("c.pdf", b"%PDF" + b"x" * 50_000)},
    )
    assert response.status_code == 200 and "limit is" in " ".join(response.context["form"].errors["file"])
    assert not Document.objects.exists()


# ---------------------------------------------------------------- XLSX


def workbook_bytes(rows: list[list[str]], *, claims: str | None = None, pad_xml: int = 0) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    source, target = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for part in source.infolist():
            content = source.read(part.filename)
            if part.filename == "xl/worksheets/sheet1.xml":
                if claims:
                    content = re.sub(rb'<dimension ref="[^"]+"/>', f'<dimension ref="{claims}"/>'.encode(), content)
                content += b" " * pad_xml  # whitespace after the root: compresses to nothing
            out.writestr(part, content)
    return target.getvalue()


def test_a_workbook_claiming_the_whole_sheet_is_read_in_little_memory():
    data = workbook_bytes([ORG_HEADER.split(","), ORG_ROW.split(",")], claims="A1:XFD1048576")
    assert len(data) < 8000
    tracemalloc.start()
    try:
        result = organisations(data, "orgs.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not result.problems and result.created == 1
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MB"


def test_a_workbook_that_unpacks_to_too_much_is_refused(monkeypatch):
    monkeypatch.setattr(engine, "XLSX_MAX_UNPACKED", 1_000_000)
    data = workbook_bytes([ORG_HEADER.split(","), ORG_ROW.split(",")], pad_xml=2_000_000)
    assert len(data) < 30_000
    result = organisations(data, "orgs.xlsx")
    assert len(result.problems) == 1 and "unpacks to more than" in result.problems[0].message
    assert not Organisation.objects.exists()


def test_cells_past_the_last_column_of_a_workbook_are_a_problem():
    data = workbook_bytes([ORG_HEADER.split(","), [*ORG_ROW.split(","), "", "stray"]])
    assert where(organisations(data, "orgs.xlsx")) == [(2, "website")]


# ---------------------------------------------------------------- rows that do not line up


@pytest.fixture
def reported(client):
    organisation = make_organisation(bin="950440770016", registered_on=datetime.date(1995, 4, 12))
    template = b"".join(client.get(reverse("opendata:import_template", args=["reports"])).streaming_content)
    run_import(ReportImporter(), template, "reports.csv", acting_user=clerk())
    return organisation, template.decode()


def test_a_short_row_is_a_problem_and_wipes_nothing(reported):
    organisation, template = reported
    before = YearlyReport.objects.filter(organisation=organisation).values().get()
    assert before["paid_staff"] == 4 and before["income_social_order"] == Decimal("4500000")
    header = template.splitlines()[0]
    result = run_import(ReportImporter(), f"{header}\n950440770016,2024\n".encode(), "r.csv", acting_user=clerk())
    assert where(result) == [(2, "submitted_on")] and "2 cells and the header 31" in result.problems[0].message
    assert YearlyReport.objects.filter(organisation=organisation).values().get() == before


def test_an_unquoted_comma_is_a_problem_not_a_street_in_phone():
    row = ORG_ROW.replace("Павлодар", "Павлодар, ул. Абая 1")
    result = organisations(f"{ORG_HEADER}\n{row}\n".encode())
    assert where(result) == [(2, "website")] and "double quotes" in result.problems[0].message
    assert not Organisation.objects.exists()
    quoted = ORG_ROW.replace("Павлодар", '"Павлодар, ул. Абая 1"')
    assert organisations(f"{ORG_HEADER}\n{quoted}\n".encode()).created == 1
    assert Organisation.objects.get().address == "Павлодар, ул. Абая 1"


# ---------------------------------------------------------------- encodings


def test_a_stray_byte_is_refused_at_its_row_column_and_byte_and_garbles_nothing():
    data = f"{ORG_HEADER}\n{ORG_ROW}\n".encode().replace("Доверие".encode(), "Дов".encode() + b"\x98" + "ерие".encode())
    result = organisations(data)
    assert where(result) == [(2, "name_ru")]
    assert re.search(r"byte \d+ of this row \(0x98\) is not UTF-8", result.problems[0].message)
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("bom", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom"])
def test_utf8_with_or_without_bom_and_utf16_with_bom_are_read(bom):
    text = f"{ORG_HEADER}\n{ORG_ROW}\n".replace(",", "\t") if bom.startswith("utf-16") else f"{ORG_HEADER}\n{ORG_ROW}\n"
    data = ("\ufeff" + text).encode("utf-16-le") if bom == "utf-16-le-bom" else text.encode(bom)
    assert organisations(data).created == 1
    assert Organisation.objects.get().name_ru == "Фонд «Доверие»"


def test_windows_1251_when_chosen_shows_its_decoded_names_in_the_dry_run(
    client, moderator, django_capture_on_commit_callbacks
):
    client.force_login(moderator)
    data = f"{ORG_HEADER}\n{ORG_ROW}\n".encode("cp1251")
    with django_capture_on_commit_callbacks(execute=True):
        refused = upload(client, data)
    job = ImportJob.objects.get()
    assert job.status == "done" and job.problems[0][:2] == [2, "name_ru"]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, data, encoding="windows-1251")
    job = ImportJob.objects.latest("pk")
    page = client.get(reverse("imports:import_detail", args=[job.pk])).content.decode()
    assert job.succeeded and "Фонд «Доверие»" in page and "Windows-1251" in page
    assert refused.status_code == 302 and not Organisation.objects.exists()


# ---------------------------------------------------------------- numbers, the same limits on both databases


def test_year_zero_and_far_years_name_the_year_column(reported):
    _organisation, template = reported
    for year in ("0", "1990", "2101"):
        result = run_import(
            ReportImporter(), template.replace(",2024,", f",{year},", 1).encode(), "r.csv", acting_user=clerk()
        )
        assert where(result) == [(2, "year")] and "not a year from 1991 to 2100" in result.problems[0].message


def test_counts_past_what_postgresql_holds_are_refused_on_every_database(reported):
    _organisation, template = reported
    result = run_import(
        ReportImporter(), template.replace(",15,", ",2147483648,", 1).encode(), "r.csv", acting_user=clerk()
    )
    assert where(result) == [(2, "volunteers")] and "2147483647" in result.problems[0].message
    fine = run_import(
        ReportImporter(), template.replace(",15,", ",2147483647,", 1).encode(), "r.csv", acting_user=clerk()
    )
    assert not fine.problems and YearlyReport.objects.get().volunteers == 2147483647


AWARD_HEADER = (
    "award_id,mechanism,administrator,recipient_bin,title,description,field,region,amount,currency,"
    "awarded_on,starts_on,ends_on,competition_id,lot,applicants,status"
)


@pytest.fixture
def award_line():
    make_administrator(kind=Administrator.Kind.REGIONAL_AKIMAT, code="akimat")
    ngo = make_organisation(fields=("children_youth",), registered_on=datetime.date(2010, 5, 1))
    return (
        f"SO-1,social_order,akimat,{ngo.bin},Summer camps,,children_youth,KZ-55,4500000,KZT,2021-03-01,"
        "2021-03-10,2021-11-30,C-7,2,1,completed"
    )


def awards(text: str):
    return run_import(AwardImporter("akimat"), text.encode(), "awards.csv", acting_user=clerk())


def test_a_lot_number_past_a_smallint_is_refused_under_lot(award_line):
    result = awards(f"{AWARD_HEADER}\n{award_line.replace(',C-7,2,', ',C-7,40000,')}\n")
    assert where(result) == [(2, "lot")] and "32767" in result.problems[0].message
    assert not Lot.objects.exists()


def test_errors_name_the_files_columns_not_the_models_fields(award_line):
    long_reference = "C-" + "7" * 300
    result = awards(f"{AWARD_HEADER}\n{award_line.replace(',C-7,', f',{long_reference},')}\n")
    assert where(result) == [(2, "competition_id")]
    long_award = "SO-" + "1" * 300
    result = awards(f"{AWARD_HEADER}\n{award_line.replace('SO-1,', f'{long_award},', 1)}\n")
    assert where(result) == [(2, "award_id")]
    assert not Award.objects.exists()
    known = set(AWARD_HEADER.split(","))
    assert all(p.column in known for p in result.problems)
