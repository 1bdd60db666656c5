from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from funding.importers import AwardImporter
from funding.models import Administrator, Amendment, Award, Competition
from imports.engine import run_import
from tests.funding.factories import clerk, make_administrator
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db
HEADER = (
    "award_id,mechanism,administrator,recipient_bin,title,description,field,region,amount,currency,"
    "awarded_on,starts_on,ends_on,competition_id,lot,applicants,status"
)


@pytest.fixture
def setting():
    akimat = make_administrator(kind=Administrator.Kind.REGIONAL_AKIMAT, code="akimat")
    make_administrator(parent=akimat, code="youth")
    make_administrator(code="elsewhere")
    ngo = make_organisation(fields=("children_youth",), registered_on=datetime.date(2010, 5, 1))
    party = make_organisation(legal_form="political_party", registered_on=datetime.date(2010, 5, 1))
    line = (
        f"SO-1,social_order,youth,{ngo.bin},Summer camps,,children_youth,KZ-55,4500000,KZT,2021-03-01,"
        "2021-03-10,2021-11-30,C-7,2,1,completed"
    )
    return {"ngo": ngo, "party": party, "text": f"{HEADER}\n{line}\n"}


def run(text: str, code: str = "akimat", dry_run: bool = False):
    return run_import(AwardImporter(code), text.encode(), "awards.csv", dry_run=dry_run, acting_user=clerk())


def test_a_row_creates_the_award_its_competition_lot_and_status(setting):
    result = run(setting["text"])
    assert not result.problems and result.created == 1
    award = Award.objects.get()
    assert award.administrator.code == "youth" and award.amount == Decimal("4500000")
    assert award.status == "completed" and list(award.status_events.values_list("kind", flat=True)) == [
        "contracted",
        "in_progress",
        "completed",
    ]
    assert award.competition.reference == "C-7" and award.lot.number == 2 and award.lot.reported_applicants == 1


def test_re_import_changes_nothing_and_an_amount_change_is_an_amendment(setting):
    run(setting["text"])
    assert run(setting["text"]).unchanged == 1
    result = run(setting["text"].replace("4500000", "4800000"))
    assert result.updated == 1
    amendment = Amendment.objects.get()
    assert (amendment.field_name, amendment.old_value, amendment.new_value) == ("amount", "4500000.00", "4800000")
    assert Competition.objects.count() == 1


@pytest.mark.parametrize(
    ("old", "new", "column", "words"),
    [
        (",youth,", ",elsewhere,", "administrator", "not akimat or one of its departments"),
        (",social_order,", ",bribe,", "mechanism", "is not one of"),
        (",KZT,", ",USD,", "currency", "amounts in KZT"),
        (",completed", ",terminated", "status", "needs its reason"),
        (",4500000,", ",-1,", "amount", "more than zero"),
        ("2021-11-30", "2024-11-30", "ends_on", "at most 36 months"),
    ],
)
def test_problems_name_row_and_column_and_write_nothing(setting, old, new, column, words):
    result = run(setting["text"].replace(old, new, 1))
    assert any(p.row == 2 and p.column == column and words in p.message for p in result.problems), result.problems
    assert not Award.objects.exists() and not Competition.objects.exists()


def test_an_ineligible_recipient_is_refused_on_its_column(setting):
    result = run(setting["text"].replace(setting["ngo"].bin, setting["party"].bin))
    assert any(p.column == "recipient_bin" and "only NGOs may" in p.message for p in result.problems)
    assert not Award.objects.exists()


def test_a_recorded_awards_recipient_is_not_changed_by_import(setting):
    run(setting["text"])
    other = make_organisation(fields=("children_youth",), registered_on=datetime.date(2010, 5, 1))
    result = run(setting["text"].replace(setting["ngo"].bin, other.bin))
    assert any(p.column == "recipient_bin" and "correct it on the award page" in p.message for p in result.problems)


def test_the_command_requires_the_administrator(setting, tmp_path):
    path = tmp_path / "awards.csv"
    path.write_text(setting["text"])
    with pytest.raises(CommandError, match="no administrator has the code"):
        call_command("import_awards", "--user", clerk().username, str(path), "--administrator", "nobody")
    call_command("import_awards", "--user", clerk().username, str(path), "--administrator", "akimat", "--dry-run")
    assert not Award.objects.exists()
    call_command("import_awards", "--user", clerk().username, str(path), "--administrator", "akimat")
    assert Award.objects.count() == 1
