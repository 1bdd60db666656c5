"""The Kazakh business identification number (BIN, БИН/БСН): structure, check digit and what it encodes.

Layout (DOMAIN §2.4): YYMM of registration, entity-type digit, attribute digit, 5 serial digits, check digit.
Check digit: sum(d[i] * w[i]) mod 11 over the first 11 digits with w = 1..11; if that is 10, recompute with
w = 3..11,1,2; if still 10 the number is invalid, otherwise it must equal digit 12. python-stdnum's kz.bin
does not verify the check digit, hence our own.

Known blind spot of the algorithm itself: digit 11 carries weight 11 in the first sequence, so changing it
alone leaves the first sum unchanged mod 11 and the check digit still matches. Nothing downstream may
treat a valid check digit as proof that a BIN belongs to a given organisation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

ENTITY_TYPES = {
    "4": _("resident legal entity"),
    "5": _("non-resident legal entity"),
    "6": _("joint individual entrepreneurship"),
}
ATTRIBUTES = {
    "0": _("head office"),
    "1": _("branch"),
    "2": _("representative office"),
    "3": _("peasant (farm) enterprise"),
}

MSG_NOT_DIGITS = _("BIN must contain digits only; character %(position)s is “%(char)s”.")
MSG_LENGTH = _("BIN must be 12 digits long; this one has %(length)s.")
MSG_MONTH = _("digits 3-4 give the registration month, and month %(month)s is not a month.")
MSG_ENTITY_TYPE = _(
    "digit 5 is the entity type and must be 4 (resident), 5 (non-resident) or 6 (joint individual "
    "entrepreneurship), not %(digit)s."
)
MSG_ATTRIBUTE = _(
    "digit 6 is the attribute and must be 0 (head office), 1 (branch), 2 (representative office) or "
    "3 (peasant farm), not %(digit)s."
)
MSG_NO_CHECK_DIGIT = _("the first 11 digits admit no check digit (both weightings give 10), so no BIN starts so.")
MSG_CHECK_DIGIT = _("check digit should be %(expected)s, not %(actual)s.")


def bin_check_digit(first_eleven: str) -> int | None:
    """The check digit for the first 11 digits, or None when both weightings give 10."""
    digits = [int(c) for c in first_eleven]
    total = sum(d * w for d, w in zip(digits, WEIGHTS_FIRST, strict=True)) % 11
    if total == 10:
        total = sum(d * w for d, w in zip(digits, WEIGHTS_SECOND, strict=True)) % 11
        if total == 10:
            return None
    return total


def bin_problem(value: str) -> ValidationError | None:
    """The first thing wrong with `value` as a BIN, as a ValidationError, or None when it is valid."""
    for position, char in enumerate(value, start=1):
        if not ("0" <= char <= "9"):
            return ValidationError(MSG_NOT_DIGITS, code="bin_not_digits", params={"position": position, "char": char})
    if len(value) != 12:
        return ValidationError(MSG_LENGTH, code="bin_length", params={"length": len(value)})
    month = int(value[2:4])
    if not 1 <= month <= 12:
        return ValidationError(MSG_MONTH, code="bin_month", params={"month": value[2:4]})
    if value[4] not in ENTITY_TYPES:
        return ValidationError(MSG_ENTITY_TYPE, code="bin_entity_type", params={"digit": value[4]})
    if value[5] not in ATTRIBUTES:
        return ValidationError(MSG_ATTRIBUTE, code="bin_attribute", params={"digit": value[5]})
    expected = bin_check_digit(value[:11])
    if expected is None:
        return ValidationError(MSG_NO_CHECK_DIGIT, code="bin_no_check_digit")
    if expected != int(value[11]):
        return ValidationError(
            MSG_CHECK_DIGIT, code="bin_check_digit", params={"expected": expected, "actual": value[11]}
        )
    return None


def validate_bin(value: str) -> None:
    """Django field validator."""
    problem = bin_problem(value)
    if problem is not None:
        raise problem


def is_valid_bin(value: str) -> bool:
    return bin_problem(value) is None


def bin_registration_year(yy: int, today: datetime.date | None = None) -> int:
    """Two-digit years: the latest century that does not put the registration in the future."""
    today = today or datetime.date.today()  # noqa: DTZ011 - a calendar date, not an instant
    year = 2000 + yy
    return year if year <= today.year else year - 100


@dataclass(frozen=True)
class BinInfo:
    registration_month: datetime.date  # first day of the month encoded in digits 1-4
    entity_type: str
    entity_type_label: str
    attribute: str
    attribute_label: str
    serial: str
    check_digit: str

    @property
    def is_branch(self) -> bool:
        return self.attribute in {"1", "2"}


def bin_decode(value: str, today: datetime.date | None = None) -> BinInfo:
    """What a valid BIN says about its holder. Raises ValidationError for an invalid one."""
    validate_bin(value)
    year = bin_registration_year(int(value[:2]), today)
    return BinInfo(
        registration_month=datetime.date(year, int(value[2:4]), 1),
        entity_type=value[4],
        entity_type_label=str(ENTITY_TYPES[value[4]]),
        attribute=value[5],
        attribute_label=str(ATTRIBUTES[value[5]]),
        serial=value[6:11],
        check_digit=value[11],
    )


def bin_build(*, year: int, month: int, serial: int, entity_type: str = "4", attribute: str = "0") -> str | None:
    """A BIN with a correct check digit for these parts, or None when the parts admit none."""
    first = f"{year % 100:02d}{month:02d}{entity_type}{attribute}{serial:05d}"
    check = bin_check_digit(first)
    return None if check is None else f"{first}{check}"
