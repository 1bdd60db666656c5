"""funding's part in the registry's merges (registry imports no funding)."""

from __future__ import annotations

from funding.models import Application, Award
from registry.services import merge_move
from registry.signals import organisation_merging


def _move_funding_to_survivor(sender, *, survivor, merged, moved: dict, **kwargs) -> None:
    """A merged duplicate's awards and applications belong to the survivor (listed for an undo)."""
    merge_move(moved, Award, "recipient", Award.objects.filter(recipient=merged), survivor)
    # One application per lot and organisation: where both applied to the same lot, the duplicate's stays.
    lots = Application.objects.filter(applicant=survivor).values_list("lot", flat=True)
    merge_move(
        moved, Application, "applicant", Application.objects.filter(applicant=merged).exclude(lot__in=lots), survivor
    )


def connect() -> None:
    organisation_merging.connect(_move_funding_to_survivor, dispatch_uid="funding-merge")
