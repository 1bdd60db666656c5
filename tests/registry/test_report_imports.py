from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from imports.engine import run_import
from registry.importers import ReportImporter
from registry.models import ChangeRecord, YearlyReport
from tests.registry.factories import clerk, make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def template_text(client):
    return b"".join(client.get(reverse("opendata:import_template", args=["reports"])).streaming_content).decode()


@pytest.fixture
def org():
    return make_organisation(bin="950440770016", registered_on=__import__("datetime").date(1995, 4, 12))


def run(text: str, dry_run: bool = False):
    return run_import(ReportImporter(), text.encode(), "reports.csv", dry_run=dry_run, acting_user=clerk())


def test_the_template_imports_and_blank_means_unknown(org, template_text):
    result = run(template_text)
    assert not result.problems and result.created == 1
    report = YearlyReport.objects.get()
    assert report.year == 2024 and report.submitted_on.isoformat() == "2025-03-15" and report.on_time
    assert (
        report.has_board is True and report.exchanged_information is False and report.equal_opportunity_policy is None
    )
    assert report.income_state_grants is None and report.state_income == 4500000


def test_the_same_file_twice_changes_nothing_and_a_correction_is_recorded(org, template_text):
    run(template_text)
    assert run(template_text).unchanged == 1
    result = run(template_text.replace(",15,,900,", ",20,,900,"))
    assert result.updated == 1
    change = ChangeRecord.objects.get()
    assert (change.field, change.old_value, change.new_value, change.source) == (
        "report 2024: volunteers",
        "15",
        "20",
        "import",
    )
    assert YearlyReport.objects.get().submitted_on.isoformat() == "2025-03-15"  # the filing date stays


@pytest.mark.parametrize(
    ("old", "new", "column", "words"),
    [
        ("950440770016,2024", "950440770017,2024", "bin", "no organisation has this BIN"),
        (",4500000,", ",4 500 000,5,", "decision_making", "32 cells and the header 31"),
        (",yes,yes,yes,no,", ",maybe,yes,yes,no,", "has_board", "not yes/no"),
        ("elected_board", "dictator", "decision_making", "is not one of"),
        ("2025-03-15", "2024-03-15", "submitted_on", "once the year is over"),
        (",15,", ",-15,", "volunteers", "whole number of zero or more"),
    ],
)
def test_problems_name_row_and_column_and_write_nothing(org, template_text, old, new, column, words):
    result = run(template_text.replace(old, new, 1))
    assert any(p.row == 2 and p.column == column and words in p.message for p in result.problems), result.problems
    assert not YearlyReport.objects.exists()


def test_command(org, template_text, tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(template_text.replace("elected_board", "dictator"))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_reports", "--user", clerk().username, str(path))
    path.write_text(template_text)
    call_command("import_reports", "--user", clerk().username, str(path))
    assert YearlyReport.objects.count() == 1
