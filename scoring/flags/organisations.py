"""Flags on organisations: captive recipients, shared contacts, state dependency, self-report mismatch."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Count, Exists, Min, OuterRef, Sum
from django.db.models.functions import ExtractYear

from funding.models import STATE_MECHANISMS, Application, Award, Lot
from registry.models import REPORT_INCOME_FIELDS, REPORT_STATE_INCOME_FIELDS, Organisation, YearlyReport
from scoring.flags.catalogue import (
    CAPTIVE_YEARS,
    MISMATCH_MINIMUM,
    MISMATCH_TOLERANCE,
    STATE_DEPENDENCY,
    Hit,
    state_awards,
    stream,
)
from scoring.flags.statistics import money_text, normalise_phone, normalise_text


def captive_recipient_find(*, today: datetime.date) -> list[Hit]:
    hits = []
    captive = (  # counted by the database: nothing per recipient is held here
        state_awards()
        .values("recipient_id")
        .annotate(
            admins=Count("administrator", distinct=True),
            admin=Min("administrator__code"),
            n_years=Count(ExtractYear("awarded_on"), distinct=True),
        )
        .filter(admins=1, n_years__gte=CAPTIVE_YEARS)
        .order_by("recipient_id")
        .values_list("recipient_id", "admin")
    )
    years = defaultdict(set)
    for recipient, year in (
        state_awards()
        .filter(recipient__in=captive.values("recipient_id"))
        .values_list("recipient_id", "awarded_on__year")
    ):
        years[recipient].add(year)
    for recipient, admin in captive:
        hits.append(
            Hit(
                code="captive_recipient",
                subject_type="organisation",
                subject_key=str(recipient),
                title=f"funded only by {admin}",
                year=max(years[recipient]),
                administrator=admin,
                organisation_id=recipient,
                values={"administrator": admin, "years": sorted(years[recipient])},
            )
        )
    won = (
        Award.objects.filter(mechanism__in=STATE_MECHANISMS, competition__isnull=False, lot__isnull=False)
        .values("competition_id", "competition__public_id", "competition__title", "competition__administrator__code")
        .annotate(winners=Count("recipient", distinct=True), lots_won=Count("lot", distinct=True))
        .filter(winners=1)
    )
    lot_counts = dict(Lot.objects.values("competition_id").annotate(n=Count("id")).values_list("competition_id", "n"))
    for row in won:
        lots = lot_counts.get(row["competition_id"], 0)
        if lots >= 2 and row["lots_won"] == lots:
            recipient = Award.objects.filter(competition_id=row["competition_id"]).values_list(
                "recipient_id", flat=True
            )[0]
            hits.append(
                Hit(
                    code="captive_recipient",
                    subject_type="organisation",
                    subject_key=str(recipient),
                    title=f"won every lot of {row['competition__title']}",
                    administrator=row["competition__administrator__code"],
                    organisation_id=recipient,
                    values={"competition": row["competition__public_id"], "lots": lots},
                    records=[
                        {
                            "type": "competition",
                            "key": row["competition__public_id"],
                            "label": row["competition__title"],
                        }
                    ],
                )
            )
    return hits


def _contacts(org: dict) -> list[tuple[str, str]]:
    pairs = (
        ("phone", normalise_phone(org["phone"])),
        ("email", org["email"].strip().lower()),
        ("address", normalise_text(org["address"])),
    )
    return [(kind, value) for kind, value in pairs if value]


def shared_contacts_find(*, today: datetime.date) -> list[Hit]:
    """Two passes over the applicants and recipients: the first counts each normalised contact by its hash,
    the second keeps only the contacts seen more than once, so memory follows the shared contacts, not the
    registry (a hash collision only adds a candidate that the group size then drops)."""
    # EXISTS, not IN: PostgreSQL turns an OR of two IN subqueries it can not hash in work_mem into a rescan of
    # every application per organisation (20 minutes at ten times the national size; EXISTS: 1.8 s).
    funded = Exists(Award.objects.filter(recipient_id=OuterRef("pk")))
    applied = Exists(Application.objects.filter(applicant_id=OuterRef("pk")))
    orgs = (
        Organisation.objects.filter(merged_into__isnull=True)
        .filter(funded | applied)
        .values("id", "phone", "email", "address", "parent_id")
    )
    seen: Counter[int] = Counter()
    for org in orgs.iterator(chunk_size=2000):
        seen.update(hash(contact) for contact in _contacts(org))
    repeated = {key for key, n in seen.items() if n > 1}
    del seen
    groups: dict[tuple[str, str], set[int]] = defaultdict(set)
    parents = {}
    for org in orgs.iterator(chunk_size=2000):
        for contact in _contacts(org):
            if hash(contact) in repeated:
                groups[contact].add(org["id"])
                parents[org["id"]] = org["parent_id"]
    hits = []
    for (kind, value), members in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1])):
        families = {parents.get(m) or m for m in members}  # a branch sharing its parent's contacts is expected
        if len(members) < 2 or len(families) < 2:
            continue
        ordered = sorted(members)
        for org in ordered:
            hits.append(
                Hit(
                    code="shared_contacts",
                    subject_type="organisation",
                    subject_key=str(org),
                    title=f"shares its {kind} with {len(members) - 1} other organisation(s)",
                    organisation_id=org,
                    values={"contact": kind, "value": value, "organisations": len(members)},
                    records=[{"type": "organisation", "key": str(m), "label": ""} for m in ordered if m != org],
                )
            )
    return hits


def state_dependency_find(*, today: datetime.date) -> list[Hit]:
    hits = []
    rows = YearlyReport.objects.filter(organisation__merged_into__isnull=True).values(
        "organisation_id", "year", "organisation__region_id", *REPORT_INCOME_FIELDS
    )
    for row in rows.iterator(chunk_size=2000):
        known = [row[name] for name in REPORT_INCOME_FIELDS if row[name] is not None]
        total = sum(known, Decimal(0))
        if not total:
            continue
        state = sum((row[name] or Decimal(0) for name in REPORT_STATE_INCOME_FIELDS), Decimal(0))
        share = state / total
        if share >= STATE_DEPENDENCY:
            hits.append(
                Hit(
                    code="state_dependency",
                    subject_type="organisation",
                    subject_key=str(row["organisation_id"]),
                    title=f"{share * 100:.1f}% of its {row['year']} income from the state",
                    year=row["year"],
                    region=row["organisation__region_id"] or "",
                    organisation_id=row["organisation_id"],
                    amount=state,
                    values={
                        "state_income": money_text(state),
                        "total_income": money_text(total),
                        "share": str(share.quantize(Decimal("0.0001"))),
                    },
                )
            )
    return hits


def self_report_mismatch_find(*, today: datetime.date) -> Iterator[Hit]:
    """Reports in (organisation, year) order, merged with the payments summed in the same order: neither
    side is held."""
    paid_rows = (
        state_awards()
        .filter(payments__isnull=False)
        .values("recipient_id", "payments__paid_on__year")
        .annotate(total=Sum("payments__amount"))
        .order_by("recipient_id", "payments__paid_on__year")
        .values_list("recipient_id", "payments__paid_on__year", "total")
    )
    with stream(paid_rows) as pending:
        paid = next(pending, None)
        reports = (
            YearlyReport.objects.filter(organisation__merged_into__isnull=True)
            .values("organisation_id", "year", *REPORT_STATE_INCOME_FIELDS)
            .order_by("organisation_id", "year")
        )
        for row in reports.iterator(chunk_size=2000):
            answers = [row[name] for name in REPORT_STATE_INCOME_FIELDS]
            if all(a is None for a in answers):
                continue  # nothing declared: unknown, not zero
            declared = sum((a or Decimal(0) for a in answers), Decimal(0))
            key = (row["organisation_id"], row["year"])
            while paid is not None and paid[:2] < key:
                paid = next(pending, None)
            recorded = paid[2] if paid is not None and paid[:2] == key else Decimal(0)
            difference = abs(declared - recorded)
            if difference > MISMATCH_MINIMUM and difference > MISMATCH_TOLERANCE * max(declared, recorded):
                yield (
                    Hit(
                        code="self_report_mismatch",
                        subject_type="organisation",
                        subject_key=str(row["organisation_id"]),
                        title=f"{row['year']}: declares {declared:,.0f} KZT of state income; "
                        f"{recorded:,.0f} KZT recorded as paid",
                        year=row["year"],
                        organisation_id=row["organisation_id"],
                        amount=difference,
                        values={
                            "declared": money_text(declared),
                            "recorded_paid": money_text(recorded),
                            "difference": money_text(difference),
                        },
                    )
                )
