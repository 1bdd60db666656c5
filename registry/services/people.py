"""People in public roles (issue 17): finding a person by their names, and an organisation's head, founders and
board members over time.

Only names as published and the roles the law makes public are kept; never a personal identification number
(docs/privacy.md). A role change is recorded on the organisation's History tab like a profile field ("head:
A -> B"), moves the profile's version on, and is announced after commit (organisation_changed), so the people
flags are refreshed.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import ChangeRecord, Organisation, OrganisationRole, Person
from registry.search import person_name_key
from registry.services.common import validated_save
from registry.services.organisations import organisation_announce

MSG_PERSON_NAME = _("Give the person's name as published, in at least one language.")
MSG_NAMESAKES = _(
    "%(count)s people named “%(name)s” are already recorded; choose which one is meant, or say that this is "
    "another person of the same name."
)
MSG_ROLE_ENDED = _("This role already ended on %(date)s.")
MSG_END_BEFORE_START = _("A role can not end before it starts (%(date)s).")
MSG_HEAD_BEFORE_CURRENT = _("The current head took office on %(date)s; a new head can not start before that.")
MSG_HEAD_DATE = _("Give the date the new head took office: the current head's role ends the day before.")
MSG_ROLE_HELD = _("%(name)s has held this role here since %(date)s.")
MSG_ROLE_FIELD = _("“%(field)s” can not be corrected here.")

# What a correction may change; the person and the organisation are the role itself (end it and add another).
ROLE_CORRECTABLE = ("title", "started_on", "ended_on", "source", "source_note")


def person_name_key_of(*, name_kk: str = "", name_ru: str = "", name_en: str = "") -> str:
    """The matching key the Person row will carry (Person.save reads Russian, then Kazakh, then English)."""
    return person_name_key(name_ru or name_kk or name_en)


@transaction.atomic
def person_find_or_create(
    *,
    name_kk: str = "",
    name_ru: str = "",
    name_en: str = "",
    person: Person | None = None,
    namesake: bool = False,
    acting_user,
) -> Person:
    """The person these names denote: `person` when the caller chose one; else the one person whose matching key
    is the same ("Нұрлан Әлиев", "Нурлан Алиев" and "Aliev Nurlan" are one key); else a new person.

    Never merges silently: when several people share the key the caller must choose (ValidationError naming
    them), and `namesake` records another person of the same name. An existing person's names are not changed
    here: a correction of a name goes through the concerns workflow, since the person may hold other roles."""
    if person is not None:
        return person
    names = {"name_kk": name_kk.strip(), "name_ru": name_ru.strip(), "name_en": name_en.strip()}
    if not any(names.values()):
        raise ValidationError({"name_ru": MSG_PERSON_NAME})
    key = person_name_key_of(**names)
    if not namesake:
        found = list(Person.objects.filter(name_key=key).order_by("id")[:10])
        if len(found) == 1:
            return found[0]
        if found:
            raise ValidationError(
                {"name_ru": ValidationError(MSG_NAMESAKES, params={"count": len(found), "name": found[0].name})}
            )
    return validated_save(Person(**names))


def _current_names(organisation: Organisation, kind: str) -> str:
    """The people holding `kind` now (open roles), as the History tab shows them: names, sorted, "; "-joined."""
    roles = OrganisationRole.objects.filter(organisation=organisation, kind=kind, ended_on__isnull=True)
    return "; ".join(sorted({role.person.name for role in roles.select_related("person")}))


def _record_change(
    organisation: Organisation, *, field: str, old: str, new: str, acting_user, source: str, announced: dict
) -> None:
    """One History row, on a new profile version, and the announcement after commit."""
    if old == new:
        return
    Organisation.objects.filter(pk=organisation.pk).update(version=F("version") + 1, updated_at=timezone.now())
    version = Organisation.objects.filter(pk=organisation.pk).values_list("version", flat=True).get()
    organisation.version = version
    ChangeRecord.objects.create(
        organisation=organisation,
        user=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        source=source,
        field=field,
        old_value=old,
        new_value=new,
        version=version,
    )
    organisation_announce(organisation.pk, announced)


@transaction.atomic
def organisation_role_add(
    *,
    organisation: Organisation,
    person: Person,
    kind: str,
    source: str,
    started_on: datetime.date | None = None,
    ended_on: datetime.date | None = None,
    title: str = "",
    source_note: str = "",
    acting_user,
    change_source: str = ChangeRecord.Source.MANAGER,
) -> OrganisationRole:
    """A person's role in the organisation, dated, with its source. A new head ends the current head's role the
    day before the new one starts (an organisation has one head at a time); a role the person already holds
    open is refused rather than doubled."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    open_roles = OrganisationRole.objects.filter(organisation=organisation, kind=kind, ended_on__isnull=True)
    if ended_on is None:
        held = open_roles.filter(person=person).first()
        if held is not None:
            raise ValidationError(
                {"person": ValidationError(MSG_ROLE_HELD, params={"name": person.name, "date": held.started_on or "—"})}
            )
    before = _current_names(organisation, kind)
    if kind == OrganisationRole.Kind.HEAD and ended_on is None:
        for current in open_roles.exclude(person=person):
            if started_on is None:
                raise ValidationError({"started_on": MSG_HEAD_DATE})
            if current.started_on and started_on <= current.started_on:
                raise ValidationError(
                    {"started_on": ValidationError(MSG_HEAD_BEFORE_CURRENT, params={"date": current.started_on})}
                )
            current.ended_on = started_on - datetime.timedelta(days=1)
            validated_save(current)
    role = validated_save(
        OrganisationRole(
            organisation=organisation,
            person=person,
            kind=kind,
            title=title,
            started_on=started_on,
            ended_on=ended_on,
            source=source,
            source_note=source_note,
        )
    )
    after = _current_names(organisation, kind)
    if before == after:  # a past role: the current holders are the same; the History row names the role added
        before, after = "", role_text(role)
    _record_change(
        organisation,
        field=kind,
        old=before,
        new=after,
        acting_user=acting_user,
        source=change_source,
        announced={kind: (before, after), "people": (None, person.pk)},
    )
    return role


@transaction.atomic
def organisation_role_end(
    *,
    role: OrganisationRole,
    ended_on: datetime.date,
    acting_user,
    change_source: str = ChangeRecord.Source.MANAGER,
) -> OrganisationRole:
    """End an open role on `ended_on`; the role stays, dated, as the organisation's history."""
    role = OrganisationRole.objects.select_for_update().select_related("person", "organisation").get(pk=role.pk)
    if role.ended_on is not None:
        raise ValidationError({"ended_on": ValidationError(MSG_ROLE_ENDED, params={"date": role.ended_on})})
    if role.started_on and ended_on < role.started_on:
        raise ValidationError({"ended_on": ValidationError(MSG_END_BEFORE_START, params={"date": role.started_on})})
    before = _current_names(role.organisation, role.kind)
    role.ended_on = ended_on
    validated_save(role)
    after = _current_names(role.organisation, role.kind)
    _record_change(
        role.organisation,
        field=role.kind,
        old=before,
        new=after,
        acting_user=acting_user,
        source=change_source,
        announced={role.kind: (before, after), "people": (None, role.person_id)},
    )
    return role


@transaction.atomic
def organisation_role_correct(
    *,
    role: OrganisationRole,
    values: dict,
    acting_user,
    change_source: str = ChangeRecord.Source.MANAGER,
) -> OrganisationRole:
    """Correct a role's dates, title or source as entered. The History tab lists the role before and after
    ("head: Name, 2019-01-01 – -> Name, 2018-01-01 –")."""
    for name in values:
        if name not in ROLE_CORRECTABLE:
            raise ValidationError({name: ValidationError(MSG_ROLE_FIELD, params={"field": name})})
    role = OrganisationRole.objects.select_for_update().select_related("person", "organisation").get(pk=role.pk)
    before = {name: getattr(role, name) for name in values}
    old_text = role_text(role)
    for name, value in values.items():
        setattr(role, name, value)
    if all(before[name] == getattr(role, name) for name in values):
        return role
    validated_save(role)
    _record_change(
        role.organisation,
        field=role.kind,
        old=old_text,
        new=role_text(role),
        acting_user=acting_user,
        source=change_source,
        announced={role.kind: (None, role.person_id), "people": (None, role.person_id)},
    )
    return role


def role_text(role: OrganisationRole) -> str:
    """A role as the History tab keeps it: the name, the title as published, and the dates (ISO)."""
    name = f"{role.person.name} ({role.title})" if role.title else role.person.name
    started = role.started_on.isoformat() if role.started_on else "…"
    ended = role.ended_on.isoformat() if role.ended_on else ""
    return f"{name}, {started} – {ended}".rstrip()
