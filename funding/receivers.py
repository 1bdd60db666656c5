"""funding's part in the registry's merges (registry imports no funding), and the explorer's rollup following
the change events (funding/rollups.py)."""

from __future__ import annotations

from funding.models import Application, Award
from funding.rollups import MOVES_FIGURES, funding_rollups_refresh
from funding.signals import award_changed
from registry.services import merge_move
from registry.signals import organisation_changed, organisation_merging


def _move_funding_to_survivor(sender, *, survivor, merged, moved: dict, **kwargs) -> None:
    """A merged duplicate's awards and applications belong to the survivor (listed for an undo)."""
    merge_move(moved, Award, "recipient", Award.objects.filter(recipient=merged), survivor)
    # One application per lot and organisation: where both applied to the same lot, the duplicate's stays.
    lots = Application.objects.filter(applicant=survivor).values_list("lot", flat=True)
    merge_move(
        moved, Application, "applicant", Application.objects.filter(applicant=merged).exclude(lot__in=lots), survivor
    )
    # In the merge's own transaction: the explorer's recipients change with the awards, all or nothing.
    funding_rollups_refresh([survivor.pk, merged.pk])


def _rollup_follows_award(sender, *, award_id: int, recipient_ids, changes: dict, **kwargs) -> None:
    if MOVES_FIGURES.intersection(changes):
        funding_rollups_refresh(recipient_ids, created_award_id=award_id if "created" in changes else None)


def _rollup_follows_merges(sender, *, organisation_id: int, changes: dict, **kwargs) -> None:
    """An undone merge moves the awards back without telling funding (registry.services.organisation_unmerge):
    its announcement of the records' merged_into and merged_records is the sign."""
    if "merged_into" in changes or "merged_records" in changes:
        funding_rollups_refresh([organisation_id])


def connect() -> None:
    organisation_merging.connect(_move_funding_to_survivor, dispatch_uid="funding-merge")
    award_changed.connect(_rollup_follows_award, dispatch_uid="funding-rollup-award")
    organisation_changed.connect(_rollup_follows_merges, dispatch_uid="funding-rollup-merges")
