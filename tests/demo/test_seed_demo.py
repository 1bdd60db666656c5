from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from registry import demo
from registry.bin import is_valid_bin
from registry.models import DemoDataset, Organisation, OrganisationField, StatusEvent
from registry.services import new_local_id


def spec_tuples(specs):
    return [
        (
            s.local_id,
            s.bin,
            s.name_kk,
            s.name_ru,
            s.name_en,
            s.legal_form,
            s.region,
            s.registered_on,
            tuple(s.fields),
            s.parent_index,
            tuple(s.events),
            tuple(s.former_names),
            s.phone,
        )
        for s in specs
    ]


def test_same_seed_same_data_other_seed_other_data():
    assert spec_tuples(demo.generate(500, 7, new_local_id)) == spec_tuples(demo.generate(500, 7, new_local_id))
    assert spec_tuples(demo.generate(500, 7, new_local_id)) != spec_tuples(demo.generate(500, 8, new_local_id))


@pytest.fixture(scope="module")
def population():
    return demo.generate(6000, 2026, new_local_id)


def test_calibrated_to_the_published_shares(population):
    registered = [s for s in population if s.events[-1][0] not in {"liquidated", "reorganised"}]
    active = [s for s in registered if s.events[-1][0] in {"registered", "resumed", "found_active"}]
    assert 0.70 < len(active) / len(registered) < 0.77  # 73.5% (DOMAIN §2.3)
    assert 0.05 < sum(s.bin is None for s in population) / len(population) < 0.10  # 1,742 of 23,335
    capitals = sum(s.region in {"KZ-71", "KZ-75"} for s in population) / len(population)
    assert 0.30 < capitals < 0.37  # about a third
    forms = Counter(s.legal_form for s in population)
    assert [f for f, _ in forms.most_common(3)] == ["public_association", "private_institution", "foundation"]
    primary = Counter(s.fields[0] for s in population)
    assert primary.most_common(1)[0][0] in {"environment", "children_youth"}
    assert 0.12 < primary["environment"] / len(population) < 0.18


def test_every_bin_is_valid_unique_and_fictional(population):
    bins = [s.bin for s in population if s.bin]
    assert all(is_valid_bin(b) for b in bins)
    assert len(bins) == len(set(bins))
    assert not set(bins) & demo.PUBLIC_EXAMPLE_BINS


def test_bins_encode_the_registration_month_and_branches(population):
    for s in population:
        if s.bin:
            assert s.bin[:4] == s.registered_on.strftime("%y%m")
            assert s.bin[5] == ("1" if s.parent_index is not None else "0")


def test_branches_carry_their_parents_activities_and_a_grammatical_name(population):
    branches = [s for s in population if s.parent_index is not None]
    assert branches
    for branch in branches:
        parent = population[branch.parent_index]
        assert branch.fields == parent.fields and branch.charter_activities == parent.charter_activities
        assert branch.name_ru.startswith(("Филиал общественного объединения «", "Филиал общественного фонда «"))


def test_irregular_cases_are_planted(population):
    phones = Counter(s.phone for s in population)
    assert any(n >= 2 for n in phones.values())  # shared contacts
    assert any(s.legal_form in {"religious_association", "political_party", "trade_union"} for s in population)
    assert any(s.events[-1][0] == "suspended" for s in population)


@pytest.mark.django_db
def test_command_loads_exactly_the_generated_registry_and_marks_it_demo(anonymous):
    call_command("seed_demo", orgs=400, seed=11, verbosity=0)
    specs = demo.generate(400, 11, new_local_id)
    assert Organisation.objects.count() == 400
    assert set(Organisation.objects.values_list("local_id", flat=True)) == {s.local_id for s in specs}
    assert OrganisationField.objects.count() == sum(len(s.fields) for s in specs)
    assert StatusEvent.objects.count() == sum(len(s.events) for s in specs)
    branch = next(s for s in specs if s.parent_index is not None)
    parent = specs[branch.parent_index]
    assert Organisation.objects.get(local_id=branch.local_id).parent.local_id == parent.local_id
    assert DemoDataset.objects.get().seed == 11
    assert "Demo data." in anonymous.get(reverse("registry:home")).content.decode()


@pytest.mark.django_db
def test_command_refuses_a_filled_registry_unless_told_to_skip():
    call_command("seed_demo", orgs=50, seed=1, verbosity=0)
    with pytest.raises(CommandError, match="already holds 50 organisations"):
        call_command("seed_demo", orgs=50, seed=2, verbosity=0)
    call_command("seed_demo", orgs=50, seed=2, if_empty=True, verbosity=0)
    assert Organisation.objects.count() == 50


@pytest.mark.django_db
def test_no_demo_notice_for_real_data(anonymous):
    assert "Demo data." not in anonymous.get(reverse("registry:home")).content.decode()
