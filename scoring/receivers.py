"""Changes that make summaries stale: a report filed or corrected, an award recorded, a profile's segment
keys changed. Each marks the organisation-years in the database and schedules one debounced refresh."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save

from funding.models import Award
from registry.models import Organisation, YearlyReport


def _changed(organisation_id: int, years) -> None:
    from scoring.services import mark_stale
    from scoring.tasks import schedule_refresh

    mark_stale(organisation_id, years)
    transaction.on_commit(schedule_refresh)


def _report_saved(sender, instance: YearlyReport, **kwargs) -> None:
    _changed(instance.organisation_id, [instance.year])


def _award_saved(sender, instance: Award, **kwargs) -> None:
    _changed(instance.recipient_id, [instance.awarded_on.year])


def _organisation_saved(sender, instance: Organisation, created: bool, **kwargs) -> None:
    if created:
        return  # no report yet: nothing to recompute
    years = list(YearlyReport.objects.filter(organisation=instance).values_list("year", flat=True))
    if years:
        _changed(instance.pk, years)


post_save.connect(_report_saved, sender=YearlyReport, dispatch_uid="scoring-report")
post_save.connect(_award_saved, sender=Award, dispatch_uid="scoring-award")
post_save.connect(_organisation_saved, sender=Organisation, dispatch_uid="scoring-organisation")
