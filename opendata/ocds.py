"""The OCDS 1.1 release package: each state social order competition as one contracting process.

Streamed competition by competition with their lots, applications, awards and payments prefetched per chunk.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from funding.models import Application, Award, Competition, Lot, Mechanism
from opendata.jsonpack import local_timestamp, site_url, without_empty, write_json_package

LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json"
)
AWARD_STATUS = {"terminated": "cancelled"}
CONTRACT_STATUS = {
    "contracted": "active",
    "in_progress": "active",
    "completed": "terminated",
    "terminated": "terminated",
}


def _date_time(value: datetime.date) -> str:
    """An OCDS date-time for a calendar date: its midnight in Kazakhstan."""
    return f"{value.isoformat()}T00:00:00+05:00"


def ocid(competition: Competition) -> str:
    return f"{settings.QOGAM_OCID_PREFIX}-{competition.public_id}"


def _party(org, roles: list[str]) -> dict:
    """A party keyed by its org-id; the KZ-BIN identifier where it has a BIN."""
    party = {"id": org.org_id, "name": org.name, "roles": roles}
    if org.bin:
        party["identifier"] = {"scheme": "KZ-BIN", "id": org.bin, "legalName": org.name}
    return party


def _reference(org) -> dict:
    return {"id": org.org_id, "name": org.name}


def _value(amount: Decimal) -> dict:
    return {"amount": amount, "currency": "KZT"}


def release_ocds(competition: Competition, published: datetime.datetime) -> dict:
    """One social-order competition as one compiled OCDS release: tender, lots, awards, contracts, payments."""
    buyer = competition.administrator
    lots = list(competition.lots.all())
    applications = [a for lot in lots for a in lot.applications.all()]
    awards = list(competition.awards.all())
    tenderers = {a.applicant.pk: a.applicant for a in applications}
    for award in awards:
        tenderers.setdefault(award.recipient.pk, award.recipient)
    suppliers = {award.recipient.pk for award in awards}
    parties = [_party(buyer, ["buyer", "procuringEntity"])]
    for pk, org in tenderers.items():
        parties.append(_party(org, ["tenderer", "supplier"] if pk in suppliers else ["tenderer"]))
    reported = [lot.reported_applicants for lot in lots if lot.reported_applicants is not None]
    tender = without_empty(
        {
            "id": competition.public_id,
            "title": competition.title,
            "status": "complete" if competition.decided_on else "active",
            "procuringEntity": _reference(buyer),
            "value": _value(sum((lot.planned_amount for lot in lots), Decimal("0.00"))),
            "procurementMethod": "open",
            "procurementMethodDetails": "State social order competition (Law of the Republic of Kazakhstan on state "
            "social order, grants and awards for NGOs)",
            "mainProcurementCategory": "services",
            "tenderPeriod": without_empty(
                {
                    "startDate": _date_time(competition.announced_on),
                    "endDate": _date_time(competition.deadline_on) if competition.deadline_on else None,
                }
            ),
            "numberOfTenderers": max(len(tenderers), sum(reported)) if (tenderers or reported) else None,
            "tenderers": [_reference(org) for org in tenderers.values()],
            "lots": [
                without_empty(
                    {"id": str(lot.number), "title": lot.title, "value": _value(lot.planned_amount), "status": None}
                )
                for lot in lots
            ],
        }
    )
    release_awards, contracts, tags = [], [], ["tender"]
    for award in awards:
        release_awards.append(
            without_empty(
                {
                    "id": award.public_id,
                    "title": award.title,
                    "status": AWARD_STATUS.get(award.status, "active"),
                    "date": _date_time(award.awarded_on),
                    "value": _value(award.amount),
                    "suppliers": [_reference(award.recipient)],
                    "relatedLots": [str(award.lot.number)] if award.lot_id else [],
                }
            )
        )
        payments = list(award.payments.all())
        contracts.append(
            without_empty(
                {
                    "id": f"{award.public_id}-contract",
                    "awardID": award.public_id,
                    "title": award.title,
                    "status": CONTRACT_STATUS[award.status],
                    "value": _value(award.amount),
                    "dateSigned": _date_time(award.awarded_on),
                    "period": without_empty(
                        {
                            "startDate": _date_time(award.starts_on) if award.starts_on else None,
                            "endDate": _date_time(award.ends_on) if award.ends_on else None,
                        }
                    ),
                    "implementation": {
                        "transactions": [
                            {
                                "id": f"{award.public_id}-payment-{payment.pk}",
                                "date": _date_time(payment.paid_on),
                                "value": _value(payment.amount),
                                "payer": _reference(buyer),
                                "payee": _reference(award.recipient),
                            }
                            for payment in payments
                        ]
                    }
                    if payments
                    else None,
                }
            )
        )
    if awards:
        tags += ["award", "contract"]
    if any("implementation" in contract for contract in contracts):
        tags.append("implementation")
    return without_empty(
        {
            "ocid": ocid(competition),
            "id": f"{ocid(competition)}-{published.date().isoformat()}",
            "date": local_timestamp(published),
            "tag": tags,
            "initiationType": "tender",
            "language": "ru",
            "parties": parties,
            "buyer": _reference(buyer),
            "tender": tender,
            "awards": release_awards,
            "contracts": contracts,
        }
    )


def competitions_queryset():
    applications = Prefetch("applications", queryset=Application.objects.select_related("applicant").order_by("id"))
    lots = Lot.objects.order_by("number").prefetch_related(applications)
    awards = Award.objects.select_related("recipient", "lot").prefetch_related("payments").order_by("id")
    return (
        Competition.objects.filter(mechanism=Mechanism.SOCIAL_ORDER)
        .select_related("administrator")
        .prefetch_related(Prefetch("lots", queryset=lots), Prefetch("awards", queryset=awards))
        .order_by("id")
    )


def write_ocds(stream: IO[str]) -> int:
    published = timezone.now()
    head = {
        "uri": site_url("/exports/qogam-ocds.json"),
        "version": "1.1",
        "extensions": [LOTS_EXTENSION],
        "publishedDate": local_timestamp(published),
        "publisher": {"name": "Qogam", "uri": site_url()},
        "license": settings.QOGAM_DATA_LICENSE,
        "publicationPolicy": site_url("/exports/"),
    }
    releases = (
        release_ocds(competition, published) for competition in competitions_queryset().iterator(chunk_size=200)
    )
    return write_json_package(stream, head, "releases", releases)
