"""The 360Giving 1.4 package: state social order, state grants and NGO awards, with their disbursements and
amendments.

360Giving has no amendment object, so an award's amendments go where the standard has room for them: a change of
amount as commitment transactions (the original commitment, then one per change, summing to `amountAwarded`, the
amount as amended), a change of dates in the planned dates' description, and every amendment, whatever it changed,
in the additional field `amendments` (the standard allows additional fields). `dateModified` is the grant's last
change: the award row, its status events, amendments and payments.

Streamed grant by grant (awards read in chunks with their payments and amendments prefetched per chunk), so memory
stays flat whatever the number of awards. docs/exports.md says where each field comes from.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from funding.models import STATE_MECHANISMS, Amendment, Award, AwardStatusEvent, Payment
from opendata.jsonpack import local_timestamp, site_url, without_empty, write_json_package

CHUNK = 1000


FIELD_VOCABULARY = "qogam-field-of-activity"
DATE_FIELDS = (Amendment.FieldName.STARTS_ON, Amendment.FieldName.ENDS_ON)


def last_change(award: Award) -> datetime.datetime:
    """When the grant's information last changed: the award row, its status events, amendments and payments."""
    return max(
        (
            award.updated_at,
            *(event.created_at for event in award.status_events.all()),
            *(amendment.created_at for amendment in award.amendments.all()),
            *(payment.created_at for payment in award.payments.all()),
        )
    )


def _amendments(award: Award, amendments: list[Amendment]) -> list[dict]:
    return [
        {
            "id": f"{award.grant_id}-amendment-{amendment.pk}",
            "date": amendment.amended_on.isoformat(),
            "field": amendment.field_name,
            "oldValue": amendment.old_value,
            "newValue": amendment.new_value,
            "rationale": amendment.reason,
        }
        for amendment in amendments
    ]


def _commitments(award: Award, amendments: list[Amendment]) -> list[dict]:
    """The original commitment and each change of amount, when the amount was amended (they sum to the amount
    as amended); nothing otherwise, `amountAwarded` saying it all."""
    changes = [a for a in amendments if a.field_name == Amendment.FieldName.AMOUNT]
    if not changes:
        return []
    transactions = [
        {
            "id": f"{award.grant_id}-commitment",
            "transactionDate": award.awarded_on.isoformat(),
            "value": award.amount_awarded,
            "currency": "KZT",
            "description": "Amount awarded",
        }
    ]
    for amendment in changes:
        transactions.append(
            {
                "id": f"{award.grant_id}-amendment-{amendment.pk}",
                "transactionDate": amendment.amended_on.isoformat(),
                "value": Decimal(amendment.new_value) - Decimal(amendment.old_value),
                "currency": "KZT",
                "description": f"Amendment: {amendment.old_value} -> {amendment.new_value} KZT. {amendment.reason}",
            }
        )
    return transactions


def _planned_dates(award: Award, amendments: list[Amendment]) -> list[dict]:
    if not award.starts_on:
        return []
    changes = [a for a in amendments if a.field_name in DATE_FIELDS]
    return [
        without_empty(
            {
                "startDate": award.starts_on.isoformat(),
                "endDate": award.ends_on.isoformat() if award.ends_on else None,
                "description": "; ".join(
                    f"{Amendment.FieldName(a.field_name).label} amended on {a.amended_on.isoformat()}: "
                    f"{a.old_value or '-'} -> {a.new_value} ({a.reason})"
                    for a in changes
                ),
                "dateModified": local_timestamp(max(a.created_at for a in changes)) if changes else None,
            }
        )
    ]


def grant_360(award: Award) -> dict:
    """One award as a 360Giving 1.4 grant (docs/exports.md says where each field comes from)."""
    recipient, administrator = award.recipient, award.administrator
    payments = list(award.payments.all())
    amendments = list(award.amendments.all())
    programme = award.competition.programme if award.competition_id and award.competition.programme_id else None
    region = recipient.region
    return without_empty(
        {
            "id": award.grant_id,
            "title": award.title,
            "description": award.description or award.title,
            "currency": "KZT",
            "amountAwarded": award.amount,
            "amountDisbursed": sum((p.amount for p in payments), Decimal("0.00")),
            "awardDate": award.awarded_on.isoformat(),
            "dateModified": local_timestamp(last_change(award)),
            "url": site_url(award.get_absolute_url()),
            "plannedDates": _planned_dates(award, amendments),
            "recipientOrganization": [
                without_empty(
                    {
                        "id": recipient.org_id,
                        "name": recipient.name,
                        "companyNumber": recipient.bin,
                        "streetAddress": recipient.address,
                        "addressRegion": region.name if region else None,
                        "addressCountry": "KZ",
                        "organisationType": recipient.legal_form.name,
                        "url": site_url(recipient.get_absolute_url()),
                    }
                )
            ],
            "fundingOrganization": [
                without_empty(
                    {
                        "id": administrator.org_id,
                        "name": administrator.name,
                        "department": administrator.parent.name if administrator.parent_id else None,
                        "url": site_url(administrator.get_absolute_url()),
                    }
                )
            ],
            "beneficiaryLocation": [
                {"name": award.region.name, "countryCode": "KZ", "geoCode": award.region_id, "geoCodeType": "ISO3166-2"}
            ]
            if award.region_id
            else [],
            "grantProgramme": [
                without_empty(
                    {
                        "code": f"{settings.QOGAM_PUBLISHER_PREFIX}-programme-{programme.pk}"
                        if programme
                        else f"{settings.QOGAM_PUBLISHER_PREFIX}-{award.mechanism}",
                        "title": programme.title if programme else str(award.get_mechanism_display()),
                    }
                )
            ],
            "classifications": [{"vocabulary": FIELD_VOCABULARY, "code": award.field_id, "title": award.field.name}]
            if award.field_id
            else [],
            "fromOpenCall": "Yes" if award.competition_id else "No",
            "commitmentTransaction": _commitments(award, amendments),
            "disbursementTransaction": [
                {
                    "id": f"{award.grant_id}-payment-{payment.pk}",
                    "transactionDate": payment.paid_on.isoformat(),
                    "value": payment.amount,
                    "currency": "KZT",
                }
                for payment in payments
            ],
            "amendments": _amendments(award, amendments),
        }
    )


def grants_queryset():
    return (
        Award.objects.filter(mechanism__in=STATE_MECHANISMS)
        .select_related(
            "recipient__legal_form",
            "recipient__region",
            "administrator__parent",
            "competition__programme",
            "field",
            "region",
        )
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.order_by("paid_on", "id")),
            Prefetch("amendments", queryset=Amendment.objects.order_by("amended_on", "id")),
            Prefetch("status_events", queryset=AwardStatusEvent.objects.order_by("occurred_on", "id")),
        )
        .order_by("id")
    )


def write_360giving(stream: IO[str]) -> int:
    now = timezone.now()
    head = {
        "version": "1.4",
        "title": "Qogam: state money to Kazakhstan's NGOs",
        "description": "State social order, state grants and NGO awards, with their disbursements.",
        "issued": now.date().isoformat(),
        "modified": local_timestamp(now),
        "identifier": f"{settings.QOGAM_PUBLISHER_PREFIX}-360giving",
        "publisher": {"name": "Qogam", "website": site_url()},
        "license": settings.QOGAM_DATA_LICENSE,
    }
    grants = (grant_360(award) for award in grants_queryset().iterator(chunk_size=CHUNK))
    return write_json_package(stream, head, "grants", grants)
