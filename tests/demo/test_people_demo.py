"""The demo's people (issue 17) on a seeded demo: every planted case of the people flags found, nothing in the
control set flagged, no hit beyond the planted cases; names in Kazakh and Russian, heads for every organisation,
scores that put the winners on top."""

from __future__ import annotations

import random

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from demo import people
from demo.people import NameBook
from funding.models import AdministratorOfficial, CommissionMember, CommissionScore
from registry.demo import AS_OF
from registry.models import DemoDataset, OrganisationRole, Person
from registry.search import person_name_key
from scoring.flags import FLAG_FINDERS
from scoring.flags.people import key_edits
from scoring.flags.precision import flag_precision

PEOPLE_FLAGS = ("conflict_of_interest", "collusion", "one_person_many_recipients", "revolving_door", "not_best_scored")

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo at orgs=1000, once for this module: its manifest, and each people flag's hits as of its date."""
    from tests.opendata.test_exports import _empty_everything

    with django_db_blocker.unblock():
        call_command("seed_demo", orgs=1000, seed=11, verbosity=0)
        planted = DemoDataset.objects.get().planted
        hits = {code: list(FLAG_FINDERS[code](today=AS_OF)) for code in PEOPLE_FLAGS}
        yield planted, hits
        _empty_everything()


def _flagged(entry: dict, hits) -> bool:
    return any(
        (h.subject_type, h.subject_key) == (entry["subject_type"], entry["subject_key"])
        and (entry["year"] is None or h.year == entry["year"])
        for h in hits
    )


def test_every_planted_case_of_the_people_flags_is_found(demo):
    planted, hits = demo
    for code in PEOPLE_FLAGS:
        row = flag_precision(code=code, hits=hits[code], planted=planted)
        assert row.planted >= 3, code  # one of each variant: the same record, Kazakh letters, a Latin spelling
        assert row.planted_found == row.planted, row


def test_nothing_in_the_control_set_is_flagged(demo):
    planted, hits = demo
    control = planted["_control"]
    for code in PEOPLE_FLAGS:
        assert control.get(code), code  # every flag has its near misses
        assert [e for e in control[code] if _flagged(e, hits[code])] == [], code


def test_the_people_flags_fire_only_on_planted_cases(demo):
    """The ordinary demo records are clean by construction (docs/methodology.md's precision table)."""
    planted, hits = demo
    for code in PEOPLE_FLAGS:
        row = flag_precision(code=code, hits=hits[code], planted=planted)
        assert row.hits_planted == row.hits, row


def test_planted_ties_are_found_exactly_and_fuzzily(demo):
    _, hits = demo
    name_flags = [h for code in PEOPLE_FLAGS[:4] for h in hits[code]]
    letters = {h.values["name_letters_differ"] for h in name_flags}
    assert 0 in letters and 1 in letters
    # an exact tie between two different person records (a second source's spelling), not only one record
    people = [[r["key"] for r in h.records if r["type"] == "person"] for h in name_flags]
    assert any(
        len(set(keys)) >= 2 for keys, h in zip(people, name_flags, strict=True) if h.values["name_letters_differ"] == 0
    )


def test_every_organisation_has_one_head_on_the_demos_date(demo):
    from registry.models import Organisation

    heads = (
        Organisation.objects.annotate(
            heads=Count(
                "roles",
                filter=Q(roles__kind=OrganisationRole.Kind.HEAD)
                & (Q(roles__started_on__isnull=True) | Q(roles__started_on__lte=AS_OF))
                & (Q(roles__ended_on__isnull=True) | Q(roles__ended_on__gte=AS_OF)),
            )
        )
        .values_list("heads", flat=True)
        .distinct()
    )
    assert set(heads) == {1}


def test_people_are_written_in_kazakh_and_russian(demo):
    person = Person.objects.exclude(name_kk="").exclude(name_ru="").order_by("id").first()
    assert person.name_kk != person.name_ru
    assert set(person.name_kk) & set("әғқңөұүһі")
    assert person.name_key == person_name_key(person.name_ru)
    assert AdministratorOfficial.objects.exists() and CommissionMember.objects.exists()


def test_scores_are_within_their_maximum_and_by_voting_members(demo):
    assert CommissionScore.objects.exists()
    assert not CommissionScore.objects.filter(score__gt=10).exists()
    assert not CommissionScore.objects.filter(member__role=CommissionMember.Role.SECRETARY).exists()


def test_the_demos_names_never_match_one_another_by_chance():
    """Distinct names from the pools are beyond the fuzzy threshold of one another, in every word order."""
    book = NameBook(random.Random(3))
    keys = [person_name_key(book.new().ru) for _ in range(400)]
    assert len(set(keys)) == len(keys)
    assert all(key_edits(a, b) is None for i, a in enumerate(keys) for b in keys[i + 1 :])


def test_a_namesake_is_beyond_the_fuzzy_threshold_and_a_variant_within_it():
    book = NameBook(random.Random(5))
    name = book.new(latin_variant=True)
    key = person_name_key(name.ru)
    assert key_edits(key, person_name_key(book.namesake(name).ru)) is None
    assert key_edits(key, person_name_key(name.variant("kazakh")["name_kk"])) == 0
    assert key_edits(key, person_name_key(name.variant("latin")["name_en"])) == 1


class _Bounded(random.Random):
    """A random stream that gives up after `limit` draws (the pools' old rejection sampling, once they were used
    up, looped forever)."""

    def __init__(self, seed: int, limit: int):
        super().__init__(seed)
        self.left = limit

    def randrange(self, *args):
        self.left -= 1
        if self.left < 0:
            raise RuntimeError("the name pools are used up")
        return super().randrange(*args)


def _drawn_as_before(book: NameBook, seed: int, count: int) -> list[tuple]:
    """The first `count` names as NameBook.new drew them before double surnames: sex, then surname, first name
    and patronymic at random from the pools until the combination is new."""
    rng, used, drawn = random.Random(seed), set(), []
    for _ in range(count):
        female = rng.random() < 0.55
        surnames, firsts, roots = book.pools[female]
        while True:
            combo = (female, rng.randrange(len(surnames)), rng.randrange(len(firsts)), rng.randrange(len(roots)))
            if combo not in used:
                break
        used.add(combo)
        drawn.append(combo)
    return drawn


def test_names_outlast_the_pools_the_first_ones_drawn_as_before(monkeypatch):
    """Ten times the national size needs more names than the pools hold (248,496). Here pools of 48 names a sex
    and 300 names drawn: unique, never matching one another, and those drawn before a pool is 60% used exactly
    as the pools alone drew them."""
    monkeypatch.setattr(people, "SURNAME_ROOTS", people.SURNAME_ROOTS[:5])
    monkeypatch.setattr(people, "MALE_NAMES", people.MALE_NAMES[:2])
    monkeypatch.setattr(people, "FEMALE_NAMES", people.FEMALE_NAMES[:2])
    monkeypatch.setattr(people, "PATRONYMIC_ROOTS", people.PATRONYMIC_ROOTS[:2])
    book = NameBook(_Bounded(21, limit=100_000))
    assert {len(s) * len(f) * len(r) for s, f, r in book.pools.values()} == {48}
    names = [book.new() for _ in range(300)]
    keys = [person_name_key(name.ru) for name in names]
    assert len(set(keys)) == len(keys) == 300
    assert all(key_edits(a, b) is None for i, a in enumerate(keys) for b in keys[i + 1 :])
    # the draw as it was until the first pool reached its threshold (28 names of 48), then double surnames
    plain = next(i for i, name in enumerate(names) if "-" in name.words[0])
    assert plain >= min(book.extend_at(False), book.extend_at(True)) == 28
    assert names[:plain] == [book._name(*combo) for combo in _drawn_as_before(book, 21, plain)]


def test_a_double_surname_has_a_namesake_and_variants():
    book = NameBook(random.Random(8))
    book.drawn = {False: book.extend_at(False), True: book.extend_at(True)}  # as if the pools were 60% used
    for _ in range(20):
        name = book.new(latin_variant=True)
        assert "-" in name.words[0] and "-" in name.en
        key = person_name_key(name.ru)
        namesake = book.namesake(name)
        assert namesake.words[1:] == name.words[1:] and namesake.words[0] != name.words[0]
        assert key_edits(key, person_name_key(namesake.ru)) is None
        assert key_edits(key, person_name_key(name.variant("kazakh")["name_kk"])) == 0
        assert key_edits(key, person_name_key(name.variant("latin")["name_en"])) == 1


def test_names_at_the_national_size_stay_below_the_threshold():
    """A national-size demo draws about 60,000 names (the Person table of `seed_demo --orgs 22300` less its planted
    second records): well below 60% of either sex's pool, so its names are the ones the pools always gave."""
    book = NameBook(random.Random(2026))
    for _ in range(60_000):
        book.new()
    assert all(book.drawn[female] < book.extend_at(female) for female in (False, True))
