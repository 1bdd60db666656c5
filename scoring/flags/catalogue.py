"""The catalogue of red flags (DOMAIN §5): what each looks at, its rule in plain words, why it matters, its
inputs, its threshold and its known false positives; and what a hit is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from funding.models import STATE_MECHANISMS, Award
from funding.reference import SPLIT_THRESHOLD_MCI

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


# ---------------------------------------------------------------- reading the records


@contextmanager
def stream(queryset, chunk_size: int = 5000) -> Iterator:
    """A queryset's rows, read in chunks and closed on leaving the block, so PostgreSQL's server-side cursor
    is released inside the transaction even when a merge stops before the last row."""
    rows = queryset.iterator(chunk_size=chunk_size)
    try:
        yield rows
    finally:
        rows.close()


def state_awards():
    return Award.objects.filter(mechanism__in=STATE_MECHANISMS)


def award_record(row: dict) -> dict:
    return {"type": "award", "key": row["public_id"], "label": row["title"]}


def award_hit(code: str, row: dict, values: dict, records: list | None = None) -> Hit:
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
        records=records or [award_record(row)],
    )


AWARD_VALUES = ("id", "public_id", "title", "awarded_on", "administrator__code", "region_id", "recipient_id", "amount")
