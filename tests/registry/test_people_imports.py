"""Roles in organisations through the import engine (issue 17): a dry run lists old -> new, problems name the
file's columns, a file is applied all or nothing, and importing it again changes nothing."""

from __future__ import annotations

import datetime

import pytest

from imports.engine import column_help, run_import
from registry.importers import OrganisationRoleImporter, person_names_from
from registry.models import ChangeRecord, OrganisationRole, Person
from tests.registry.factories import clerk, make_organisation

pytestmark = pytest.mark.django_db
HEADER = "bin,name_kk,name_ru,name_en,role,title,from,until,source,source_note"


def run(text: str, dry_run: bool = False):
    return run_import(OrganisationRoleImporter(), text.encode(), "roles.csv", dry_run=dry_run, acting_user=clerk())


@pytest.fixture
def org():
    return make_organisation()


def test_rows_create_roles_once_and_a_second_import_changes_nothing(org):
    text = (
        f"{HEADER}\n{org.bin},Нұрлан Әлиев,,,head,председатель,2015-01-01,2021-05-31,state_register,extract\n"
        f"{org.bin},,Айгуль Серикова,,head,,2021-06-01,,state_register,extract\n"
        f"{org.bin},,,Aliev Nurlan,founder,,,,organisation,charter\n"
    )
    result = run(text)
    assert not result.problems and result.created == 3
    assert Person.objects.count() == 2  # "Aliev Nurlan" is "Нұрлан Әлиев"
    assert OrganisationRole.objects.filter(organisation=org, ended_on__isnull=True).count() == 2
    assert ChangeRecord.objects.filter(organisation=org, source=ChangeRecord.Source.IMPORT).count() == 3
    again = run(text)
    assert not again.problems and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert OrganisationRole.objects.count() == 3


def test_the_dry_run_lists_an_end_date_and_writes_nothing(org):
    run(f"{HEADER}\n{org.bin},,Айгуль Серикова,,head,,2021-06-01,,state_register,\n")
    result = run(f"{HEADER}\n{org.bin},,Айгуль Серикова,,head,,2021-06-01,2024-01-31,state_register,\n", dry_run=True)
    assert not result.problems and result.updated == 1
    assert result.changes[0][2] == [["until", "", "31 January 2024"]]
    assert OrganisationRole.objects.get().ended_on is None
    run(f"{HEADER}\n{org.bin},,Айгуль Серикова,,head,,2021-06-01,2024-01-31,state_register,\n")
    assert OrganisationRole.objects.get().ended_on == datetime.date(2024, 1, 31)


def test_problems_are_named_by_row_and_column_and_nothing_is_applied(org):
    text = (
        f"{HEADER}\n{org.bin},,Айгуль Серикова,,head,,2021-06-01,,state_register,\n"
        f"{org.bin},,,,chief,,2021-06-01,2020-01-01,rumour,\n"
        "950440770016,,Кто-то,,founder,,,,organisation,\n"
    )
    result = run(text)
    where = {(p.row, p.column) for p in result.problems}
    assert {(3, "name_ru"), (3, "role"), (3, "source"), (3, "until")} <= where
    assert not OrganisationRole.objects.exists() and not Person.objects.exists()


def test_an_unknown_bin_is_reported_under_its_column_and_rolls_back_the_file(org):
    other = org.bin[:-1] + ("8" if org.bin.endswith("9") else "9")  # never the organisation's own BIN
    text = (
        f"{HEADER}\n{org.bin},,Айгуль Серикова,,head,,2021-06-01,,state_register,\n"
        f"{other},,Кто-то,,founder,,,,organisation,\n"
    )
    result = run(text)
    assert [(p.row, p.column) for p in result.problems] == [(3, "bin")]
    assert not OrganisationRole.objects.exists()


def test_the_column_help_has_labels_and_the_role_codes():
    columns = {column.name: column for column in column_help(OrganisationRoleImporter)}
    assert columns["from"].label == "from" and columns["role"].values[0] == ("head", "head")
    assert "IIN" in columns["name_ru"].note


@pytest.mark.parametrize(
    ("text", "field"),
    [("Нұрлан Әлиев", "name_kk"), ("Нурлан Алиев", "name_ru"), ("Nurlan Aliyev", "name_en")],
)
def test_a_name_in_one_cell_goes_under_the_language_its_letters_show(text, field):
    assert person_names_from(f"  {text} ") == {field: text}
