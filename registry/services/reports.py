"""Filing and correcting the yearly report to the NGO database."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from api.changes import announce
from registry.models import ChangeRecord, Organisation, YearlyReport
from registry.services.common import validated_save
from registry.services.documents import validate_document
from registry.signals import report_filed


def _text(value) -> str:
    return "" if value is None else str(value)


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
    """File a year's report, or correct a filed one (keeping its submission date and recording each change).

    Which years can be filed is the model's rule (registry.models.reports.report_year_problems)."""
    validate_document(financial_statements, field="financial_statements")
    report = YearlyReport.objects.select_for_update().filter(organisation=organisation, year=year).first()
    created = report is None
    before = {name: getattr(report, name) for name in values} if report else {}
    if report is None:
        report = YearlyReport(
            organisation=organisation,
            year=year,
            submitted_on=submitted_on or timezone.localdate(),
            submitted_by=acting_user,
        )
    for name, value in values.items():
        setattr(report, name, value)
    if financial_statements:
        report.financial_statements = financial_statements
    validated_save(report)
    changed = [name for name in values if before.get(name) != getattr(report, name)] if before else list(values)
    if not created:
        ChangeRecord.objects.bulk_create(
            ChangeRecord(
                organisation=organisation,
                user=acting_user,
                source=source,
                field=f"report {year}: {name}",
                old_value=_text(before[name]),
                new_value=_text(getattr(report, name)),
                version=organisation.version,
            )
            for name in changed
        )
    announce(
        report_filed,
        sender=YearlyReport,
        organisation_id=organisation.pk,
        year=year,
        created=created,
        changes={name: (before.get(name), getattr(report, name)) for name in changed},
    )
    return report
