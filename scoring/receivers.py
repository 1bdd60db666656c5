"""What makes scores and summaries stale, as the registry and funding announce it: a report filed or
corrected, an award recorded or changed, a profile's segment keys or contacts changed, a merge. Each marks
the organisation-years (and the segments it left or joined) stale and schedules one debounced refresh."""

from __future__ import annotations

from funding.models import Award
from funding.signals import award_changed, competition_changed
from registry.models import Organisation, OrganisationField, YearlyReport
from registry.signals import organisation_changed, report_filed
from scoring.services import summaries_mark_stale
from scoring.tasks import flags_refresh_schedule, summaries_refresh_schedule

# Changes that move an organisation between segments, or change the registered and active counts.
SEGMENT_KEYS = {"created", "region", "legal_form", "fields", "status", "registered_on", "merged_into", "merged_records"}


def _years(organisation_id: int) -> set[int]:
    """Every year the organisation is scored or funded in: its reports' and its awards' years."""
    years = set(YearlyReport.objects.filter(organisation_id=organisation_id).values_list("year", flat=True))
    years |= {d.year for d in Award.objects.filter(recipient_id=organisation_id).values_list("awarded_on", flat=True)}
    return years


def _segments(changes: dict[str, tuple]) -> set[str]:
    """The segments named by the old and new values of the changed keys ("all" for any of them)."""
    segments = {"all"} if SEGMENT_KEYS & set(changes) else set()
    for key in ("region", "legal_form"):
        segments |= {f"{key}:{value}" for value in changes.get(key, ()) if value}
    for codes in changes.get("fields", ()):
        segments |= {f"field:{code}" for code in codes or ()}
    return segments


def organisation_changed_received(sender, *, organisation_id: int, changes: dict, **kwargs) -> None:
    segments = _segments(changes)
    if segments:  # its counts move in the segments it left, and in every segment it is in now
        organisation = Organisation.objects.filter(pk=organisation_id).values("region", "legal_form").first() or {}
        segments |= {f"{key}:{organisation[key]}" for key in ("region", "legal_form") if organisation.get(key)}
        codes = OrganisationField.objects.filter(organisation_id=organisation_id).values_list("field", flat=True)
        segments |= {f"field:{code}" for code in codes}
    summaries_mark_stale(organisation_id=organisation_id, years=_years(organisation_id), segments=segments)
    summaries_refresh_schedule()
    flags_refresh_schedule()


def report_filed_received(sender, *, organisation_id: int, year: int, **kwargs) -> None:
    summaries_mark_stale(organisation_id=organisation_id, years=[year])
    summaries_refresh_schedule()
    flags_refresh_schedule()


def award_changed_received(sender, *, recipient_ids, years, **kwargs) -> None:
    for recipient in recipient_ids:
        summaries_mark_stale(organisation_id=recipient, years=years)
    summaries_refresh_schedule()
    flags_refresh_schedule()


def competition_changed_received(sender, **kwargs) -> None:
    flags_refresh_schedule()  # applicants and lots feed the flags, not the summaries


def connect() -> None:
    organisation_changed.connect(organisation_changed_received, dispatch_uid="scoring-organisation")
    report_filed.connect(report_filed_received, dispatch_uid="scoring-report")
    award_changed.connect(award_changed_received, dispatch_uid="scoring-award")
    competition_changed.connect(competition_changed_received, dispatch_uid="scoring-competition")
