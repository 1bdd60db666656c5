"""Red flags for watchdogs (DOMAIN §5): each a signal worth a look, never a verdict.

The catalogue says, for every flag, what it looks at, its rule in plain words, why it matters, its
inputs, its threshold and its known false positives. Each function in FLAG_FUNCTIONS returns (or yields)
every hit with the numbers that triggered it and the records involved; outlier fences (Q1 - 1.5 IQR, Q3 + 1.5 IQR) are
computed over a stated peer group and shown with the quartiles used. Pure helpers (fences, HHI) are
unit-tested on plain values; the queries read the registry and funding tables.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import ExtractYear

from funding.models import STATE_MECHANISMS, Application, Award, Evaluation, Lot
from registry.bin import bin_decode
from registry.models import Organisation, YearlyReport, report_due_on

# The procedural threshold awards are split under, in monthly calculation indices (MCI) of the award year.
SPLIT_THRESHOLD_MCI = 4000
MCI = {2017: 2269, 2018: 2405, 2019: 2525, 2020: 2778, 2021: 2917, 2022: 3063, 2023: 3450, 2024: 3692, 2025: 3932}
MCI.update({2026: 4325})
SPLIT_SHARE = Decimal("0.90")  # "just under": from 90% of the threshold up to it
SPLIT_WINDOW_DAYS = 60
HHI_CONCENTRATED = 2500  # on the 0-10,000 scale, as competition authorities read it
MIN_AWARDS_FOR_CONCENTRATION = 5
STATE_DEPENDENCY = Decimal("0.90")
MISMATCH_TOLERANCE = Decimal("0.10")  # share of the larger figure
MISMATCH_MINIMUM = Decimal(1_000_000)  # KZT: smaller differences are rounding and timing
REPORT_GRACE_DAYS = 90  # with no evaluation recorded, a report is expected this long after the end
NEWBORN_MONTHS = 12
CAPTIVE_YEARS = 3
NOT_REPORTING_SINCE = 2018  # DOMAIN §3.1: since 2018 an applicant must have filed its NGO database report


@dataclass(frozen=True)
class FlagRule:
    code: str
    name: str
    subject: str  # award, competition, administrator, organisation
    rule: str
    why: str
    inputs: str
    threshold: str
    false_positives: str


CATALOGUE = [
    FlagRule(
        "concentration",
        "Funding concentration",
        "administrator",
        "The Herfindahl-Hirschman index of the recipients' shares of an administrator's state money in a year is "
        f"{HHI_CONCENTRATED} or more (of 10,000), over at least {MIN_AWARDS_FOR_CONCENTRATION} awards.",
        "Money flowing to a few organisations can mean a captured programme.",
        "awards of the year: recipient, amount",
        f"HHI ≥ {HHI_CONCENTRATED}",
        "Small programmes with one natural provider; a region with few eligible NGOs.",
    ),
    FlagRule(
        "single_applicant",
        "Single applicant",
        "competition",
        "A lot had exactly one applicant, or exactly one application left after rejections (the reported "
        "number of applicants counts where applications are not recorded).",
        "Without competition the price and the choice are not tested.",
        "applications per lot and their outcomes; the lot's reported applicants",
        "exactly 1",
        "Niche services with one qualified provider; poorly advertised calls.",
    ),
    FlagRule(
        "captive_recipient",
        "Captive recipient",
        "organisation",
        f"A recipient funded by one administrator only, in {CAPTIVE_YEARS} or more different years; or winning "
        "every lot of a competition with two or more lots.",
        "A stable pairing of funder and recipient can hide a pre-arranged choice.",
        "state awards: administrator, recipient, year; lots won per competition",
        f"one administrator over ≥ {CAPTIVE_YEARS} years; all lots (≥ 2)",
        "A long-standing specialised service provider; a region with one able NGO.",
    ),
    FlagRule(
        "new_born",
        "New-born recipient",
        "award",
        f"Awarded less than {NEWBORN_MONTHS} months after the recipient's registration (the registration date, "
        "or the month encoded in its BIN).",
        "Organisations set up just before a competition may be created to capture it.",
        "award date; registration date or BIN month",
        f"< {NEWBORN_MONTHS} months",
        "New organisations founded by experienced people; re-registrations after a reorganisation.",
    ),
    FlagRule(
        "not_reporting",
        "Not reporting",
        "award",
        "The recipient had not filed its yearly report for the year before the award (a legal precondition for "
        f"state money since {NOT_REPORTING_SINCE}) by the award date. Awards made before {NOT_REPORTING_SINCE} "
        "are not checked.",
        "The NGO database report is required before receiving state money.",
        "award date; yearly reports and their filing dates",
        f"no report for the previous year filed by the award date, for awards from 1 January {NOT_REPORTING_SINCE}",
        "Organisations registered in the previous year (nothing was due); reports filed on paper, not recorded.",
    ),
    FlagRule(
        "shared_contacts",
        "Shared contacts",
        "organisation",
        "Two or more different applicants or recipients give the same phone number, e-mail or address.",
        "Linked organisations can fake competition or split money.",
        "contacts of applicants and recipients (phone digits, e-mail, address, normalised)",
        "≥ 2 organisations",
        "Branches of one organisation; shared offices in an NGO resource centre; an accountant's number.",
    ),
    FlagRule(
        "threshold_splitting",
        "Threshold splitting",
        "award",
        f"Two or more awards from one administrator to one recipient within {SPLIT_WINDOW_DAYS} days, each between "
        f"{int(SPLIT_SHARE * 100)}% and 100% of the procedural threshold ({SPLIT_THRESHOLD_MCI} MCI of the year).",
        "Splitting a contract keeps each part under the threshold that would require a full competition.",
        "awards outside competitions: administrator, recipient, date, amount; the MCI of the year",
        f"≥ 2 awards in {SPLIT_WINDOW_DAYS} days at {int(SPLIT_SHARE * 100)}-100% of the threshold",
        "Genuinely separate small projects; phased funding agreed in advance.",
    ),
    FlagRule(
        "price_outlier",
        "Price outlier",
        "award",
        "The awarded amount divided by the lot's planned amount lies outside the fences Q1 - 1.5 IQR and "
        "Q3 + 1.5 IQR over all awards with a lot in the same mechanism and year.",
        "Heavy dumping or no saving at all can both point at a rigged competition.",
        "award amount; its lot's planned amount",
        "outside the fences of its peer group",
        "Lots re-scoped after the call; peer groups with few awards.",
    ),
    FlagRule(
        "year_end_rush",
        "Year-end rush",
        "administrator",
        "The share of an administrator's awards made in December is above Q3 + 1.5 IQR of that share over the "
        "administrators with at least 5 awards that year.",
        "Money spent in a rush before the budget year closes gets less scrutiny.",
        "award dates by administrator and year",
        "above the upper fence of its peers",
        "Programmes whose calendar ends in December by design.",
    ),
    FlagRule(
        "state_dependency",
        "State dependency",
        "organisation",
        "State money (social order, grants, awards) is 90% or more of the income an organisation reports for a year.",
        "A possible GONGO: an organisation that exists on, and for, state money.",
        "the yearly report's income by source",
        "≥ 90%",
        "Service providers that deliver a state programme and have no other donors yet.",
    ),
    FlagRule(
        "double_funding",
        "Double funding",
        "award",
        "The same recipient funded by two different administrators for the same field of activity in overlapping "
        "periods.",
        "The same project paid twice.",
        "state awards: recipient, administrator, field, start and end",
        "overlapping periods, same field",
        "Different projects in the same field; co-financing agreed between funders.",
    ),
    FlagRule(
        "overdue_reporting",
        "Overdue reporting",
        "award",
        f"The project ended and its report was not received by the evaluation's due date (with no evaluation "
        f"recorded: {REPORT_GRACE_DAYS} days after the end).",
        "Money spent without an account of what it achieved.",
        "award end date; evaluations: due and received dates",
        "not received by the due date",
        "Reports received but not yet recorded.",
    ),
    FlagRule(
        "ineligible_recipient",
        "Ineligible recipient",
        "award",
        "State money went to an organisation whose legal form may not receive it (a party, trade union, religious "
        "association, state institution…) or that was liquidated by the award date.",
        "The law limits state social order, grants and awards to NGOs.",
        "recipient's legal form and status history; award date",
        "not an eligible NGO on the award date",
        "A legal form or status recorded wrongly in the registry.",
    ),
    FlagRule(
        "self_report_mismatch",
        "Self-report mismatch",
        "organisation",
        "The state income an organisation declares in its yearly report differs from the state money recorded as "
        f"paid to it that year by more than {int(MISMATCH_TOLERANCE * 100)}% of the larger figure and more than "
        f"{MISMATCH_MINIMUM:,.0f} KZT.",
        "Either the report or the funding records are wrong; both are public duties.",
        "the report's state income; payments on state awards in the year",
        f"> {int(MISMATCH_TOLERANCE * 100)}% and > {MISMATCH_MINIMUM:,.0f} KZT",
        "Payments recorded in the wrong year; money received through a consortium lead.",
    ),
]
RULES = {rule.code: rule for rule in CATALOGUE}


@dataclass
class Hit:
    code: str
    subject_type: str
    subject_key: str
    title: str
    year: int | None = None
    administrator: str = ""
    region: str = ""
    organisation_id: int | None = None
    amount: Decimal | None = None
    values: dict = field(default_factory=dict)
    records: list[dict] = field(default_factory=list)


# ---------------------------------------------------------------- pure helpers


def quartiles(values: list[Decimal]) -> tuple[Decimal, Decimal]:
    """Q1 and Q3 by linear interpolation between closest ranks (the method spreadsheets call QUARTILE.INC)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")

    def at(p: Decimal) -> Decimal:
        position = (len(ordered) - 1) * p
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return at(Decimal("0.25")), at(Decimal("0.75"))


def fences(values: list[Decimal]) -> dict:
    q1, q3 = quartiles(values)
    iqr = q3 - q1
    return {
        "q1": q1,
        "q3": q3,
        "lower": q1 - Decimal("1.5") * iqr,
        "upper": q3 + Decimal("1.5") * iqr,
        "n": len(values),
    }


def hhi(amounts: Iterable[Decimal]) -> Decimal:
    """Herfindahl-Hirschman index of the shares, 0-10,000, to one decimal."""
    amounts = [a for a in amounts if a > 0]
    total = sum(amounts, Decimal(0))
    if not total:
        return Decimal(0)
    return sum(((a * 100 / total) ** 2 for a in amounts), Decimal(0)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from start to end (a day short of a month does not count)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (end.day < start.day)


def normalise_phone(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits[-10:] if len(digits) >= 10 else ""


def normalise_text(value: str) -> str:
    return " ".join(value.lower().replace(",", " ").replace(".", " ").split())


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


# ---------------------------------------------------------------- the flags


@contextmanager
def _stream(queryset, chunk_size: int = 5000) -> Iterator:
    """A queryset's rows, read in chunks and closed on leaving the block, so PostgreSQL's server-side cursor
    is released inside the transaction even when a merge stops before the last row."""
    rows = queryset.iterator(chunk_size=chunk_size)
    try:
        yield rows
    finally:
        rows.close()


def _state_awards():
    return Award.objects.filter(mechanism__in=STATE_MECHANISMS)


def _award_record(row: dict) -> dict:
    return {"type": "award", "key": row["public_id"], "label": row["title"]}


def _award_hit(code: str, row: dict, values: dict, records: list | None = None) -> Hit:
    return Hit(
        code=code,
        subject_type="award",
        subject_key=row["public_id"],
        title=row["title"],
        year=row["awarded_on"].year,
        administrator=row["administrator__code"],
        region=row["region_id"] or "",
        organisation_id=row["recipient_id"],
        amount=row["amount"],
        values=values,
        records=records or [_award_record(row)],
    )


AWARD_VALUES = ("id", "public_id", "title", "awarded_on", "administrator__code", "region_id", "recipient_id", "amount")


def flag_concentration(today: datetime.date, rows: list[dict] | None = None) -> list[Hit]:
    """`rows`: the administrators' concentration figures when the caller has them already (a run stores
    them too), so they are not computed twice."""
    hits = []
    for row in concentration("administrator") if rows is None else rows:
        if row["awards"] >= MIN_AWARDS_FOR_CONCENTRATION and row["hhi"] >= HHI_CONCENTRATED:
            hits.append(
                Hit(
                    code="concentration",
                    subject_type="administrator",
                    subject_key=row["key"],
                    title=f"{row['key']} {row['year']}",
                    year=row["year"],
                    administrator=row["key"],
                    amount=row["total"],
                    values={k: str(v) for k, v in row.items() if k not in ("key", "year")},
                )
            )
    return hits


def concentration(by: str) -> list[dict]:
    """HHI, top-1 and top-5 shares and distinct recipients of state money per administrator (or region) and year.

    The (group, recipient) sums are streamed in group order, so only one group's recipients are held."""
    key = "administrator__code" if by == "administrator" else "region_id"
    rows = (
        _state_awards()
        .exclude(**{f"{key}__isnull": True})
        .values(key, "awarded_on__year", "recipient_id")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by(key, "awarded_on__year")
        .values_list(key, "awarded_on__year", "total", "n")
    )
    result = []
    current, amounts, awards = None, [], 0
    for group_key, year, total, n in rows.iterator(chunk_size=2000):
        if (group_key, year) != current:
            if current is not None:
                result.append(_concentration_row(current, amounts, awards))
            current, amounts, awards = (group_key, year), [], 0
        amounts.append(total)
        awards += n
    if current is not None:
        result.append(_concentration_row(current, amounts, awards))
    return result


def _concentration_row(group: tuple, amounts: list[Decimal], awards: int) -> dict:
    amounts = sorted(amounts, reverse=True)
    total = sum(amounts, Decimal(0))
    return {
        "key": group[0],
        "year": group[1],
        "total": total,
        "awards": awards,
        "recipients": len(amounts),
        "hhi": hhi(amounts),
        "top1_share": (amounts[0] * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP),
        "top5_share": (sum(amounts[:5], Decimal(0)) * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP),
    }


def flag_single_applicant(today: datetime.date) -> Iterator[Hit]:
    lots = (
        Lot.objects.filter(competition__mechanism__in=STATE_MECHANISMS)
        .annotate(
            applications_n=Count("applications"),
            admissible=Count("applications", filter=~Q(applications__outcome=Application.Outcome.REJECTED)),
        )
        .values(
            "id",
            "number",
            "title",
            "reported_applicants",
            "applications_n",
            "admissible",
            "competition__public_id",
            "competition__title",
            "competition__announced_on",
            "competition__administrator__code",
            "region_id",
            "planned_amount",
        )
    )
    for lot in lots.iterator(chunk_size=2000):  # a generator: the most frequent flag is never held whole
        recorded = lot["applications_n"]
        single = (recorded and lot["admissible"] == 1) or (not recorded and lot["reported_applicants"] == 1)
        if not single:
            continue
        yield (
            Hit(
                code="single_applicant",
                subject_type="competition",
                subject_key=lot["competition__public_id"],
                title=f"{lot['competition__title']}, lot {lot['number']}",
                year=lot["competition__announced_on"].year,
                administrator=lot["competition__administrator__code"],
                region=lot["region_id"] or "",
                amount=lot["planned_amount"],
                values={
                    "lot": lot["number"],
                    "applications": recorded,
                    "admissible": lot["admissible"],
                    "reported_applicants": lot["reported_applicants"],
                },
                records=[{"type": "competition", "key": lot["competition__public_id"], "label": lot["title"]}],
            )
        )


def flag_captive_recipient(today: datetime.date) -> list[Hit]:
    hits = []
    captive = (  # counted by the database: nothing per recipient is held here
        _state_awards()
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
        _state_awards()
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


def flag_new_born(today: datetime.date) -> list[Hit]:
    hits = []
    rows = _state_awards().values(*AWARD_VALUES, "recipient__registered_on", "recipient__bin")
    for row in rows.iterator(chunk_size=2000):
        registered = row["recipient__registered_on"]
        source = "registration date"
        if registered is None and row["recipient__bin"]:
            registered, source = bin_decode(row["recipient__bin"]).registration_month, "BIN month"
        if registered is None:
            continue
        months = months_between(registered, row["awarded_on"])
        if months < NEWBORN_MONTHS:
            hits.append(
                _award_hit("new_born", row, {"registered": registered.isoformat(), "source": source, "months": months})
            )
    return hits


def flag_not_reporting(today: datetime.date) -> Iterator[Hit]:
    """Awards in recipient order, merged with the reports streamed in the same order: one recipient's reports
    are held at a time, whatever the size of the registry."""
    reports = YearlyReport.objects.order_by("organisation_id").values_list("organisation_id", "year", "submitted_on")
    with _stream(reports) as pending:
        report = next(pending, None)
        awards = _state_awards().filter(awarded_on__gte=datetime.date(NOT_REPORTING_SINCE, 1, 1))
        current, filed = None, {}
        for row in (
            awards.values(*AWARD_VALUES, "recipient__registered_on")
            .order_by("recipient_id", "id")
            .iterator(chunk_size=2000)
        ):
            if row["recipient_id"] != current:
                current, filed = row["recipient_id"], {}
                while report is not None and report[0] < current:
                    report = next(pending, None)
                while report is not None and report[0] == current:
                    filed[report[1]] = report[2]
                    report = next(pending, None)
            previous = row["awarded_on"].year - 1
            registered = row["recipient__registered_on"]
            if registered and registered.year > previous:
                continue  # nothing was due yet
            if report_due_on(previous) > row["awarded_on"]:
                previous -= 1  # the previous year's report was not yet due: the one before must be filed
                if registered and registered.year > previous:
                    continue
            submitted = filed.get(previous)
            if submitted is None or submitted > row["awarded_on"]:
                yield _award_hit(
                    "not_reporting",
                    row,
                    {"report_year": previous, "filed_on": submitted.isoformat() if submitted else None},
                )


def _contacts(org: dict) -> list[tuple[str, str]]:
    pairs = (
        ("phone", normalise_phone(org["phone"])),
        ("email", org["email"].strip().lower()),
        ("address", normalise_text(org["address"])),
    )
    return [(kind, value) for kind, value in pairs if value]


def flag_shared_contacts(today: datetime.date) -> list[Hit]:
    """Two passes over the applicants and recipients: the first counts each normalised contact by its hash,
    the second keeps only the contacts seen more than once, so memory follows the shared contacts, not the
    registry (a hash collision only adds a candidate that the group size then drops)."""
    orgs = (
        Organisation.objects.filter(merged_into__isnull=True)
        .filter(Q(pk__in=Award.objects.values("recipient_id")) | Q(pk__in=Application.objects.values("applicant_id")))
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


def flag_threshold_splitting(today: datetime.date) -> list[Hit]:
    rows = (
        _state_awards()
        .filter(competition__isnull=True)
        .values(*AWARD_VALUES)
        .order_by("administrator__code", "recipient_id", "awarded_on", "id")
    )
    by_pair = defaultdict(list)
    for row in rows:
        threshold = Decimal(SPLIT_THRESHOLD_MCI * MCI.get(row["awarded_on"].year, 0))
        if threshold and threshold * SPLIT_SHARE <= row["amount"] < threshold:
            by_pair[(row["administrator__code"], row["recipient_id"])].append((row, threshold))
    hits = []
    for near in by_pair.values():
        for row, threshold in near:
            window = [
                other
                for other, _t in near
                if other is not row and abs((other["awarded_on"] - row["awarded_on"]).days) <= SPLIT_WINDOW_DAYS
            ]
            if window:
                hits.append(
                    _award_hit(
                        "threshold_splitting",
                        row,
                        {
                            "threshold": _money(threshold),
                            "share": str((row["amount"] / threshold).quantize(Decimal("0.001"))),
                            "others_in_window": len(window),
                        },
                        [_award_record(row)] + [_award_record(o) for o in window],
                    )
                )
    return hits


def flag_price_outlier(today: datetime.date) -> Iterator[Hit]:
    """Two passes: the ratios of each peer group (as integers in ten-thousandths) for the fences, then the
    awards again, streamed, against them; no award row is held."""
    rows = (
        _state_awards()
        .filter(lot__isnull=False, lot__planned_amount__gt=0)
        .values(*AWARD_VALUES, "mechanism", "lot__planned_amount")
        .order_by("id")
    )

    def ratio(row) -> Decimal:
        return (row["amount"] / row["lot__planned_amount"]).quantize(Decimal("0.0001"))

    peers: dict[tuple, list[int]] = defaultdict(list)
    for row in rows.iterator(chunk_size=2000):
        peers[(row["mechanism"], row["awarded_on"].year)].append(int(ratio(row) * 10000))
    fence = {
        group: fences([Decimal(value).scaleb(-4) for value in values])
        for group, values in peers.items()
        if len(values) >= 4
    }
    del peers
    for row in rows.iterator(chunk_size=2000):
        f = fence.get((row["mechanism"], row["awarded_on"].year))
        value = ratio(row)
        if f and not f["lower"] <= value <= f["upper"]:
            yield _award_hit(
                "price_outlier",
                row,
                {
                    "ratio": str(value),
                    "planned": _money(row["lot__planned_amount"]),
                    **{k: str(v) for k, v in f.items()},
                },
            )


def flag_year_end_rush(today: datetime.date) -> list[Hit]:
    rows = (
        _state_awards()
        .values("administrator__code", "awarded_on__year")
        .annotate(n=Count("id"), december=Count("id", filter=Q(awarded_on__month=12)), total=Sum("amount"))
        .order_by()
    )
    by_year = defaultdict(list)
    for row in rows:
        if row["n"] >= 5:
            row["share"] = (Decimal(row["december"]) / row["n"]).quantize(Decimal("0.0001"))
            by_year[row["awarded_on__year"]].append(row)
    hits = []
    for year, group in by_year.items():
        if len(group) < 4:
            continue
        f = fences([row["share"] for row in group])
        for row in group:
            if row["share"] > f["upper"]:
                hits.append(
                    Hit(
                        code="year_end_rush",
                        subject_type="administrator",
                        subject_key=row["administrator__code"],
                        title=f"{row['december']} of {row['n']} awards in December {year}",
                        year=year,
                        administrator=row["administrator__code"],
                        amount=row["total"],
                        values={
                            "december": row["december"],
                            "awards": row["n"],
                            "share": str(row["share"]),
                            **{k: str(v) for k, v in f.items()},
                        },
                    )
                )
    return hits


def flag_state_dependency(today: datetime.date) -> list[Hit]:
    from scoring.indicators import REPORT_INCOME_FIELDS, REPORT_STATE_INCOME_FIELDS

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
                        "state_income": _money(state),
                        "total_income": _money(total),
                        "share": str(share.quantize(Decimal("0.0001"))),
                    },
                )
            )
    return hits


def flag_double_funding(today: datetime.date) -> Iterator[Hit]:
    """Awards streamed in (recipient, field) order: one recipient-and-field group is held at a time."""
    rows = (
        _state_awards()
        .filter(field__isnull=False)
        .values(*AWARD_VALUES, "field_id", "starts_on", "ends_on")
        .order_by("recipient_id", "field_id", "id")
    )
    group, current = [], None
    for row in rows.iterator(chunk_size=2000):
        if (row["recipient_id"], row["field_id"]) != current:
            yield from _double_funded(group)
            group, current = [], (row["recipient_id"], row["field_id"])
        row["start"] = row["starts_on"] or row["awarded_on"]
        row["end"] = row["ends_on"] or row["start"]
        group.append(row)
    yield from _double_funded(group)


def _double_funded(group: list[dict]) -> Iterator[Hit]:
    if len({r["administrator__code"] for r in group}) < 2:
        return
    for row in group:
        overlapping = [
            o
            for o in group
            if o["administrator__code"] != row["administrator__code"]
            and o["start"] <= row["end"]
            and row["start"] <= o["end"]
        ]
        if overlapping:
            yield _award_hit(
                "double_funding",
                row,
                {
                    "field": row["field_id"],
                    "other_administrators": sorted({o["administrator__code"] for o in overlapping}),
                },
                [_award_record(row)] + [_award_record(o) for o in overlapping],
            )


def flag_overdue_reporting(today: datetime.date) -> Iterator[Hit]:
    """Awards in id order, merged with their evaluations streamed in the same order: nothing is held beyond
    one award's evaluations."""
    evaluations = Evaluation.objects.order_by("award_id", "id").values_list(
        "award_id", "report_due_on", "report_received_on"
    )
    with _stream(evaluations) as pending:
        evaluation = next(pending, None)
        rows = (
            _state_awards()
            .filter(ends_on__lt=today)
            .exclude(status=Award.Status.TERMINATED)
            .values(*AWARD_VALUES, "ends_on")
            .order_by("id")
        )
        for row in rows.iterator(chunk_size=2000):
            while evaluation is not None and evaluation[0] < row["id"]:
                evaluation = next(pending, None)
            recorded = []
            while evaluation is not None and evaluation[0] == row["id"]:
                recorded.append(evaluation[1:])
                evaluation = next(pending, None)
            if recorded:
                late = [(due, received) for due, received in recorded if received is None and due < today]
                if late and not any(received for _due, received in recorded):
                    yield _award_hit(
                        "overdue_reporting",
                        row,
                        {"ended": row["ends_on"].isoformat(), "report_due": late[0][0].isoformat()},
                    )
            elif row["ends_on"] + datetime.timedelta(days=REPORT_GRACE_DAYS) < today:
                yield _award_hit(
                    "overdue_reporting",
                    row,
                    {"ended": row["ends_on"].isoformat(), "report_due": None, "evaluation": "none recorded"},
                )


def flag_ineligible_recipient(today: datetime.date) -> Iterator[Hit]:
    from registry.selectors import organisation_status_on

    ceased = (  # only organisations that were liquidated or reorganised and received state money
        Organisation.objects.filter(status_events__kind__in=("liquidated", "reorganised"))
        .filter(pk__in=_state_awards().values("recipient_id"))
        .distinct()
        .prefetch_related("status_events")
    )
    organisations = {o.pk: o for o in ceased}
    rows = _state_awards().values(*AWARD_VALUES, "recipient__legal_form_id", "recipient__legal_form__ngo_eligible")
    for row in rows.order_by("id").iterator(chunk_size=2000):
        if not row["recipient__legal_form__ngo_eligible"]:
            yield _award_hit("ineligible_recipient", row, {"legal_form": row["recipient__legal_form_id"]})
        elif row["recipient_id"] in organisations:
            status, _event = organisation_status_on(organisations[row["recipient_id"]], row["awarded_on"])
            if status in ("liquidated", "reorganised"):
                yield _award_hit("ineligible_recipient", row, {"status_on_award_date": status})


def flag_self_report_mismatch(today: datetime.date) -> Iterator[Hit]:
    """Reports in (organisation, year) order, merged with the payments summed in the same order: neither
    side is held."""
    from scoring.indicators import REPORT_STATE_INCOME_FIELDS

    paid_rows = (
        _state_awards()
        .filter(payments__isnull=False)
        .values("recipient_id", "payments__paid_on__year")
        .annotate(total=Sum("payments__amount"))
        .order_by("recipient_id", "payments__paid_on__year")
        .values_list("recipient_id", "payments__paid_on__year", "total")
    )
    with _stream(paid_rows) as pending:
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
                            "declared": _money(declared),
                            "recorded_paid": _money(recorded),
                            "difference": _money(difference),
                        },
                    )
                )


FLAG_FUNCTIONS = {
    "concentration": flag_concentration,
    "single_applicant": flag_single_applicant,
    "captive_recipient": flag_captive_recipient,
    "new_born": flag_new_born,
    "not_reporting": flag_not_reporting,
    "shared_contacts": flag_shared_contacts,
    "threshold_splitting": flag_threshold_splitting,
    "price_outlier": flag_price_outlier,
    "year_end_rush": flag_year_end_rush,
    "state_dependency": flag_state_dependency,
    "double_funding": flag_double_funding,
    "overdue_reporting": flag_overdue_reporting,
    "ineligible_recipient": flag_ineligible_recipient,
    "self_report_mismatch": flag_self_report_mismatch,
}
