"""Funding's full downloads: awards as CSV, 360Giving JSON and an OCDS 1.1 release package.

Both JSON files are streamed record by record (awards or competitions read in chunks with their payments
prefetched per chunk), so memory stays flat whatever the number of awards. Amounts are exact: Decimal
values are written as JSON number literals, never through float.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy

from funding.models import STATE_MECHANISMS, Application, Award, Competition, Lot, Mechanism
from funding.selectors import award_rows
from registry.exports import ExportKind, register_export_kind, write_csv

CHUNK = 1000
AWARD_COLUMNS = [
    "award_id",
    "grant_id_360",
    "mechanism",
    "mechanism_label",
    "administrator",
    "administrator_label",
    "recipient_org_id",
    "recipient_label",
    "title",
    "field",
    "field_label",
    "region",
    "region_label",
    "amount_kzt",
    "amount_awarded_kzt",
    "currency",
    "amount_original",
    "awarded_on",
    "starts_on",
    "ends_on",
    "status",
    "status_label",
    "url",
]


def award_csv_rows(queryset, base_url: str):
    """The explorer's download and the full export share these rows, newest award first."""
    base = base_url.rstrip("/")
    for award in award_rows(queryset.order_by("-awarded_on", "-id")).iterator(chunk_size=CHUNK):
        yield [
            award.public_id,
            award.grant_id,
            award.mechanism,
            award.get_mechanism_display(),
            award.administrator.code,
            award.administrator.name,
            award.recipient.org_id,
            award.recipient.name,
            award.title,
            award.field_id,
            award.field.name if award.field else "",
            award.region_id,
            award.region.name if award.region else "",
            award.amount,
            award.amount_awarded,
            award.currency,
            award.amount_original,
            award.awarded_on,
            award.starts_on,
            award.ends_on,
            award.status,
            award.get_status_display(),
            base + award.get_absolute_url(),
        ]


# ---------------------------------------------------------------- exact JSON

_DECIMAL = "\x00decimal:"
_DECIMAL_TEXT = re.compile(r'"\\u0000decimal:(-?[0-9]+(?:\.[0-9]+)?)"')


def _default(value):
    if isinstance(value, Decimal):
        return f"{_DECIMAL}{value}"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_text(value) -> str:
    """JSON with Decimal amounts as exact number literals (json would need float, which rounds)."""
    return _DECIMAL_TEXT.sub(r"\1", json.dumps(value, ensure_ascii=False, default=_default))


def write_json_package(stream: IO[str], head: dict, key: str, records) -> int:
    """`head` with `key` as an array of `records`, written one record at a time."""
    opening = json_text({**head, key: []})
    assert opening.endswith("[]}")  # noqa: S101 - the array is written last, in place of the empty one
    stream.write(opening[:-2])
    count = 0
    for record in records:
        stream.write(",\n" if count else "\n")
        stream.write(json_text(record))
        count += 1
    stream.write("\n]}\n")
    return count


def _site(path: str = "/") -> str:
    return settings.QOGAM_SITE_URL.rstrip("/") + path


def _timestamp(value: datetime.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _date_time(value: datetime.date) -> str:
    """An OCDS date-time for a calendar date: its midnight in Kazakhstan."""
    return f"{value.isoformat()}T00:00:00+05:00"


def _without_empty(record: dict) -> dict:
    return {key: value for key, value in record.items() if value not in (None, "", [], {})}


# ---------------------------------------------------------------- 360Giving

FIELD_VOCABULARY = "qogam-field-of-activity"


def grant_360(award: Award) -> dict:
    """One award as a 360Giving 1.4 grant (docs/exports.md says where each field comes from)."""
    recipient, administrator = award.recipient, award.administrator
    payments = list(award.payments.all())
    programme = award.competition.programme if award.competition_id and award.competition.programme_id else None
    planned = _without_empty(
        {
            "startDate": award.starts_on.isoformat() if award.starts_on else None,
            "endDate": award.ends_on.isoformat() if award.ends_on else None,
        }
    )
    region = recipient.region
    return _without_empty(
        {
            "id": award.grant_id,
            "title": award.title,
            "description": award.description or award.title,
            "currency": "KZT",
            "amountAwarded": award.amount,
            "amountDisbursed": sum((p.amount for p in payments), Decimal("0.00")),
            "awardDate": award.awarded_on.isoformat(),
            "dateModified": _timestamp(award.updated_at),
            "url": _site(award.get_absolute_url()),
            "plannedDates": [planned] if planned.get("startDate") else [],
            "recipientOrganization": [
                _without_empty(
                    {
                        "id": recipient.org_id,
                        "name": recipient.name,
                        "companyNumber": recipient.bin,
                        "streetAddress": recipient.address,
                        "addressRegion": region.name if region else None,
                        "addressCountry": "KZ",
                        "organisationType": recipient.legal_form.name,
                        "url": _site(recipient.get_absolute_url()),
                    }
                )
            ],
            "fundingOrganization": [
                _without_empty(
                    {
                        "id": administrator.org_id,
                        "name": administrator.name,
                        "department": administrator.parent.name if administrator.parent_id else None,
                        "url": _site(administrator.get_absolute_url()),
                    }
                )
            ],
            "beneficiaryLocation": [
                {"name": award.region.name, "countryCode": "KZ", "geoCode": award.region_id, "geoCodeType": "ISO3166-2"}
            ]
            if award.region_id
            else [],
            "grantProgramme": [
                _without_empty(
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
        "modified": _timestamp(now),
        "identifier": f"{settings.QOGAM_PUBLISHER_PREFIX}-360giving",
        "publisher": {"name": "Qogam", "website": _site()},
        "license": settings.QOGAM_DATA_LICENSE,
    }
    grants = (grant_360(award) for award in grants_queryset().iterator(chunk_size=CHUNK))
    return write_json_package(stream, head, "grants", grants)


# ---------------------------------------------------------------- OCDS 1.1

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
    tender = _without_empty(
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
            "tenderPeriod": _without_empty(
                {
                    "startDate": _date_time(competition.announced_on),
                    "endDate": _date_time(competition.deadline_on) if competition.deadline_on else None,
                }
            ),
            "numberOfTenderers": max(len(tenderers), sum(reported)) if (tenderers or reported) else None,
            "tenderers": [_reference(org) for org in tenderers.values()],
            "lots": [
                _without_empty(
                    {"id": str(lot.number), "title": lot.title, "value": _value(lot.planned_amount), "status": None}
                )
                for lot in lots
            ],
        }
    )
    release_awards, contracts, tags = [], [], ["tender"]
    for award in awards:
        release_awards.append(
            _without_empty(
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
            _without_empty(
                {
                    "id": f"{award.public_id}-contract",
                    "awardID": award.public_id,
                    "title": award.title,
                    "status": CONTRACT_STATUS[award.status],
                    "value": _value(award.amount),
                    "dateSigned": _date_time(award.awarded_on),
                    "period": _without_empty(
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
    return _without_empty(
        {
            "ocid": ocid(competition),
            "id": f"{ocid(competition)}-{published.date().isoformat()}",
            "date": _timestamp(published),
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
        "uri": _site("/exports/qogam-ocds.json"),
        "version": "1.1",
        "extensions": [LOTS_EXTENSION],
        "publishedDate": _timestamp(published),
        "publisher": {"name": "Qogam", "uri": _site()},
        "license": settings.QOGAM_DATA_LICENSE,
        "publicationPolicy": _site("/exports/"),
    }
    releases = (
        release_ocds(competition, published) for competition in competitions_queryset().iterator(chunk_size=200)
    )
    return write_json_package(stream, head, "releases", releases)


def _awards_csv(stream: IO[str]) -> int:
    return write_csv(stream, AWARD_COLUMNS, award_csv_rows(Award.objects.all(), settings.QOGAM_SITE_URL))


register_export_kind(
    ExportKind(
        "awards",
        gettext_lazy("Awards (CSV)"),
        "qogam-awards.csv",
        "text/csv; charset=utf-8",
        _awards_csv,
        gettext_lazy("Every award of every mechanism, amounts in KZT, codes with labels."),
    )
)
register_export_kind(
    ExportKind(
        "360giving",
        gettext_lazy("360Giving (JSON)"),
        "qogam-360giving.json",
        "application/json",
        write_360giving,
        gettext_lazy("State social order, state grants and NGO awards as 360Giving 1.4 grants, with disbursements."),
    )
)
register_export_kind(
    ExportKind(
        "ocds",
        gettext_lazy("OCDS 1.1 (JSON)"),
        "qogam-ocds.json",
        "application/json",
        write_ocds,
        gettext_lazy(
            "Each social-order competition as an OCDS 1.1 contracting process: tender, lots, awards, "
            "contracts and payments."
        ),
    )
)
