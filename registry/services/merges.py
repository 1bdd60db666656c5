"""Merging a duplicate into the record that lives on, reversibly."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import ChangeRecord, Document, Membership, Merge, Organisation, OrganisationRole, YearlyReport
from registry.rules import decides_about
from registry.services.organisations import MSG_FOUR_EYES_ORGANISATION, organisation_announce
from registry.signals import organisation_merging

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
    survivor = Organisation.objects.select_for_update().get(pk=survivor.pk)
    merged = Organisation.objects.select_for_update().get(pk=merged.pk)
    if survivor.pk == merged.pk:
        raise ValidationError({"duplicate": MSG_MERGE_SELF})
    for record in (survivor, merged):
        if record.merged_into_id:
            raise ValidationError({"duplicate": ValidationError(MSG_MERGE_ALREADY, params={"name": record.name})})
    if not reason.strip():
        raise ValidationError({"reason": MSG_MERGE_REASON})
    if not (decides_about(moderator, survivor) and decides_about(moderator, merged)):
        raise PermissionDenied(MSG_FOUR_EYES_ORGANISATION)
    moved: dict = {}
    taken_years = survivor.reports.values_list("year", flat=True)
    merge_move(moved, YearlyReport, "organisation", merged.reports.exclude(year__in=taken_years), survivor)
    merge_move(moved, Document, "organisation", merged.documents.all(), survivor)
    merge_move(moved, OrganisationRole, "organisation", merged.roles.all(), survivor)  # its people (issue 17)
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
    organisation_announce(merged.pk, {"merged_into": (None, survivor.org_id)})
    organisation_announce(survivor.pk, {"merged_records": (None, merged.org_id)})
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
    if not (decides_about(moderator, merge.survivor) and decides_about(moderator, merge.merged)):
        raise PermissionDenied(MSG_FOUR_EYES_ORGANISATION)
    for label, entry in merge.moved.items():
        apps.get_model(label).objects.filter(pk__in=entry["ids"]).update(**{entry["field"]: merge.merged})
    Organisation.objects.filter(pk=merge.merged_id).update(merged_into=None, updated_at=timezone.now())
    organisation_announce(merge.merged_id, {"merged_into": (merge.survivor.org_id, None)})
    organisation_announce(merge.survivor_id, {"merged_records": (merge.merged.org_id, None)})
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
