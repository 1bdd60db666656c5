"""The people flags (issue 17) on constructed cases that must and must not fire, exact and fuzzy; name matching
across scripts and spellings."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from types import SimpleNamespace

import pytest

from funding import services as funding
from funding.models import AdministratorOfficial, Application, CommissionMember, CommissionScore
from registry.models import OrganisationRole, Person, RoleSource
from registry.search import person_name_key
from scoring import flags
from scoring.flags.people import key_edits, levenshtein
from tests.funding.factories import clerk, make_administrator, make_award, make_competition
from tests.registry.factories import make_organisation

TODAY = datetime.date(2026, 11, 22)
PEOPLE_FLAGS = ("conflict_of_interest", "collusion", "one_person_many_recipients", "revolving_door", "not_best_scored")
HEAD, FOUNDER, BOARD = OrganisationRole.Kind.HEAD, OrganisationRole.Kind.FOUNDER, OrganisationRole.Kind.BOARD_MEMBER


def hits(code: str) -> list[flags.Hit]:
    return list(flags.FLAG_FINDERS[code](today=TODAY))


def person(name: str, *, script: str = "ru") -> Person:
    return Person.objects.create(**{f"name_{script}": name})


def role(who: Person, org, kind: str = HEAD, started: datetime.date | None = None, ended: datetime.date | None = None):
    return OrganisationRole.objects.create(
        person=who, organisation=org, kind=kind, started_on=started, ended_on=ended, source=RoleSource.STATE_REGISTER
    )


def apply(lot, org, outcome: str = Application.Outcome.LOST) -> Application:
    reason = "late" if outcome == Application.Outcome.REJECTED else ""
    return funding.application_create(
        acting_user=clerk(), lot=lot, applicant=org, outcome=outcome, rejection_reason=reason
    )


def seat(competition, who: Person, stage: int = 1) -> CommissionMember:
    return CommissionMember.objects.create(competition=competition, person=who, stage=stage)


def official(admin, who: Person, started: datetime.date | None, ended: datetime.date | None):
    return AdministratorOfficial.objects.create(
        person=who,
        administrator=admin,
        position="Head of department",
        started_on=started,
        ended_on=ended,
        source=RoleSource.ADMINISTRATOR,
    )


# ---------------------------------------------------------------- matching names


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Нұрлан Әлиев", "Нурлан Алиев"),  # Kazakh letters folded to their Russian look-alikes
        ("Нурлан Алиев", "Aliev Nurlan"),  # Cyrillic and Latin, in either order of the words
        ("Әлиев Нұрлан Серікович", "ALIEV  Nurlan, Serikovich"),  # case, punctuation and spaces
        ("Хасенов Жанат", "Hasenov Janat"),  # the passport's H and J for Х and Ж
        ("Юсупова Майя", "Iusupova Maiia"),
    ],
)
def test_one_name_one_key_across_scripts_and_spellings(one, other):
    assert person_name_key(one) == person_name_key(other)
    assert key_edits(person_name_key(one), person_name_key(other)) == 0


@pytest.mark.parametrize(
    ("one", "other", "edits"),
    [
        ("Нурлан Алиев", "Aliyev Nurlan", 1),  # the y of "Aliyev" is one letter more
        ("Ерлан Сатпаев", "Ержан Сатпаев", 1),  # two different names one letter apart: fuzzy, shown as such
        ("Нурлан Алиев", "Nurlan Aliyeva", None),  # two letters more in one word
        ("Нурлан Алиев", "Алимов Нурлан", None),  # two letters apart: a namesake, not a spelling
        ("Ли Нурлан", "Лу Нурлан", None),  # words under five letters must be the same
        ("Нурлан Алиев", "Алиев Нурлан Серикович", None),  # a different number of words
        ("Алиев", "Алиев", 0),
        ("Алиев", "Алиева", None),  # a single word is never matched fuzzily
    ],
)
def test_fuzzy_matching_allows_one_letter_per_word_of_five_or_more(one, other, edits):
    assert key_edits(person_name_key(one), person_name_key(other)) == edits


def test_levenshtein_on_plain_words():
    assert levenshtein("aliev", "aliev") == 0
    assert levenshtein("aliev", "aliiev") == 1
    assert levenshtein("aliev", "alimov") == 2
    assert levenshtein("", "abc") == 3
    assert levenshtein("kitten", "sitting") == 3


def test_the_banded_word_distance_agrees_with_levenshtein():
    """_word_edits computes only the band the threshold needs: on random words it agrees with the full table."""
    from scoring.flags.people import _word_edits

    rng = random.Random(1)
    for _ in range(3000):
        one = "".join(rng.choice("abn") for _ in range(rng.randint(3, 8)))
        other = "".join(rng.choice("abn") for _ in range(rng.randint(3, 8)))
        full = levenshtein(one, other)
        expected = full if full <= 1 and (full == 0 or min(len(one), len(other)) >= 5) else None
        assert _word_edits(one, other) == expected, (one, other)


def test_fuzzy_matching_pairs_words_in_any_order():
    """One changed first letter can move a word in the key's sorted order: the words are paired in every order."""
    one, other = person_name_key("Абенов Нурлан"), person_name_key("Обенов Нурлан")
    assert (one, other) == ("abenov nurlan", "nurlan obenov")
    assert key_edits(one, other) == 1


# ---------------------------------------------------------------- conflict of interest


@pytest.fixture
def contest():
    admin = make_administrator(code="dept")
    competition, (lot,) = make_competition(admin, year=2022)  # 10 January - 10 February 2022
    applicant, other = make_organisation(), make_organisation()
    apply(lot, applicant, Application.Outcome.WON)
    apply(lot, other)
    return SimpleNamespace(admin=admin, competition=competition, lot=lot, applicant=applicant, other=other)


@pytest.mark.django_db
def test_conflict_of_interest_commission_member_heads_an_applicant(contest):
    member = person("Әлиев Нұрлан Серікович", script="kk")
    seat(contest.competition, member)
    role(person("Алиев Нурлан Серикович"), contest.applicant, HEAD, started=datetime.date(2015, 1, 1))

    (hit,) = hits("conflict_of_interest")
    assert (hit.subject_type, hit.subject_key, hit.year) == ("competition", contest.competition.public_id, 2022)
    assert hit.organisation_id == contest.applicant.pk
    assert hit.values["name_letters_differ"] == 0  # exact: one key across the two scripts
    assert hit.values["commission_member"] == "Әлиев Нұрлан Серікович"
    assert hit.values["applicant_head"] == "Алиев Нурлан Серикович"
    assert hit.values["lots_won"] == 1
    assert {r["type"] for r in hit.records} == {"competition", "organisation", "person"}


@pytest.mark.django_db
def test_conflict_of_interest_fuzzy_spelling_is_shown_as_fuzzy(contest):
    seat(contest.competition, person("Aliyev Nurlan Serikovich", script="en"))
    role(person("Алиев Нурлан Серикович"), contest.other, FOUNDER)

    (hit,) = hits("conflict_of_interest")
    assert hit.organisation_id == contest.other.pk
    assert hit.values["name_letters_differ"] == 1
    assert "applicant_founder" in hit.values and "applicant_head" not in hit.values


@pytest.mark.django_db
def test_conflict_of_interest_the_same_person_record_on_both_sides(contest):
    same = person("Сейткали Динара")
    seat(contest.competition, same)
    role(same, contest.applicant, BOARD)
    (hit,) = hits("conflict_of_interest")
    assert hit.values["name_letters_differ"] == 0 and hit.values["applicant_board"] == "Сейткали Динара"


@pytest.mark.django_db
def test_conflict_of_interest_not_for_a_namesake_beyond_the_threshold(contest):
    seat(contest.competition, person("Алиев Нурлан Серикович"))
    role(person("Алимов Нурлан Серикович"), contest.applicant, HEAD)  # two letters apart in one word
    assert hits("conflict_of_interest") == []


@pytest.mark.django_db
def test_conflict_of_interest_official_in_post_on_the_competition_dates(contest):
    official(contest.admin, person("Бекова Айгерим"), datetime.date(2020, 1, 1), None)
    role(person("Бекова Айгерим"), contest.applicant, FOUNDER)
    (hit,) = hits("conflict_of_interest")
    assert hit.values["official"] == "Бекова Айгерим, Head of department"
    assert "commission_member" not in hit.values


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("post", "held"),
    [
        ((datetime.date(2015, 1, 1), datetime.date(2019, 1, 10)), (None, None)),  # left three years before
        ((datetime.date(2022, 3, 1), None), (None, None)),  # took the post after the decision
        ((datetime.date(2020, 1, 1), None), (datetime.date(2010, 1, 1), datetime.date(2021, 12, 31))),  # role ended
    ],
)
def test_conflict_of_interest_needs_both_posts_on_the_competition_dates(contest, post, held):
    official(contest.admin, person("Бекова Айгерим"), *post)
    role(person("Бекова Айгерим"), contest.applicant, HEAD, *held)
    assert hits("conflict_of_interest") == []


@pytest.mark.django_db
def test_conflict_of_interest_leaves_withdrawn_applications_out():
    competition, (lot,) = make_competition(make_administrator(), year=2022)
    org = make_organisation()
    apply(lot, org, Application.Outcome.WITHDRAWN)
    seat(competition, person("Бекова Айгерим"))
    role(person("Бекова Айгерим"), org, HEAD)
    assert hits("conflict_of_interest") == []


@pytest.mark.django_db
def test_conflict_of_interest_needs_the_applicants_own_competition(contest):
    elsewhere, _ = make_competition(contest.admin, year=2022)
    seat(elsewhere, person("Бекова Айгерим"))  # sits on another competition's commission
    role(person("Бекова Айгерим"), contest.applicant, HEAD)
    assert hits("conflict_of_interest") == []


# ---------------------------------------------------------------- collusion


@pytest.mark.django_db
def test_collusion_two_applicants_to_one_lot_share_a_founder(contest):
    role(person("Жумабаев Ерлан"), contest.applicant, HEAD)
    role(person("Zhumabayev Yerlan", script="en"), contest.other, FOUNDER)

    (hit,) = hits("collusion")
    assert (hit.subject_type, hit.subject_key, hit.year) == ("competition", contest.competition.public_id, 2022)
    assert hit.values["lot"] == "1"
    assert hit.values["headed"] == 1
    # "jumabaev erlan" and "jumabaiev ierlan" (the y of the Latin spelling): one letter in each word
    assert hit.values["name_letters_differ"] == 2
    assert {r["key"] for r in hit.records if r["type"] == "organisation"} == {
        str(contest.applicant.pk),
        str(contest.other.pk),
    }


@pytest.mark.django_db
def test_collusion_not_across_lots_nor_for_board_members_nor_branches():
    _, (first, second) = make_competition(make_administrator(), lots=2, year=2022)
    one, two = make_organisation(), make_organisation()
    apply(first, one)
    apply(second, two)  # different lots do not compete
    role(person("Жумабаев Ерлан"), one, HEAD)
    role(person("Жумабаев Ерлан"), two, HEAD)
    three, four = make_organisation(), make_organisation()
    apply(first, three)
    apply(first, four)
    role(person("Омарова Салтанат"), three, BOARD)  # board members are left out
    role(person("Омарова Салтанат"), four, BOARD)
    parent = make_organisation()
    branch = make_organisation(parent=parent)
    apply(second, parent)
    apply(second, branch)
    role(person("Касымов Талгат"), parent, HEAD)
    role(person("Касымов Талгат"), branch, HEAD)
    assert hits("collusion") == []


# ---------------------------------------------------------------- one person behind several recipients


@pytest.mark.django_db
def test_one_person_behind_two_recipients_of_one_administrator_in_a_year():
    admin = make_administrator(code="dept")
    one, two = make_organisation(), make_organisation()
    make_award(recipient=one, administrator=admin, awarded_on=datetime.date(2021, 3, 1))
    make_award(recipient=two, administrator=admin, awarded_on=datetime.date(2021, 9, 1), amount="500000")
    role(person("Нұрғалиев Бауыржан", script="kk"), one, HEAD)
    role(person("Нургалиев Бауыржан"), two, FOUNDER)

    (hit,) = hits("one_person_many_recipients")
    assert (hit.subject_type, hit.subject_key, hit.year) == ("administrator", "dept", 2021)
    assert hit.values["recipients"] == 2 and hit.values["as_head"] == 1 and hit.values["as_founder"] == 1
    assert hit.values["awards"] == 2 and Decimal(hit.values["total"]) == Decimal("1500000")
    assert hit.values["name_letters_differ"] == 0
    assert hit.amount == Decimal("1500000")


@pytest.mark.django_db
def test_one_person_many_recipients_needs_one_administrator_one_year_and_the_role_on_the_award_date():
    first, second = make_administrator(), make_administrator()
    orgs = [make_organisation() for _ in range(5)]
    make_award(recipient=orgs[0], administrator=first, awarded_on=datetime.date(2021, 3, 1))
    make_award(recipient=orgs[1], administrator=first, awarded_on=datetime.date(2022, 3, 1))  # another year
    make_award(recipient=orgs[2], administrator=second, awarded_on=datetime.date(2021, 3, 1))  # another funder
    make_award(recipient=orgs[3], administrator=first, awarded_on=datetime.date(2021, 5, 1))
    for org in orgs[:3]:
        role(person("Нургалиев Бауыржан"), org, HEAD)
    # orgs[3]'s head took the post after its award
    role(person("Нургалиев Бауыржан"), orgs[3], HEAD, started=datetime.date(2021, 6, 1))
    assert hits("one_person_many_recipients") == []


# ---------------------------------------------------------------- revolving door


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("left", "fires"),
    [
        (datetime.date(2020, 3, 1), True),  # exactly two years before
        (datetime.date(2021, 6, 30), True),
        (datetime.date(2019, 3, 1), False),  # three years before
        (datetime.date(2022, 3, 2), False),  # still in post on the award date: not *former*
    ],
)
def test_revolving_door_within_two_years_of_leaving(left, fires):
    admin = make_administrator()
    org = make_organisation()
    award = make_award(recipient=org, administrator=admin, awarded_on=datetime.date(2022, 3, 1))
    official(admin, person("Тулегенов Арман"), datetime.date(2012, 1, 1), left)
    role(person("Tulegenov Arman", script="en"), org, HEAD, started=datetime.date(2021, 7, 1))
    found = hits("revolving_door")
    assert bool(found) is fires
    if fires:
        (hit,) = found
        assert (hit.subject_type, hit.subject_key, hit.year) == ("award", award.public_id, 2022)
        assert hit.values["left_post"] == left.isoformat()
        assert hit.values["days_after_leaving"] == (datetime.date(2022, 3, 1) - left).days


@pytest.mark.django_db
def test_revolving_door_needs_the_same_administrator_and_the_head():
    admin, other = make_administrator(), make_administrator()
    org = make_organisation()
    make_award(recipient=org, administrator=admin, awarded_on=datetime.date(2022, 3, 1))
    official(other, person("Тулегенов Арман"), None, datetime.date(2021, 6, 1))  # another administrator
    official(admin, person("Сарсенова Гульнар"), None, datetime.date(2021, 6, 1))
    role(person("Тулегенов Арман"), org, HEAD)
    role(person("Сарсенова Гульнар"), org, FOUNDER)  # a founder, not the head
    assert hits("revolving_door") == []


# ---------------------------------------------------------------- not the best scored


def score(application: Application, members: list[CommissionMember], *values: str) -> None:
    for member in members:
        for n, value in enumerate(values, 1):
            CommissionScore.objects.create(
                application=application, member=member, criterion=f"criterion {n}", score=Decimal(value)
            )


@pytest.fixture
def scored():
    competition, (lot,) = make_competition(make_administrator(), year=2022)
    members = [seat(competition, person(name)) for name in ("Ахметов Самат", "Ильина Ольга", "Бекова Айгерим")]
    winner = apply(lot, make_organisation(), Application.Outcome.WON)
    loser = apply(lot, make_organisation())
    return competition, members, winner, loser


@pytest.mark.django_db
def test_not_best_scored_when_a_losing_application_scored_higher(scored):
    competition, members, winner, loser = scored
    score(winner, members, "7", "8")
    score(loser, members, "8", "8")

    (hit,) = hits("not_best_scored")
    assert (hit.subject_type, hit.subject_key, hit.year) == ("competition", competition.public_id, 2022)
    assert hit.organisation_id == winner.applicant_id
    assert Decimal(hit.values["winner_total"]) == 45 and Decimal(hit.values["best_total"]) == 48
    assert hit.values["outscored_by"] == 1 and hit.values["compared"] == 2


@pytest.mark.django_db
def test_not_best_scored_not_for_a_tie_nor_a_rejected_application(scored):
    _, members, winner, loser = scored
    score(winner, members, "8", "8")
    score(loser, members, "8", "8")  # tied
    rejected = apply(winner.lot, make_organisation(), Application.Outcome.REJECTED)
    score(rejected, members, "10", "10")
    assert hits("not_best_scored") == []


@pytest.mark.django_db
def test_not_best_scored_compares_means_when_the_counts_differ(scored):
    _, members, winner, loser = scored
    score(winner, members, "8", "8")  # 48 over 6 scores: 8 a score
    score(loser, members[:2], "9", "9")  # 36 over 4 scores (a member stood aside): 9 a score
    (hit,) = hits("not_best_scored")
    assert hit.values["winner_scores"] == 6 and hit.values["best_scores"] == 4


@pytest.mark.django_db
def test_not_best_scored_compares_the_winners_last_stage():
    competition, (lot,) = make_competition(make_administrator(), year=2022)
    group = [seat(competition, person(n), stage=1) for n in ("Ахметов Самат", "Ильина Ольга")]
    experts = [seat(competition, person(n), stage=2) for n in ("Бекова Айгерим", "Кимова Анна")]
    winner = apply(lot, make_organisation(), Application.Outcome.WON)
    loser = apply(lot, make_organisation())
    dropped = apply(lot, make_organisation())
    score(winner, group, "6")
    score(loser, group, "7")
    score(dropped, group, "9")  # best at stage 1 but never reached stage 2: stage 1 is not compared
    score(winner, experts, "9")
    score(loser, experts, "8")
    assert hits("not_best_scored") == []
    CommissionScore.objects.filter(application=loser, member__stage=2).update(score=Decimal(10))
    (hit,) = hits("not_best_scored")
    assert hit.values["stage"] == 2 and hit.values["compared"] == 2


# ---------------------------------------------------------------- figures


@pytest.mark.django_db
def test_every_figure_of_the_people_flags_has_a_label(contest):
    seat(contest.competition, person("Алиев Нурлан"))
    official(contest.admin, person("Бекова Айгерим"), None, None)
    role(person("Aliyev Nurlan", script="en"), contest.applicant, HEAD)
    role(person("Бекова Айгерим"), contest.other, FOUNDER)
    role(person("Бекова Айгерим"), contest.applicant, HEAD)
    official(contest.admin, person("Тулегенов Арман"), None, datetime.date(2021, 6, 1))
    role(person("Тулегенов Арман"), contest.other, HEAD)
    make_award(recipient=contest.applicant, administrator=contest.admin, awarded_on=datetime.date(2022, 3, 1))
    make_award(recipient=contest.other, administrator=contest.admin, awarded_on=datetime.date(2022, 3, 2))
    members = list(CommissionMember.objects.all())
    app_won, app_lost = Application.objects.order_by("id")
    score(app_won, members, "1")
    score(app_lost, members, "2")
    found = [h for code in PEOPLE_FLAGS for h in hits(code)]
    assert {h.code for h in found} == set(PEOPLE_FLAGS)
    for hit in found:
        assert set(hit.values) <= set(flags.RULES[hit.code].figures), hit.code
        shown = flags.flag_figures(hit.code, hit.values)
        assert len(shown) == len(hit.values)
        assert all(text for _, text in shown)


def test_the_people_flags_are_registered_with_their_rules():
    for code in (
        "conflict_of_interest",
        "collusion",
        "one_person_many_recipients",
        "revolving_door",
        "not_best_scored",
    ):
        assert code in flags.FLAG_FINDERS and code in flags.RULES
        assert flags.RULES[code].subject in flags.SUBJECT_LABELS


# ---------------------------------------------------------------- pages and API


@pytest.mark.django_db
def test_a_people_flag_on_transparency_its_page_and_the_api(client, contest):
    from django.urls import reverse

    from scoring import services

    seat(contest.competition, person("Әлиев Нұрлан", script="kk"))
    role(person("Aliyev Nurlan", script="en"), contest.applicant, HEAD)
    services.summaries_regenerate()

    listing = client.get(reverse("scoring:transparency"), {"code": "conflict_of_interest"}).content.decode()
    assert "Conflict of interest" in listing
    url = reverse("scoring:flag_detail", args=["conflict_of_interest", "competition", contest.competition.public_id])
    page = client.get(url).content.decode()
    assert "Conflict of interest" in page and "Әлиев Нұрлан" in page and "Aliyev Nurlan" in page
    assert "Head of the applicant" in page and "Commission member" in page  # labels ...
    assert "applicant_head" not in page and "name_letters_differ" not in page  # ... never keys
    records = page[page.index("Records involved") :]
    assert "Person: " in records and "Aliyev Nurlan</a>" in records  # the records involved, each with its kind
    body = client.get("/api/v1/flags/", {"code": "conflict_of_interest"}).json()
    (flag,) = body["results"]
    assert flag["subject_key"] == contest.competition.public_id and flag["values"]["name_letters_differ"] == 1
