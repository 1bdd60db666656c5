from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from registry.bin import bin_build, bin_check_digit, bin_decode, bin_problem, is_valid_bin, validate_bin

PUBLIC_VALID = [
    "950440001673",
    "990940003030",
    "000640002067",
    "940140000385",
    "950341000052",
    "961141000023",
    "070941024691",
    "990140004654",
]


def oracle_valid(value: str) -> bool:
    """DOMAIN §2.4 read literally, written independently of registry.bin."""
    if len(value) != 12 or not value.isdigit():
        return False
    if not 1 <= int(value[2:4]) <= 12 or value[4] not in "456" or value[5] not in "0123":
        return False
    d = [int(c) for c in value]
    check = sum(d[i] * (i + 1) for i in range(11)) % 11
    if check == 10:
        check = sum(d[i] * w for i, w in enumerate([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])) % 11
        if check == 10:
            return False
    return check == d[11]


@pytest.mark.parametrize("value", PUBLIC_VALID)
def test_public_example_bins_are_valid(value):
    assert bin_problem(value) is None
    assert oracle_valid(value)


@pytest.mark.parametrize("value", PUBLIC_VALID)
def test_every_single_digit_mutation_gets_the_verdict_the_rule_gives(value):
    rejected = accepted = 0
    for position in range(12):
        for digit in "0123456789":
            if digit == value[position]:
                continue
            mutated = value[:position] + digit + value[position + 1 :]
            assert is_valid_bin(mutated) == oracle_valid(mutated), mutated
            if is_valid_bin(mutated):
                accepted += 1

                # Only digit 11 (weight 11 = 0 mod 11) or a switch between the two weightings (either number's
                # first sum being 10) can hide a change.
                def first_sum(number: str) -> int:
                    return sum(int(number[i]) * (i + 1) for i in range(11)) % 11

                assert position == 10 or 10 in (first_sum(mutated), first_sum(value)), mutated
            else:
                rejected += 1
    assert rejected > 9 * 11 - 9  # all but (at most) the digit-11 blind spot and rare fall-backs


@pytest.mark.parametrize("value", PUBLIC_VALID)
def test_a_wrong_check_digit_names_the_right_one(value):
    wrong = str((int(value[11]) + 1) % 10)
    problem = bin_problem(value[:11] + wrong)
    assert problem.code == "bin_check_digit"
    assert f"check digit should be {value[11]}, not {wrong}" in problem.message % problem.params


@pytest.mark.parametrize(
    ("value", "code", "words"),
    [
        ("951340001673", "bin_month", "month 13 is not a month"),
        ("950040001673", "bin_month", "month 00 is not a month"),
        ("95044000167", "bin_length", "12 digits long; this one has 11"),
        ("9504400016731", "bin_length", "this one has 13"),
        ("95044000167A", "bin_not_digits", "character 12 is “A”"),
        ("950430001673", "bin_entity_type", "not 3"),
        ("950447001673", "bin_attribute", "not 7"),
    ],
)
def test_structural_errors_say_what_is_wrong(value, code, words):
    problem = bin_problem(value)
    assert problem.code == code
    assert words in problem.message % (problem.params or {})


def test_a_prefix_that_admits_no_check_digit_is_refused():
    for serial in range(100000):
        first = f"100140{serial:05d}"
        if bin_check_digit(first) is None:
            break
    else:
        pytest.fail("no such prefix in range")
    problem = bin_problem(first + "0")
    assert problem.code == "bin_no_check_digit"
    assert bin_build(year=2010, month=1, serial=serial) is None


def test_validator_raises_validation_error():
    with pytest.raises(ValidationError) as exc:
        validate_bin("950440001674")
    assert exc.value.code == "bin_check_digit"


def test_decode_reads_registration_month_type_and_attribute():
    head = bin_decode("950440001673", today=datetime.date(2026, 11, 22))
    assert head.registration_month == datetime.date(1995, 4, 1)
    assert head.entity_type == "4" and head.attribute == "0" and not head.is_branch
    branch = bin_decode("950341000052", today=datetime.date(2026, 11, 22))
    assert branch.attribute == "1" and branch.is_branch
    assert bin_decode("070941024691", today=datetime.date(2026, 11, 22)).registration_month == datetime.date(2007, 9, 1)


def test_two_digit_years_never_land_in_the_future():
    assert bin_decode("000640002067", today=datetime.date(2026, 1, 1)).registration_month.year == 2000
    built = bin_build(year=2027, month=1, serial=5)
    assert bin_decode(built, today=datetime.date(2026, 1, 1)).registration_month.year == 1927


def test_built_bins_are_valid():
    for serial in range(1, 300):
        value = bin_build(year=2015, month=7, serial=serial, attribute="1")
        if value is not None:
            assert oracle_valid(value)
