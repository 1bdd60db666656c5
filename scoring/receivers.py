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

# Changes to whether and since when an organisation counts as registered or active: every segment it is in.
COUNTED = {"created", "status", "registered_on", "merged_into", "merged_records", "admin"}


def _years(organisation_id: int) -> set[int]:
    """Every year the organisation is scored or funded in: its reports' and its awards' years."""
    years = set(YearlyReport.objects.filter(organisation_id=organisation_id).values_list("year", flat=True))
    years |= {d.year for d in Award.objects.filter(recipient_id=organisation_id).values_list("awarded_on", flat=True)}
    return years


def _current_segments(organisation_id: int) -> set[str]:
    organisation = Organisation.objects.filter(pk=organisation_id).values("region", "legal_form").first() or {}
    segments = {"all"} | {f"{key}:{organisation[key]}" for key in ("region", "legal_form") if organisation.get(key)}
    codes = OrganisationField.objects.filter(organisation_id=organisation_id).values_list("field", flat=True)
    return segments | {f"field:{code}" for code in codes}


def _segments(organisation_id: int, changes: dict[str, tuple]) -> set[str]:
    """The segments whose counts the change moves: those named by the old and new values of a changed region,
    legal form or fields; and every segment the organisation is in when it is added, merged, or changes status
    or registration date."""
    segments: set[str] = set()
    for key in ("region", "legal_form"):
        segments |= {f"{key}:{value}" for value in changes.get(key, ()) if value}
    if "fields" in changes:  # the fields it left or joined; the others it is in keep their counts
        old, new = (set(codes or ()) for codes in changes["fields"])
        segments |= {f"field:{code}" for code in old ^ new}
    if COUNTED & set(changes):
        segments |= _current_segments(organisation_id)
    return segments


def organisation_changed_received(sender, *, organisation_id: int, changes: dict, **kwargs) -> None:
    summaries_mark_stale(
        organisation_id=organisation_id, years=_years(organisation_id), segments=_segments(organisation_id, changes)
    )
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
