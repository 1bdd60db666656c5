"""The registry's domain signals. Services announce them after commit (api.changes.announce); other apps
listen to them, never to post_save, which misses update(), .set() and bulk writes.

`changes` is {name: (old, new)} for what changed, in plain values: codes for the reference fields ("region",
"legal_form"), sorted lists of codes for "fields", the status code for "status", an org-id for
"merged_into". A new record announces ("created", (False, True)) with its keys as changes from None.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_migrate, post_save  # for LegalForm, Region, FieldOfActivity
from django.dispatch import Signal

from registry.cube import facet_cube_refresh
from registry.models import FieldOfActivity, LegalForm, Region
from registry.search import ensure_search_index
from registry.selectors import reference_data_clear

organisation_changed = Signal()  # organisation_id: int, changes: dict[str, tuple]
report_filed = Signal()  # organisation_id: int, year: int, created: bool, changes: dict[str, tuple]
document_changed = Signal()  # organisation_id: int, document_id: int, action: "uploaded" | "hidden"
managers_changed = Signal()  # organisation_id: int (memberships, invitations, claims)

# Sent inside organisation_merge's and organisation_unmerge's transaction (not after it), so that other apps
# move their own rows with the registry's, all or nothing, and list them in `moved`
# ({"app_label.model": {"field": name, "ids": [...]}}) for an undo. Arguments: survivor, merged, moved.
organisation_merging = Signal()


def _search_index_after_migrate(sender, using, **kwargs) -> None:
    ensure_search_index(using)


def _reference_changed(sender, **kwargs) -> None:
    """The code tables change only through migrations and the admin: forget this process's copy."""
    reference_data_clear()


def _facets_follow(sender, *, organisation_id: int, **kwargs) -> None:
    """The directory's count cube moves the organisation to the cells it belongs in now (registry/cube.py)."""
    facet_cube_refresh([organisation_id])


def connect(app_config) -> None:
    organisation_changed.connect(_facets_follow, dispatch_uid="registry-facets-organisation")
    report_filed.connect(_facets_follow, dispatch_uid="registry-facets-report")
    post_migrate.connect(_search_index_after_migrate, sender=app_config)
    for signal in (post_save, post_delete):  # the code tables LegalForm, Region, FieldOfActivity, edited in the admin
        signal.connect(_reference_changed, sender=LegalForm, dispatch_uid="reference-LegalForm")
        signal.connect(_reference_changed, sender=Region, dispatch_uid="reference-Region")
        signal.connect(_reference_changed, sender=FieldOfActivity, dispatch_uid="reference-FieldOfActivity")
