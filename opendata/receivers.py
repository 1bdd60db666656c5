"""Every announced change to published data makes the full downloads stale and schedules their regeneration."""

from __future__ import annotations

from funding.signals import award_changed, competition_changed
from opendata.exports import export_files_mark_stale
from opendata.tasks import exports_schedule
from registry.signals import organisation_changed, report_filed


def data_changed(sender, **kwargs) -> None:
    export_files_mark_stale()
    exports_schedule()


def connect() -> None:
    for signal in (organisation_changed, report_filed, award_changed, competition_changed):
        signal.connect(data_changed, dispatch_uid=f"opendata-{id(signal)}")
