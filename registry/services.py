"""Every write to the registry goes through here (HackSoft style): validated, atomic, consistent."""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from registry.models import FieldOfActivity, LegalForm, Organisation, OrganisationName, Region, StatusEvent
from registry.search import search_text_for

LOCAL_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U to misread
LOCAL_ID_LENGTH = 8

MSG_AFTER_END = _("%(name)s was %(status)s on %(date)s; no later status event can be recorded.")
MSG_RESUME_NOT_SUSPENDED = _("only a suspended organisation can resume its activity.")
MSG_BEFORE_LAST_EVENT = _("the date is before the latest recorded event (%(date)s); record events in order.")
MSG_BEFORE_REGISTRATION = _("the date is before the registration date (%(date)s).")
MSG_SUSPENSION_NEEDS_END = _("a suspension needs its last day (a court suspends for 3 to 6 months).")
MSG_REGISTERED_TWICE = _("the organisation already has a registration event.")

TERMINAL_STATUSES = {Organisation.Status.LIQUIDATED, Organisation.Status.REORGANISED}


def validated_save(instance: Model) -> Model:
    """Run the model's rules and constraints (messages naming the field), then write."""
    instance.full_clean()
    instance.save()
    return instance


def new_local_id(rng: random.Random | None = None) -> str:
    if rng is None:
        return "".join(secrets.choice(LOCAL_ID_ALPHABET) for _ in range(LOCAL_ID_LENGTH))
    return "".join(rng.choice(LOCAL_ID_ALPHABET) for _ in range(LOCAL_ID_LENGTH))


def organisation_search_text(organisation: Organisation, other_names: Iterable[str] = ()) -> str:
    return search_text_for(
        [organisation.name_kk, organisation.name_ru, organisation.name_en, *other_names], organisation.bin
    )


@transaction.atomic
def organisation_create(
    *,
    legal_form: LegalForm,
    name_kk: str = "",
    name_ru: str = "",
    name_en: str = "",
    bin: str | None = None,
    region: Region | None = None,
    territorial_level: str = "",
    registered_on: datetime.date | None = None,
    address: str = "",
    phone: str = "",
    email: str = "",
    website: str = "",
    charter_activities: str = "",
    fields: Iterable[FieldOfActivity] = (),
    parent: Organisation | None = None,
    legal_basis: str = "",
) -> Organisation:
    organisation = Organisation(
        bin=bin or None,
        local_id=new_local_id(),
        name_kk=name_kk,
        name_ru=name_ru,
        name_en=name_en,
        legal_form=legal_form,
        region=region,
        territorial_level=territorial_level,
        registered_on=registered_on,
        address=address,
        phone=phone,
        email=email,
        website=website,
        charter_activities=charter_activities,
        parent=parent,
    )
    organisation.search_text = organisation_search_text(organisation)
    validated_save(organisation)
    organisation.fields.set(list(fields))
    if registered_on:
        StatusEvent.objects.create(
            organisation=organisation,
            kind=StatusEvent.Kind.REGISTERED,
            occurred_on=registered_on,
            legal_basis=legal_basis or "State registration (Ministry of Justice)",
        )
    return organisation


@transaction.atomic
def organisation_status_record(
    *,
    organisation: Organisation,
    kind: str,
    occurred_on: datetime.date,
    ends_on: datetime.date | None = None,
    legal_basis: str = "",
    note: str = "",
) -> StatusEvent:
    """Record a status change as a dated event and move the organisation's current status with it."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    last = organisation.status_events.order_by("-occurred_on", "-id").first()
    errors: dict[str, list[ValidationError]] = {}
    if organisation.status in TERMINAL_STATUSES and last is not None:
        errors.setdefault("kind", []).append(
            ValidationError(
                MSG_AFTER_END,
                params={
                    "name": organisation.name,
                    "status": organisation.get_status_display(),
                    "date": last.occurred_on,
                },
            )
        )
    if kind == StatusEvent.Kind.RESUMED and organisation.status != Organisation.Status.SUSPENDED:
        errors.setdefault("kind", []).append(ValidationError(MSG_RESUME_NOT_SUSPENDED))
    if kind == StatusEvent.Kind.REGISTERED and organisation.status_events.filter(kind=kind).exists():
        errors.setdefault("kind", []).append(ValidationError(MSG_REGISTERED_TWICE))
    if kind == StatusEvent.Kind.SUSPENDED and ends_on is None:
        errors.setdefault("ends_on", []).append(ValidationError(MSG_SUSPENSION_NEEDS_END))
    if last is not None and occurred_on < last.occurred_on:
        errors.setdefault("occurred_on", []).append(
            ValidationError(MSG_BEFORE_LAST_EVENT, params={"date": last.occurred_on})
        )
    if organisation.registered_on and occurred_on < organisation.registered_on:
        errors.setdefault("occurred_on", []).append(
            ValidationError(MSG_BEFORE_REGISTRATION, params={"date": organisation.registered_on})
        )
    if errors:
        raise ValidationError(errors)
    event = StatusEvent(
        organisation=organisation,
        kind=kind,
        occurred_on=occurred_on,
        ends_on=ends_on,
        legal_basis=legal_basis,
        note=note,
    )
    validated_save(event)
    organisation.status = event.resulting_status
    organisation.save(update_fields=["status", "updated_at"])
    return event


def organisation_status_refresh(*, organisation: Organisation) -> str:
    """Recompute the cached status from the events (after events were edited by hand in the admin)."""
    last = organisation.status_events.order_by("-occurred_on", "-id").first()
    status = last.resulting_status if last else Organisation.Status.ACTIVE
    if status != organisation.status:
        organisation.status = status
        organisation.save(update_fields=["status", "updated_at"])
    return status


@transaction.atomic
def organisation_name_add(
    *,
    organisation: Organisation,
    name: str,
    language: str,
    kind: str,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> OrganisationName:
    other = OrganisationName(
        organisation=organisation,
        name=name,
        language=language,
        kind=kind,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    validated_save(other)
    organisation_search_text_refresh(organisation=organisation)
    return other


def organisation_search_text_refresh(*, organisation: Organisation) -> None:
    names = organisation.other_names.values_list("name", flat=True)
    organisation.search_text = organisation_search_text(organisation, names)
    organisation.save(update_fields=["search_text", "updated_at"])
