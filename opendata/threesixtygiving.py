"""The 360Giving 1.4 package: state social order, state grants and NGO awards, with their disbursements.

Streamed grant by grant (awards read in chunks with their payments prefetched per chunk), so memory stays
flat whatever the number of awards. docs/exports.md says where each field comes from.
"""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from django.conf import settings
from django.utils import timezone

from funding.models import STATE_MECHANISMS, Award
from opendata.jsonpack import local_timestamp, site_url, without_empty, write_json_package

CHUNK = 1000


FIELD_VOCABULARY = "qogam-field-of-activity"


def grant_360(award: Award) -> dict:
    """One award as a 360Giving 1.4 grant (docs/exports.md says where each field comes from)."""
    recipient, administrator = award.recipient, award.administrator
    payments = list(award.payments.all())
    programme = award.competition.programme if award.competition_id and award.competition.programme_id else None
    planned = without_empty(
        {
            "startDate": award.starts_on.isoformat() if award.starts_on else None,
            "endDate": award.ends_on.isoformat() if award.ends_on else None,
        }
    )
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
            "dateModified": local_timestamp(award.updated_at),
            "url": site_url(award.get_absolute_url()),
            "plannedDates": [planned] if planned.get("startDate") else [],
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
            "disbursementTransaction": [
                {
                    "id": f"{award.grant_id}-payment-{payment.pk}",
                    "transactionDate": payment.paid_on.isoformat(),
                    "value": payment.amount,
                    "currency": "KZT",
                }
                for payment in payments
            ],
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
        .prefetch_related("payments")
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
