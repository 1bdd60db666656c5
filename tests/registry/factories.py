"""Test data built through the services, the way users and imports create it."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth import get_user_model

from registry import services
from registry.bin import bin_build
from registry.models import FieldOfActivity, LegalForm, Organisation, Region

_serials = itertools.count(1)


def clerk():
    """The person test data is entered and imported as: a site administrator (every record, every format)."""
    user, _created = get_user_model().objects.get_or_create(username="records-clerk", defaults={"is_superuser": True})
    return user


def person(name: str, *, email: str | None = None, verified: bool = True, **extra):
    """A person's account, its e-mail address confirmed through the link we send (as every account that acts on
    records must have), unless `verified=False`."""
    user = get_user_model().objects.create_user(name, email or f"{name}@example.kz", "a long pass phrase 2026", **extra)
    return email_confirmed(user) if verified else user


def email_confirmed(user):
    """The account with its address confirmed, through the link we send."""
    services.email_confirm(confirmation=services.email_confirmation_send(user=user, link=lambda token: token))
    return user


def make_bin(registered_on: datetime.date = datetime.date(2010, 5, 1), attribute: str = "0") -> str:
    while True:
        value = bin_build(
            year=registered_on.year, month=registered_on.month, serial=next(_serials), attribute=attribute
        )
        if value:
            return value


def make_organisation(
    *,
    name_ru: str | None = None,
    name_kk: str | None = None,
    name_en: str | None = None,
    legal_form: str = "public_association",
    region: str = "KZ-71",
    fields: tuple[str, ...] = ("health",),
    registered_on: datetime.date = datetime.date(2010, 5, 1),
    bin: str | bool | None = True,
    **extra,
) -> Organisation:
    """bin=True mints a valid BIN for the registration month; bin=None makes a record without one."""
    n = next(_serials)
    if bin is True:
        bin = make_bin(registered_on, "1" if extra.get("parent") else "0")
    return services.organisation_create(
        legal_form=LegalForm.objects.get(code=legal_form),
        name_ru=name_ru if name_ru is not None else f"Общественное объединение «Тест {n}»",
        name_kk=name_kk if name_kk is not None else f"«Тест {n}» қоғамдық бірлестігі",
        name_en=name_en if name_en is not None else f"Public Association “Test {n}”",
        region=Region.objects.get(code=region) if region else None,
        registered_on=registered_on,
        bin=bin,
        fields=FieldOfActivity.objects.filter(code__in=fields),
        **extra,
    )
