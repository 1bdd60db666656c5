"""Officials, commission members and scores through the import engine (issue 17): dry run, problems by row and
column, all or nothing, idempotent; run by the administrator's officers only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from funding import services
from funding.importers import CommissionMemberImporter, CommissionScoreImporter, OfficialImporter
from funding.models import AdministratorOfficial, CommissionMember, CommissionScore, Mechanism, OfficerMembership
from imports.engine import column_help, import_allowed, run_import
from registry.models import Person
from tests.funding.factories import clerk, make_competition
from tests.registry.factories import make_organisation, person

pytestmark = pytest.mark.django_db
MEMBERS = "competition_id,person,role,stage,affiliation,source_note"
SCORES = "competition_id,lot,applicant_bin,member,stage,criterion,score,max_score"
OFFICIALS = "administrator,person,position,from,until,source,source_note"


def run(importer, text: str, dry_run: bool = False):
    return run_import(importer, text.encode(), "file.csv", dry_run=dry_run, acting_user=clerk())


@pytest.fixture
def setting(department):
    competition, (lot,) = make_competition(department)
    ngo = make_organisation()
    services.application_create(lot=lot, applicant=ngo, acting_user=clerk())
    return {"competition": competition, "ngo": ngo}


def test_members_then_scores_are_imported_once(setting, akimat):
    ref, ngo = setting["competition"].reference, setting["ngo"]
    members = f"{MEMBERS}\n{ref},Нұрлан Әлиев,chair,1,маслихат,protocol 3\n{ref},Айгуль Серикова,,,,\n"
    result = run(CommissionMemberImporter("akimat"), members)
    assert not result.problems and result.created == 2
    scores = (
        f'{SCORES}\n{ref},1,{ngo.bin},Нурлан Алиев,,Актуальность,"8,5",10\n'
        f"{ref},1,{ngo.bin},Aliev Nurlan,,Бюджет,7,10\n"
        f"{ref},,{ngo.bin},Айгуль Серикова,,Актуальность,9,10\n"
    )
    result = run(CommissionScoreImporter("akimat"), scores)
    assert not result.problems and result.created == 3
    assert CommissionScore.objects.filter(member__person__name_kk="Нұрлан Әлиев").count() == 2
    assert Person.objects.count() == 2
    for importer, text in ((CommissionMemberImporter("akimat"), members), (CommissionScoreImporter("akimat"), scores)):
        again = run(importer, text)
        assert not again.problems and again.created == again.updated == 0
    corrected = scores.replace('"8,5"', "6")
    dry = run(CommissionScoreImporter("akimat"), corrected, dry_run=True)
    assert dry.updated == 1 and dry.changes[0][2] == [["score", "8.50", "6.00"]]
    assert CommissionScore.objects.filter(score=Decimal("8.5")).exists()


def test_score_problems_name_the_columns_and_nothing_is_applied(setting, akimat):
    ref, ngo = setting["competition"].reference, setting["ngo"]
    run(CommissionMemberImporter("akimat"), f"{MEMBERS}\n{ref},Нұрлан Әлиев,chair,1,,\n")
    text = (
        f"{SCORES}\n{ref},1,{ngo.bin},Нұрлан Әлиев,,Актуальность,8,10\n"
        f"{ref},1,{ngo.bin},Незнакомец,,Актуальность,8,10\n"
        f"{ref},1,{make_organisation().bin},Нұрлан Әлиев,,Актуальность,8,10\n"
        f"NO-SUCH,1,{ngo.bin},Нұрлан Әлиев,,Бюджет,8,10\n"
    )
    result = run(CommissionScoreImporter("akimat"), text)
    assert {(p.row, p.column) for p in result.problems} == {
        (3, "member"),
        (4, "applicant_bin"),
        (5, "competition_id"),
    }
    assert not CommissionScore.objects.exists()
    above = run(CommissionScoreImporter("akimat"), f"{SCORES}\n{ref},1,{ngo.bin},Нұрлан Әлиев,,Бюджет,11,10\n")
    assert [(p.row, p.column) for p in above.problems] == [(2, "score")]


def test_an_ngo_award_score_takes_only_its_five_criteria(department, akimat):
    competition, (lot,) = make_competition(department, mechanism=Mechanism.NGO_AWARD)
    ngo = make_organisation()
    services.application_create(lot=lot, applicant=ngo, acting_user=clerk())
    run(CommissionMemberImporter("akimat"), f"{MEMBERS}\n{competition.reference},Нұрлан Әлиев,,2,,\n")
    assert CommissionMember.objects.get().stage == 2
    text = f"{SCORES}\n{competition.reference},1,{ngo.bin},Нұрлан Әлиев,,Актуальность,8,10\n"
    result = run(CommissionScoreImporter("akimat"), text)
    assert [(p.row, p.column) for p in result.problems] == [(2, "criterion")]
    result = run(CommissionScoreImporter("akimat"), text.replace("Актуальность", "innovation"))
    assert not result.problems and CommissionScore.objects.get().criterion == "innovation"


def test_a_one_stage_competition_refuses_a_second_stage_under_its_column(setting, akimat):
    ref = setting["competition"].reference
    result = run(CommissionMemberImporter("akimat"), f"{MEMBERS}\n{ref},Нұрлан Әлиев,,2,,\n")
    assert [(p.row, p.column) for p in result.problems] == [(2, "stage")]


def test_officials_are_imported_once_and_an_end_date_ends_the_post(department, akimat):
    line = "department,Нұрлан Әлиев,руководитель управления,2018-01-01,,administrator,"
    result = run(OfficialImporter("akimat"), f"{OFFICIALS}\n{line}\n")
    assert not result.problems and result.created == 1
    again = run(OfficialImporter("akimat"), f"{OFFICIALS}\n{line}\n")
    assert again.unchanged == 1
    ended = line.replace("2018-01-01,,", "2018-01-01,2022-06-30,")
    result = run(OfficialImporter("akimat"), f"{OFFICIALS}\n{ended}\n")
    assert result.updated == 1 and AdministratorOfficial.objects.get().ended_on.isoformat() == "2022-06-30"
    bad = run(OfficialImporter("akimat"), f"{OFFICIALS}\nelsewhere-x,,,,,gossip,\n")
    assert {p.column for p in bad.problems} == {"administrator", "person", "position", "source"}


def test_only_the_administrators_officers_import_its_people(department, officer):
    outsider = person("outsider")
    OfficerMembership.objects.create(
        user=outsider,
        administrator=services.administrator_create(
            code="other", kind="regional_department", name_en="Other", acting_user=clerk()
        ),
    )
    for kind in ("officials", "commission_members", "commission_scores"):
        assert import_allowed(officer, kind, {"administrator": "department"})
        assert not import_allowed(outsider, kind, {"administrator": "department"})


@pytest.mark.parametrize("importer", [OfficialImporter, CommissionMemberImporter, CommissionScoreImporter])
def test_every_column_has_a_label(importer):
    assert all(column.label for column in column_help(importer))
