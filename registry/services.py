"""Every write to the registry goes through here (HackSoft style): validated, atomic, consistent."""

from __future__ import annotations

import datetime
import hashlib
import random
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import (
    ChangeRecord,
    Document,
    FieldOfActivity,
    ImportJob,
    Invitation,
    LegalForm,
    Membership,
    Merge,
    Organisation,
    OrganisationName,
    OwnershipClaim,
    Region,
    StatusEvent,
    YearlyReport,
)
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


# ---------------------------------------------------------------- managers, claims and profile edits

PROFILE_FIELDS = ("address", "phone", "email", "website", "mission", "charter_activities")
# Identity changes only through a moderator (or an official import): they are what the state registered.
IDENTITY_FIELDS = ("name_kk", "name_ru", "name_en", "legal_form", "registered_on", "territorial_level", "region")
CLAIM_DOCUMENT_TYPES = {".pdf", ".png", ".jpg", ".jpeg", ".doc", ".docx", ".odt"}

MSG_CONFLICT = _(
    "Someone else saved this profile after you opened it, so nothing of yours was saved. Their changes are "
    "listed below; review them and save again."
)
MSG_ALREADY_MANAGER = _("you already manage this organisation.")
MSG_CLAIM_PENDING = _("you already have a claim waiting for a moderator.")
MSG_CLAIM_DECIDED = _("this claim was already decided.")
MSG_REJECTION_REASON = _("say why the claim is rejected; the person who claimed will read it.")
MSG_DOCUMENT_TYPE = _("the document must be a PDF, an image or an office document (%(types)s).")
MSG_DOCUMENT_SIZE = _("the document is %(size)s MB; the limit is %(limit)s MB.")
MSG_LAST_OWNER = _("an organisation keeps at least one owner; add another owner first.")
MSG_ALREADY_MEMBER = _("%(user)s already manages this organisation.")
MSG_NOT_A_FIELD = _("“%(field)s” can not be changed here.")
MSG_INVITATION_USED = _("this invitation has already been used.")
MSG_INVITATION_REVOKED = _("this invitation was withdrawn by the organisation; ask its owner for a new one.")
MSG_INVITATION_EXPIRED = _("this invitation has expired; ask the organisation's owner for a new one.")


class ProfileConflict(Exception):
    def __init__(self, changes: list[ChangeRecord], current_version: int):
        super().__init__(str(MSG_CONFLICT))
        self.changes = changes
        self.current_version = current_version


def validate_document(document, field: str = "document") -> None:
    if not document:
        return
    suffix = Path(document.name).suffix.lower()
    if suffix not in CLAIM_DOCUMENT_TYPES:
        raise ValidationError(
            {field: ValidationError(MSG_DOCUMENT_TYPE, params={"types": ", ".join(sorted(CLAIM_DOCUMENT_TYPES))})}
        )
    if document.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {
                field: ValidationError(
                    MSG_DOCUMENT_SIZE,
                    params={
                        "size": round(document.size / 1_048_576, 1),
                        "limit": settings.DOCUMENT_MAX_BYTES // 1_048_576,
                    },
                )
            }
        )


def _active_membership(user, organisation) -> Membership | None:
    return organisation.memberships.filter(user=user, ended_at__isnull=True).first()


@transaction.atomic
def claim_submit(*, user, organisation: Organisation, position: str, contact: str, document=None) -> OwnershipClaim:
    if _active_membership(user, organisation):
        raise ValidationError(MSG_ALREADY_MANAGER)
    if organisation.claims.filter(user=user, status=OwnershipClaim.Status.PENDING).exists():
        raise ValidationError(MSG_CLAIM_PENDING)
    validate_document(document)
    claim = OwnershipClaim(user=user, organisation=organisation, position=position, contact=contact)
    if document:
        claim.document = document
    return validated_save(claim)


@transaction.atomic
def claim_decide(*, claim: OwnershipClaim, moderator, approve: bool, reason: str = "") -> Membership | None:
    claim = OwnershipClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != OwnershipClaim.Status.PENDING:
        raise ValidationError(MSG_CLAIM_DECIDED)
    if not approve and not reason.strip():
        raise ValidationError({"decision_reason": MSG_REJECTION_REASON})
    claim.status = OwnershipClaim.Status.APPROVED if approve else OwnershipClaim.Status.REJECTED
    claim.decision_reason = reason.strip()
    claim.decided_by = moderator
    claim.decided_at = timezone.now()
    claim.save()
    if not approve or _active_membership(claim.user, claim.organisation):
        return None
    has_owner = claim.organisation.memberships.filter(ended_at__isnull=True, role=Membership.Role.OWNER).exists()
    return Membership.objects.create(
        user=claim.user,
        organisation=claim.organisation,
        granted_by=moderator,
        role=Membership.Role.EDITOR if has_owner else Membership.Role.OWNER,
    )


@transaction.atomic
def manager_add(*, organisation: Organisation, user, role: str, acting_user) -> Membership:
    if _active_membership(user, organisation):
        raise ValidationError({"email": ValidationError(MSG_ALREADY_MEMBER, params={"user": user.get_username()})})
    return validated_save(Membership(user=user, organisation=organisation, role=role, granted_by=acting_user))


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def manager_add_or_invite(
    *, organisation: Organisation, email: str, role: str, acting_user, link: Callable[[str], str]
) -> Membership | Invitation:
    """Add the person whose account has this e-mail; with no such account, e-mail them an invitation.

    `link(token)` makes the absolute URL of the invitation page. A new invitation to the same address
    withdraws the one still pending, so only the latest link works.
    """
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is not None:
        return manager_add(organisation=organisation, user=user, role=role, acting_user=acting_user)
    now = timezone.now()
    organisation.invitations.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = validated_save(
        Invitation(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=invitation_token_hash(token),
            invited_by=acting_user,
            expires_at=now + Invitation.VALID_FOR,
        )
    )
    inviter = acting_user.get_full_name() or acting_user.get_username()
    subject = _("Manage %(name)s on Qogam") % {"name": organisation.name}
    body = _(
        "%(inviter)s invites you to manage the record of %(name)s on Qogam, the registry of Kazakhstan's "
        "civil society organisations, as its %(role)s.\n\nAccept here (the link works once, until %(until)s):\n"
        "%(link)s\n\nIf you do not know this organisation, ignore this message."
    ) % {
        "inviter": inviter,
        "name": organisation.name,
        "role": invitation.get_role_display(),
        "until": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d"),
        "link": link(token),
    }
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return invitation


def invitation_revoke(*, invitation: Invitation, acting_user) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def invitation_problem(invitation: Invitation) -> str | None:
    """Why this invitation can no longer be accepted, in words; None while it can."""
    if invitation.accepted_at:
        return str(MSG_INVITATION_USED)
    if invitation.revoked_at:
        return str(MSG_INVITATION_REVOKED)
    if invitation.expires_at <= timezone.now():
        return str(MSG_INVITATION_EXPIRED)
    return None


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Make the signed-in person a manager. Used once: of two accepts at once, one wins."""
    if problem := invitation_problem(invitation):
        raise ValidationError(problem)
    now = timezone.now()
    won = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, accepted_by=user)
    if not won:
        raise ValidationError(MSG_INVITATION_USED)
    organisation = invitation.organisation
    if _active_membership(user, organisation):
        raise ValidationError(MSG_ALREADY_MEMBER, params={"user": user.get_username()})
    return validated_save(
        Membership(user=user, organisation=organisation, role=invitation.role, granted_by=invitation.invited_by)
    )


@transaction.atomic
def manager_remove(*, membership: Membership, acting_user) -> None:
    organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    owners = organisation.memberships.filter(ended_at__isnull=True, role=Membership.Role.OWNER)
    if membership.role == Membership.Role.OWNER and owners.count() <= 1:
        raise ValidationError(MSG_LAST_OWNER)
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])


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
    if new_fields != old_fields:
        current.fields.set(list(fields))
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
    ChangeRecord.objects.bulk_create(records)
    organisation.version = version
    return records


def _conflict(current: Organisation, expected_version: int) -> ProfileConflict:
    changes = list(current.changes.filter(version__gt=expected_version).select_related("user").order_by("changed_at"))
    return ProfileConflict(changes, current.version)


MSG_REPORT_YEAR_OPEN = _("the %(year)s report can be filed from 1 January %(next)s.")


@transaction.atomic
def report_submit(
    *,
    organisation: Organisation,
    year: int,
    acting_user,
    values: dict,
    financial_statements=None,
    submitted_on: datetime.date | None = None,
    source: str = ChangeRecord.Source.MANAGER,
) -> YearlyReport:
    """File a year's report, or correct a filed one (keeping its submission date and recording each change)."""
    today = timezone.localdate()
    if year >= today.year:
        raise ValidationError({"year": ValidationError(MSG_REPORT_YEAR_OPEN, params={"year": year, "next": year + 1})})
    validate_document(financial_statements, field="financial_statements")
    report = YearlyReport.objects.select_for_update().filter(organisation=organisation, year=year).first()
    before = {name: getattr(report, name) for name in values} if report else {}
    if report is None:
        report = YearlyReport(
            organisation=organisation, year=year, submitted_on=submitted_on or today, submitted_by=acting_user
        )
    for name, value in values.items():
        setattr(report, name, value)
    if financial_statements:
        report.financial_statements = financial_statements
    validated_save(report)
    if before:
        changed = [name for name in values if before[name] != getattr(report, name)]
        ChangeRecord.objects.bulk_create(
            ChangeRecord(
                organisation=organisation,
                user=acting_user,
                source=source,
                field=f"report {year}: {name}",
                old_value="" if before[name] is None else str(before[name]),
                new_value="" if getattr(report, name) is None else str(getattr(report, name)),
                version=organisation.version,
            )
            for name in changed
        )
    return report


MSG_HIDE_REASON = _("say why the document is hidden; the reason stays visible to everyone.")


@transaction.atomic
def document_upload(*, organisation: Organisation, kind: str, title: str, file, acting_user) -> Document:
    """Add a document; the current one of the same kind (if any) is kept as the version it replaces."""
    validate_document(file, field="file")
    Organisation.objects.select_for_update().get(pk=organisation.pk)  # one upload at a time per organisation
    current = (
        Document.objects.filter(organisation=organisation, kind=kind, replaced_by__isnull=True)
        .exclude(kind=Document.Kind.OTHER)  # "other" documents stand side by side
        .first()
    )
    return validated_save(
        Document(
            organisation=organisation, kind=kind, title=title, file=file, replaces=current, uploaded_by=acting_user
        )
    )


@transaction.atomic
def document_hide(*, document: Document, reason: str, moderator) -> Document:
    if not reason.strip():
        raise ValidationError({"reason": MSG_HIDE_REASON})
    document.hidden_reason = reason.strip()
    document.hidden_by = moderator
    document.hidden_at = timezone.now()
    document.save(update_fields=["hidden_reason", "hidden_by", "hidden_at"])
    return document


MSG_MERGE_SELF = _("an organisation can not be merged into itself.")
MSG_MERGE_ALREADY = _("%(name)s is already merged into another record.")
MSG_MERGE_REASON = _("say why these are the same organisation.")
MSG_MERGE_UNDONE = _("this merge was already undone.")


def merge_move(moved: dict, model, field: str, queryset, to: Organisation) -> None:
    """Point `field` of the queryset's rows at `to`, listing them in `moved` so that the merge can be undone."""
    ids = list(queryset.values_list("pk", flat=True))
    if ids:
        model.objects.filter(pk__in=ids).update(**{field: to})
        moved[model._meta.label_lower] = {"field": field, "ids": ids}


@transaction.atomic
def organisation_merge(*, survivor: Organisation, merged: Organisation, moderator, reason: str) -> Merge:
    """Merge a duplicate: its reports, documents, managers (and other apps' rows) move to the survivor, its
    identifiers redirect there; its own status history stays with it and shows on the survivor's profile."""
    from registry.signals import organisation_merging

    survivor = Organisation.objects.select_for_update().get(pk=survivor.pk)
    merged = Organisation.objects.select_for_update().get(pk=merged.pk)
    if survivor.pk == merged.pk:
        raise ValidationError({"duplicate": MSG_MERGE_SELF})
    for record in (survivor, merged):
        if record.merged_into_id:
            raise ValidationError({"duplicate": ValidationError(MSG_MERGE_ALREADY, params={"name": record.name})})
    if not reason.strip():
        raise ValidationError({"reason": MSG_MERGE_REASON})
    moved: dict = {}
    taken_years = survivor.reports.values_list("year", flat=True)
    merge_move(moved, YearlyReport, "organisation", merged.reports.exclude(year__in=taken_years), survivor)
    merge_move(moved, Document, "organisation", merged.documents.all(), survivor)
    managers = survivor.memberships.filter(ended_at__isnull=True).values_list("user", flat=True)
    merge_move(
        moved,
        Membership,
        "organisation",
        merged.memberships.filter(ended_at__isnull=True).exclude(user__in=managers),
        survivor,
    )
    organisation_merging.send(sender=Organisation, survivor=survivor, merged=merged, moved=moved)
    Organisation.objects.filter(pk=merged.pk).update(merged_into=survivor, updated_at=timezone.now())
    ChangeRecord.objects.create(
        organisation=survivor,
        user=moderator,
        source=ChangeRecord.Source.MODERATOR,
        field="merged record",
        new_value=merged.org_id,
        version=survivor.version,
    )
    return Merge.objects.create(
        survivor=survivor, merged=merged, reason=reason.strip(), moderator=moderator, moved=moved
    )


@transaction.atomic
def organisation_unmerge(*, merge: Merge, moderator) -> Merge:
    """Undo a merge exactly: every moved row goes back and the duplicate lives again under its own URL."""
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at:
        raise ValidationError(MSG_MERGE_UNDONE)
    for label, entry in merge.moved.items():
        apps.get_model(label).objects.filter(pk__in=entry["ids"]).update(**{entry["field"]: merge.merged})
    Organisation.objects.filter(pk=merge.merged_id).update(merged_into=None, updated_at=timezone.now())
    ChangeRecord.objects.create(
        organisation=merge.survivor,
        user=moderator,
        source=ChangeRecord.Source.MODERATOR,
        field="merged record",
        old_value=merge.merged.org_id,
        version=merge.survivor.version,
    )
    merge.undone_at = timezone.now()
    merge.undone_by = moderator
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge


# ---------------------------------------------------------------- bulk imports as jobs

MAX_STORED_PROBLEMS = 1000


def import_progress_key(job_id: int) -> str:
    return f"registry:import:{job_id}:progress"


def import_job_start(
    *, kind: str, file, acting_user, options: dict | None = None, confirms: ImportJob | None = None
) -> ImportJob:
    """Save the file and queue the run (a dry run unless it confirms one); the task starts after commit.

    The user must be allowed that format with those options (registry.imports.IMPORT_KINDS) now, also
    when confirming a dry run they or someone else started.
    """
    from registry.imports import IMPORT_KINDS, import_allowed
    from registry.tasks import import_run

    if kind not in IMPORT_KINDS:
        raise ValidationError({"kind": _("unknown format.")})
    options = dict(confirms.options if confirms is not None else options or {})
    if not import_allowed(acting_user, kind, options):
        raise PermissionDenied
    job = ImportJob.objects.create(
        kind=kind,
        options=options,
        file=file if confirms is None else confirms.file,
        dry_run=confirms is None,
        confirms=confirms,
        created_by=acting_user,
    )
    transaction.on_commit(lambda: import_run.delay(job.pk))
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued job. Idempotent: a job that already finished is left as it is."""
    from django.core.cache import cache
    from django.utils.module_loading import import_string

    from registry.imports import IMPORT_KINDS, run_import

    job = ImportJob.objects.get(pk=job_id)
    if job.status == ImportJob.Status.DONE:
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    importer = import_string(IMPORT_KINDS[job.kind].importer)(**job.options)
    with job.file.open("rb") as handle:
        data = handle.read()
    result = run_import(
        importer,
        data,
        job.file.name,
        acting_user=job.created_by,
        dry_run=job.dry_run,
        progress=lambda done, total: cache.set(import_progress_key(job.pk), (done, total), 3600),
    )
    job.status = ImportJob.Status.DONE
    job.rows, job.created, job.updated, job.unchanged = result.rows, result.created, result.updated, result.unchanged
    job.problems = [[p.row, p.column, p.message] for p in result.problems[:MAX_STORED_PROBLEMS]]
    job.problem_count = len(result.problems)
    job.finished_at = timezone.now()
    job.save()
    return job
