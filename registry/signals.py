from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import Signal, receiver

from registry.models import FieldOfActivity, LegalForm, Organisation, Region, StatusEvent, YearlyReport
from registry.search import ensure_search_index
from registry.selectors import reference_data_clear

# Sent by seed_demo inside its transaction once the demo registry is written, so that other apps can add
# their demo data without the registry importing them. Arguments: seed, organisations (the count).
demo_registry_loaded = Signal()

# Sent inside organisation_merge's transaction, so that other apps move their own rows to the survivor and
# list them in `moved` ({"app_label.model": {"field": name, "ids": [...]}}) for an undo.
# Arguments: survivor, merged, moved.
organisation_merging = Signal()


def _search_index_after_migrate(sender, using, **kwargs) -> None:
    ensure_search_index(using)


@receiver([post_save, post_delete], sender=LegalForm)
@receiver([post_save, post_delete], sender=Region)
@receiver([post_save, post_delete], sender=FieldOfActivity)
def _reference_changed(sender, **kwargs) -> None:
    reference_data_clear()


def schedule_exports(sender, **kwargs) -> None:
    """Any change to published data: regenerate the downloads a while later (debounced, after commit)."""
    from registry.tasks import exports_schedule

    transaction.on_commit(exports_schedule)


for _model in (Organisation, StatusEvent, YearlyReport):
    post_save.connect(schedule_exports, sender=_model, dispatch_uid=f"exports-{_model.__name__}")


def connect(app_config) -> None:
    post_migrate.connect(_search_index_after_migrate, sender=app_config)
