"""OCDS 1.1: state social order as public procurement, as a release package and a record package.

One contracting process (`ocid`) per social-order competition, and one per social-order award made outside a
competition (a direct award). Each process is published as releases by stage, each release describing what
its stage's records hold now:

- `tender` (competitions only): the buyer, the tender with its lots, the applicants as tenderers;
- `award`: the awards and their contracts, with the contracts' amendments (and, for a direct award, the
  tender that says how it was procured);
- `implementation`: the payments, as the contracts' implementation transactions.

A release's `date` is the last change of the records it describes and its `id` is
`<ocid>-<stage>-<that last change>`, so the id changes when, and only when, what the release says may have
changed; exporting twice gives the same ids. The record package gives each process its releases (linked to
the release package) and the compiled release, merged from them by the OCDS merge rules.
docs/exports.md says where each field comes from.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.db.models import Max, Prefetch
from django.utils import timezone

from funding.models import (
    Amendment,
    Application,
    Award,
    AwardStatusEvent,
    Competition,
    FundingChange,
    Lot,
    Mechanism,
    Payment,
)
from funding.reference import law_in_force
from opendata.jsonpack import local_timestamp, site_url, without_empty, write_json_package

CHUNK = 200
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json"
)
RELEASE_PACKAGE_PATH = "/exports/qogam-ocds.json"
RECORD_PACKAGE_PATH = "/exports/qogam-ocds-records.json"

# OCDS 1.1 contractStatus: a contract signed and in force is "active"; one that has come to a close, by
# completion or early termination, is "terminated". The award that led to it stays "active" either way
# (awardStatus "cancelled" means the award decision itself was withdrawn, which our records never say).
AWARD_STATUS = "active"
CONTRACT_STATUS = {
    Award.Status.CONTRACTED: "active",
    Award.Status.IN_PROGRESS: "active",
    Award.Status.COMPLETED: "terminated",
    Award.Status.TERMINATED: "terminated",
}
DIRECT_METHOD = "direct"  # one organisation chosen without a competition (procurementMethod codelist)
AMENDED_FIELD = {
    Amendment.FieldName.AMOUNT: "value",
    Amendment.FieldName.STARTS_ON: "period.startDate",
    Amendment.FieldName.ENDS_ON: "period.endDate",
    Amendment.FieldName.TITLE: "title",
}


def _date_time(value: datetime.date) -> str:
    """An OCDS date-time for a calendar date: its midnight in Kazakhstan."""
    return f"{value.isoformat()}T00:00:00+05:00"


def _stamp(value: datetime.datetime) -> str:
    """A last change as it appears in a release id: UTC to the microsecond (two changes in one second differ)."""
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def ocid(competition: Competition) -> str:
    return f"{settings.QOGAM_OCID_PREFIX}-{competition.public_id}"


def direct_ocid(award: Award) -> str:
    """The contracting process of an award made outside a competition."""
    return f"{settings.QOGAM_OCID_PREFIX}-award-{award.public_id}"


def _reference(org) -> dict:
    return {"id": org.org_id, "name": org.name}


def _value(amount: Decimal) -> dict:
    return {"amount": amount, "currency": "KZT"}


@dataclass
class Process:
    """One contracting process and what it holds, read once and used for every release of it."""

    ocid: str
    buyer: object  # funding.models.Administrator
    awards: list[Award]
    competition: Competition | None = None
    lots: list[Lot] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    tender_changed_at: datetime.datetime | None = None  # the competition's own history (FundingChange)

    @property
    def suppliers(self) -> dict:
        return {award.recipient.pk: award.recipient for award in self.awards}

    @property
    def tenderers(self) -> dict:
        found = {a.applicant.pk: a.applicant for a in self.applications}
        for award in self.awards:  # a winner recorded without its application was a tenderer all the same
            found.setdefault(award.recipient.pk, award.recipient)
        return found


class Parties:
    """Every party of a process with all its roles, so that each release carries the same party object (the
    merge replaces a party's `roles` array whole)."""

    def __init__(self, process: Process):
        paid = {award.recipient.pk for award in process.awards if award.payments.all()}
        buyer_roles = ["buyer", "procuringEntity"] + (["payer"] if paid else [])
        self.buyer = self._party(process.buyer, buyer_roles)
        suppliers = process.suppliers
        self.others = {}
        for pk, org in (process.tenderers if process.competition else suppliers).items():
            roles = ["tenderer"] if process.competition else []
            roles += ["supplier"] if pk in suppliers else []
            roles += ["payee"] if pk in paid else []
            self.others[pk] = self._party(org, roles)

    @staticmethod
    def _party(org, roles: list[str]) -> dict:
        """A party keyed by its org-id (KZ-BIN-<BIN>, else our stable local id); the KZ-BIN identifier (org-id.guide's
        scheme for Kazakhstan's business identification numbers) where it has a BIN."""
        party = {"id": org.org_id, "name": org.name, "roles": roles}
        if org.bin:
            party["identifier"] = {"scheme": "KZ-BIN", "id": org.bin, "legalName": org.name}
        return party

    def of(self, orgs: Iterable) -> list[dict]:
        return [self.buyer, *(self.others[org.pk] for org in orgs)]


def _latest(*moments: datetime.datetime | None) -> datetime.datetime:
    return max(moment for moment in moments if moment is not None)


def _release(process: Process, stage: str, changed: datetime.datetime, tags: list[str], body: dict) -> dict:
    return without_empty(
        {
            "ocid": process.ocid,
            "id": f"{process.ocid}-{stage}-{_stamp(changed)}",
            "date": local_timestamp(changed),
            "tag": tags,
            "initiationType": "tender",
            "language": "ru",
            **body,
        }
    )


def _tender(process: Process) -> dict:
    competition, buyer = process.competition, process.buyer
    if competition is None:  # a direct award: the tender only says how the supplier was chosen
        award = process.awards[0]
        return {
            "id": f"{award.public_id}-tender",
            "title": award.title,
            "status": "complete",
            "procuringEntity": _reference(buyer),
            "procurementMethod": DIRECT_METHOD,
            "procurementMethodDetails": f"State social order awarded without a competition under: "
            f"{law_in_force(award.awarded_on)}",
            "procurementMethodRationale": "No competition is recorded for this award: the administrator chose "
            "the supplier directly.",
            "mainProcurementCategory": "services",
        }
    reported = [lot.reported_applicants for lot in process.lots if lot.reported_applicants is not None]
    tenderers = process.tenderers
    return without_empty(
        {
            "id": competition.public_id,
            "title": competition.title,
            "status": "complete" if competition.decided_on else "active",
            "procuringEntity": _reference(buyer),
            "value": _value(sum((lot.planned_amount for lot in process.lots), Decimal("0.00"))),
            "procurementMethod": "open",
            "procurementMethodDetails": "State social order competition under: "
            + law_in_force(competition.announced_on),
            "mainProcurementCategory": "services",
            "tenderPeriod": without_empty(
                {
                    "startDate": _date_time(competition.announced_on),
                    "endDate": _date_time(competition.deadline_on) if competition.deadline_on else None,
                }
            ),
            "numberOfTenderers": max(len(tenderers), sum(reported)) if (tenderers or reported) else None,
            "tenderers": [_reference(org) for org in tenderers.values()],
            # The lots extension's `description` carries the lot's tender specification, as published.
            "lots": [
                without_empty(
                    {
                        "id": str(lot.number),
                        "title": lot.title,
                        "description": lot.specification,
                        "value": _value(lot.planned_amount),
                    }
                )
                for lot in process.lots
            ],
        }
    )


def _amendment(award: Award, amendment: Amendment) -> dict:
    what = AMENDED_FIELD[Amendment.FieldName(amendment.field_name)]
    return {
        "id": f"{award.public_id}-amendment-{amendment.pk}",
        "date": _date_time(amendment.amended_on),
        "rationale": amendment.reason,
        "description": f"{what}: {amendment.old_value or '-'} -> {amendment.new_value}",
    }


def _contract(award: Award) -> dict:
    termination = next((e for e in reversed(award.status_events.all()) if e.kind == Award.Status.TERMINATED), None)
    return without_empty(
        {
            "id": f"{award.public_id}-contract",
            "awardID": award.public_id,
            "title": award.title,
            "description": f"Terminated early on {termination.occurred_on.isoformat()}: {termination.reason}"
            if award.status == Award.Status.TERMINATED and termination
            else None,
            "status": CONTRACT_STATUS[Award.Status(award.status)],
            "value": _value(award.amount),
            "dateSigned": _date_time(award.awarded_on),
            "period": without_empty(
                {
                    "startDate": _date_time(award.starts_on) if award.starts_on else None,
                    "endDate": _date_time(award.ends_on) if award.ends_on else None,
                }
            ),
            "amendments": [_amendment(award, amendment) for amendment in award.amendments.all()],
        }
    )


def _award(award: Award) -> dict:
    return without_empty(
        {
            "id": award.public_id,
            "title": award.title,
            "status": AWARD_STATUS,
            "date": _date_time(award.awarded_on),
            "value": _value(award.amount_awarded),  # as decided; the contract's value is as amended
            "suppliers": [_reference(award.recipient)],
            "relatedLots": [str(award.lot.number)] if award.lot_id else [],
        }
    )


def award_changed_at(award: Award) -> datetime.datetime:
    """The last change of an award and of its contract: the award row, its status events and amendments."""
    return _latest(
        award.updated_at,
        *(event.created_at for event in award.status_events.all()),
        *(amendment.created_at for amendment in award.amendments.all()),
        award.recipient.updated_at,
    )


def payments_changed_at(award: Award) -> datetime.datetime | None:
    moments = [payment.created_at for payment in award.payments.all()]
    return max(moments) if moments else None


def process_releases(process: Process) -> list[dict]:
    """The process's releases by stage, oldest first (the order a record lists them in)."""
    parties = Parties(process)
    buyer = _reference(process.buyer)
    releases: list[tuple[datetime.datetime, dict]] = []
    if process.competition is not None:
        changed = _latest(
            process.tender_changed_at,
            process.buyer.created_at,
            *(org.updated_at for org in process.tenderers.values()),
        )
        body = {"parties": parties.of(process.tenderers.values()), "buyer": buyer, "tender": _tender(process)}
        releases.append((changed, _release(process, "tender", changed, ["tender"], body)))
    awards = process.awards
    if awards:
        contracts = [_contract(award) for award in awards]
        tags = ["award", "contract"]
        if any(contract.get("amendments") for contract in contracts):
            tags.append("contractAmendment")
        if any(contract["status"] == "terminated" for contract in contracts):
            tags.append("contractTermination")
        body = {
            "parties": parties.of(process.suppliers.values()),
            "buyer": buyer,
            "awards": [_award(award) for award in awards],
            "contracts": contracts,
        }
        if process.competition is None:
            tags.insert(0, "tender")
            body["tender"] = _tender(process)
        changed = _latest(*(award_changed_at(award) for award in awards), process.buyer.created_at)
        releases.append((changed, _release(process, "award", changed, tags, body)))
    paid = [award for award in awards if award.payments.all()]
    if paid:
        body = {
            "parties": parties.of({award.recipient.pk: award.recipient for award in paid}.values()),
            "buyer": buyer,
            "contracts": [
                {
                    "id": f"{award.public_id}-contract",
                    "awardID": award.public_id,
                    "implementation": {
                        "transactions": [
                            {
                                "id": f"{award.public_id}-payment-{payment.pk}",
                                "date": _date_time(payment.paid_on),
                                "value": _value(payment.amount),
                                "payer": buyer,
                                "payee": _reference(award.recipient),
                            }
                            for payment in award.payments.all()
                        ]
                    },
                }
                for award in paid
            ],
        }
        changed = _latest(*(payments_changed_at(award) for award in paid), process.buyer.created_at)
        releases.append((changed, _release(process, "implementation", changed, ["implementation"], body)))
    releases.sort(key=lambda pair: (pair[0], pair[1]["id"]))
    return [release for _changed, release in releases]


# ---------------------------------------------------------------- merging (the compiled release)


def _merge(into: dict, release: dict) -> None:
    """OCDS merge: objects field by field; arrays of objects with an `id` item by item (by id, in first-seen
    order); any other value, array included, replaced by the newer release's."""
    for key, value in release.items():
        current = into.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            _merge(current, value)
        elif (
            isinstance(value, list)
            and isinstance(current, list)
            and all(isinstance(item, dict) and "id" in item for item in (*value, *current))
        ):
            by_id = {item["id"]: item for item in current}
            for item in value:
                if item["id"] in by_id:
                    _merge(by_id[item["id"]], item)
                else:
                    current.append(item)
                    by_id[item["id"]] = item
        else:
            into[key] = _copy(value)


def _copy(value):
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def compiled_release(releases: list[dict]) -> dict:
    """The current state of a process: its releases merged oldest first; id and date from the latest."""
    compiled: dict = {}
    for release in releases:
        _merge(compiled, {key: value for key, value in release.items() if key not in ("id", "date", "tag")})
    latest = releases[-1]
    stamp = latest["id"].rsplit("-", 1)[1]
    return {
        "ocid": latest["ocid"],
        "id": f"{latest['ocid']}-compiled-{stamp}",
        "date": latest["date"],
        "tag": ["compiled"],
        **{key: value for key, value in compiled.items() if key != "ocid"},
    }


# ---------------------------------------------------------------- reading


def _awards_queryset():
    return (
        Award.objects.select_related("recipient", "lot")
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.order_by("paid_on", "id")),
            Prefetch("amendments", queryset=Amendment.objects.order_by("amended_on", "id")),
            Prefetch("status_events", queryset=AwardStatusEvent.objects.order_by("occurred_on", "id")),
        )
        .order_by("id")
    )


def competitions_queryset():
    applications = Prefetch("applications", queryset=Application.objects.select_related("applicant").order_by("id"))
    lots = Lot.objects.order_by("number").prefetch_related(applications)
    return (
        Competition.objects.filter(mechanism=Mechanism.SOCIAL_ORDER)
        .select_related("administrator")
        .prefetch_related(Prefetch("lots", queryset=lots), Prefetch("awards", queryset=_awards_queryset()))
        .order_by("id")
    )


def direct_awards_queryset():
    """Social-order awards made outside any competition: each its own contracting process."""
    return (
        _awards_queryset()
        .filter(mechanism=Mechanism.SOCIAL_ORDER, competition__isnull=True)
        .select_related("administrator")
    )


def processes() -> Iterator[Process]:
    """Every social-order contracting process: the competitions, then the awards outside competitions."""
    # A competition's own history: writes to it, its lots and its applications (an award's rows have an award).
    competition_changes = dict(
        FundingChange.objects.filter(competition__isnull=False, award__isnull=True)
        .values_list("competition_id")
        .annotate(last=Max("changed_at"))
        .values_list("competition_id", "last")
    )
    for competition in competitions_queryset().iterator(chunk_size=CHUNK):
        lots = list(competition.lots.all())
        yield Process(
            ocid=ocid(competition),
            buyer=competition.administrator,
            awards=list(competition.awards.all()),
            competition=competition,
            lots=lots,
            applications=[a for lot in lots for a in lot.applications.all()],
            tender_changed_at=competition_changes.get(competition.pk),
        )
    for award in direct_awards_queryset().iterator(chunk_size=CHUNK):
        yield Process(ocid=direct_ocid(award), buyer=award.administrator, awards=[award])


# ---------------------------------------------------------------- the packages


def _package_head(path: str) -> dict:
    return {
        "uri": site_url(path),
        "version": "1.1",
        "extensions": [LOTS_EXTENSION],
        "publishedDate": local_timestamp(timezone.now()),
        "publisher": {"name": "Qogam", "uri": site_url()},
        "license": settings.QOGAM_DATA_LICENSE,
        "publicationPolicy": site_url("/exports/"),
    }


def write_ocds(stream: IO[str]) -> int:
    """The release package: every release of every process. Returns the number of releases."""
    releases = (release for process in processes() for release in process_releases(process))
    return write_json_package(stream, _package_head(RELEASE_PACKAGE_PATH), "releases", releases)


def record(process: Process) -> dict:
    """A process's record: its releases linked into the release package, and its compiled release."""
    releases = process_releases(process)
    package = site_url(RELEASE_PACKAGE_PATH)
    return {
        "ocid": process.ocid,
        "releases": [{"url": f"{package}#{r['id']}", "date": r["date"], "tag": r["tag"]} for r in releases],
        "compiledRelease": compiled_release(releases),
    }


def write_ocds_records(stream: IO[str]) -> int:
    """The record package: one record per process. Returns the number of records."""
    head = {**_package_head(RECORD_PACKAGE_PATH), "packages": [site_url(RELEASE_PACKAGE_PATH)]}
    return write_json_package(stream, head, "records", (record(process) for process in processes()))
