"""Writes to an organisation's record: creation, status events, other names, profile edits."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.changes import announce
from registry.models import (
    ChangeRecord,
    FieldOfActivity,
    LegalForm,
    Organisation,
    OrganisationField,
    OrganisationName,
    Region,
    StatusEvent,
)
from registry.rules import decides_about
from registry.search import search_text_for
from registry.services.common import new_local_id, validated_save
from registry.signals import organisation_changed

MSG_AFTER_END = _("%(name)s was %(status)s on %(date)s; no later status event can be recorded.")
MSG_RESUME_NOT_SUSPENDED = _("only a suspended organisation can resume its activity.")
MSG_BEFORE_LAST_EVENT = _("the date is before the latest recorded event (%(date)s); record events in order.")
MSG_BEFORE_REGISTRATION = _("the date is before the registration date (%(date)s).")
MSG_SUSPENSION_NEEDS_END = _("a suspension needs its last day (a court suspends for 3 to 6 months).")
MSG_REGISTERED_TWICE = _("the organisation already has a registration event.")
MSG_CONFLICT = _(
    "Someone else saved this profile after you opened it, so nothing of yours was saved. Their changes are "
    "listed below; review them and save again."
)
MSG_NOT_A_FIELD = _("“%(field)s” can not be changed here.")
MSG_FOUR_EYES_ORGANISATION = _("you manage this organisation: another moderator decides about it.")

TERMINAL_STATUSES = {Organisation.Status.LIQUIDATED, Organisation.Status.REORGANISED}
PROFILE_FIELDS = ("address", "phone", "email", "website", "mission", "charter_activities")
# Identity changes only through a moderator (or an official import): they are what the state registered.
IDENTITY_FIELDS = ("name_kk", "name_ru", "name_en", "legal_form", "registered_on", "territorial_level", "region")


def organisation_search_text(organisation: Organisation, other_names: Iterable[str] = ()) -> str:
    return search_text_for(
        [organisation.name_kk, organisation.name_ru, organisation.name_en, *other_names], organisation.bin
    )


def organisation_announce(organisation_id: int, changes: dict[str, tuple]) -> None:
    announce(organisation_changed, sender=Organisation, organisation_id=organisation_id, changes=changes)


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
    fields = list(fields)
    organisation.fields.set(fields)
    if registered_on:
        StatusEvent.objects.create(
            organisation=organisation,
            kind=StatusEvent.Kind.REGISTERED,
            occurred_on=registered_on,
            legal_basis=legal_basis or "State registration (Ministry of Justice)",
        )
    organisation_announce(
        organisation.pk,
        {
            "created": (False, True),
            "legal_form": (None, organisation.legal_form_id),
            "region": (None, organisation.region_id),
            "fields": ([], sorted(f.code for f in fields)),
            "status": (None, organisation.status),
            "registered_on": (None, registered_on),
        },
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
    moderator,
) -> StatusEvent:
    """Record a status change as a dated event and move the organisation's current status with it. Four eyes:
    not by a moderator who manages the organisation."""
    if not decides_about(moderator, organisation):
        raise PermissionDenied(MSG_FOUR_EYES_ORGANISATION)
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
    organisation_status_set(organisation=organisation, status=event.resulting_status)
    return event


def organisation_status_set(*, organisation: Organisation, status: str) -> None:
    """Write the cached current status (the latest event's outcome) and announce it when it moved."""
    old = organisation.status
    if status == old:
        return
    organisation.status = status
    organisation.save(update_fields=["status", "updated_at"])
    organisation_announce(organisation.pk, {"status": (old, status)})


@transaction.atomic
def organisation_status_refresh(*, organisation: Organisation) -> str:
    """Recompute the cached status from the events (after events were edited by hand in the admin)."""
    last = organisation.status_events.order_by("-occurred_on", "-id").first()
    status = last.resulting_status if last else Organisation.Status.ACTIVE
    organisation_status_set(organisation=organisation, status=status)
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
    organisation_announce(organisation.pk, {"other_names": (None, name)})
    return other


def organisation_search_text_refresh(*, organisation: Organisation) -> None:
    names = organisation.other_names.values_list("name", flat=True)
    organisation.search_text = organisation_search_text(organisation, names)
    organisation.save(update_fields=["search_text", "updated_at"])


def organisation_keys(organisation_id: int) -> dict:
    """What other apps group an organisation by: its region, legal form, fields, status, registration date."""
    row = Organisation.objects.filter(pk=organisation_id).values("region", "legal_form", "status", "registered_on")
    keys = dict(row.first() or {})
    keys["fields"] = sorted(
        OrganisationField.objects.filter(organisation_id=organisation_id).values_list("field", flat=True)
    )
    return keys


def organisation_admin_saved(*, organisation: Organisation, before: dict) -> None:
    """The Django admin wrote the record (and its inlines) directly: announce what it changed."""
    after = organisation_keys(organisation.pk)
    changes = {name: (before.get(name), value) for name, value in after.items() if before.get(name) != value}
    if not before:
        changes["created"] = (False, True)
    changes["admin"] = (None, True)  # contacts and names may have changed too
    organisation_announce(organisation.pk, changes)


class ProfileConflict(Exception):
    def __init__(self, changes: list[ChangeRecord], current_version: int):
        super().__init__(str(MSG_CONFLICT))
        self.changes = changes
        self.current_version = current_version


def _display(organisation: Organisation, field: str) -> str:
    value = getattr(organisation, field)
    if field in ("legal_form", "region"):
        return getattr(organisation, f"{field}_id") or ""
    return "" if value is None else str(value)


@transaction.atomic
def organisation_profile_update(
    *,
    organisation: Organisation,
    acting_user,
    expected_version: int,
    source: str,
    values: dict,
    fields: Iterable[FieldOfActivity] | None = None,
) -> list[ChangeRecord]:
    """Apply an edit made against `expected_version`, recording every changed field; refuse a stale one.

    The write is a conditional UPDATE on the version, so of two people saving the same version at once
    exactly one succeeds and the other gets ProfileConflict with the winner's changes; nothing is overwritten.
    """
    allowed = PROFILE_FIELDS + (IDENTITY_FIELDS if source != ChangeRecord.Source.MANAGER else ())
    for name in values:
        if name not in allowed:
            raise ValidationError({name: ValidationError(MSG_NOT_A_FIELD, params={"field": name})})
    current = Organisation.objects.select_related("legal_form").get(pk=organisation.pk)
    if current.version != expected_version:
        raise _conflict(current, expected_version)
    before = {name: _display(current, name) for name in values}
    for name, value in values.items():
        setattr(current, name, value)
    current.full_clean()
    changed = [name for name in values if _display(current, name) != before[name]]
    old_fields = sorted(current.fields.values_list("code", flat=True))
    new_fields = sorted(f.code for f in fields) if fields is not None else old_fields
    if not changed and new_fields == old_fields:
        return []
    version = expected_version + 1
    if any(name.startswith("name_") for name in changed):
        current.search_text = organisation_search_text(current, current.other_names.values_list("name", flat=True))
    updates = {name: getattr(current, name) for name in changed}
    won = Organisation.objects.filter(pk=current.pk, version=expected_version).update(
        version=version, updated_at=timezone.now(), search_text=current.search_text, **updates
    )
    if not won:  # another save landed between our read and our write
        raise _conflict(Organisation.objects.get(pk=current.pk), expected_version)
    records = [
        ChangeRecord(
            organisation=current,
            user=acting_user,
            source=source,
            field=name,
            old_value=before[name],
            new_value=_display(current, name),
            version=version,
        )
        for name in changed
    ]
    announced: dict[str, tuple] = {name: (before[name], _display(current, name)) for name in changed}
    if new_fields != old_fields:
        current.fields.set(list(fields or ()))
        records.append(
            ChangeRecord(
                organisation=current,
                user=acting_user,
                source=source,
                field="fields",
                old_value=";".join(old_fields),
                new_value=";".join(new_fields),
                version=version,
            )
        )
        announced["fields"] = (old_fields, new_fields)
    ChangeRecord.objects.bulk_create(records)
    organisation.version = version
    organisation_announce(current.pk, announced)
    return records


def _conflict(current: Organisation, expected_version: int) -> ProfileConflict:
    changes = list(current.changes.filter(version__gt=expected_version).select_related("user").order_by("changed_at"))
    return ProfileConflict(changes, current.version)
