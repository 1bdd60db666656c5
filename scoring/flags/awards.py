"""Flags on awards: new-born or non-reporting or ineligible recipients, threshold splitting, price outliers,
double funding, overdue reporting."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Exists, OuterRef

from funding.models import Award, Evaluation, Mechanism
from funding.reference import (
    PRICE_DUMPING_CAP,
    PRICE_DUMPING_SINCE,
    SPLIT_THRESHOLD_MCI,
    mci_for,
    split_threshold,
)
from registry.bin import bin_decode
from registry.models import Organisation, OrganisationField, YearlyReport, report_due_on
from registry.selectors import organisation_status_on
from scoring.flags.catalogue import (
    AWARD_VALUES,
    DOUBLE_FUNDING_AMOUNT_RATIO,
    NEWBORN_MONTHS,
    NOT_REPORTING_SINCE,
    REPORT_GRACE_DAYS,
    SPLIT_SHARE,
    SPLIT_WINDOW_DAYS,
    Hit,
    award_hit,
    award_record,
    state_awards,
    stream,
)
from scoring.flags.statistics import fences, money_text, months_between


def new_born_find(*, today: datetime.date) -> list[Hit]:
    hits = []
    rows = state_awards().values(*AWARD_VALUES, "recipient__registered_on", "recipient__bin")
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
                award_hit("new_born", row, {"registered": registered.isoformat(), "source": source, "months": months})
            )
    return hits


def not_reporting_find(*, today: datetime.date) -> Iterator[Hit]:
    """Awards in recipient order, merged with the reports streamed in the same order: one recipient's reports
    are held at a time, whatever the size of the registry."""
    reports = YearlyReport.objects.order_by("organisation_id").values_list("organisation_id", "year", "submitted_on")
    with stream(reports) as pending:
        report = next(pending, None)
        awards = state_awards().filter(awarded_on__gte=datetime.date(NOT_REPORTING_SINCE, 1, 1))
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
                yield award_hit(
                    "not_reporting",
                    row,
                    {"report_year": previous, "filed_on": submitted.isoformat() if submitted else None},
                )


def threshold_splitting_find(*, today: datetime.date) -> list[Hit]:
    rows = (
        state_awards()
        .filter(competition__isnull=True)
        .values(*AWARD_VALUES)
        .order_by("administrator__code", "recipient_id", "awarded_on", "id")
    )
    by_pair = defaultdict(list)
    for row in rows:
        threshold = split_threshold(row["awarded_on"]) or Decimal(0)
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
                    award_hit(
                        "threshold_splitting",
                        row,
                        {
                            "amount": money_text(row["amount"]),
                            "threshold": money_text(threshold),
                            "threshold_mci": SPLIT_THRESHOLD_MCI,
                            "mci": mci_for(row["awarded_on"]),
                            "share": str((row["amount"] / threshold).quantize(Decimal("0.0001"))),
                            "min_share": str(SPLIT_SHARE),
                            "others_in_window": len(window),
                            "window_days": SPLIT_WINDOW_DAYS,
                        },
                        [award_record(row)] + [award_record(o) for o in window],
                    )
                )
    return hits


def price_outlier_find(*, today: datetime.date) -> Iterator[Hit]:
    """Two passes: the ratios of each peer group (as integers in ten-thousandths) for the fences, then the
    awards again, streamed, against them; no award row is held. Only awards that are the one award on their lot
    are judged (a state-grant theme's lot is shared by several winners under one plan)."""
    rows = (
        state_awards()
        .filter(lot__isnull=False, lot__planned_amount__gt=0)
        # A lot shared by several winners has one plan for all of them: no single award's price reads against it.
        .exclude(Exists(Award.objects.filter(lot_id=OuterRef("lot_id")).exclude(pk=OuterRef("pk"))))
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
            yield award_hit(
                "price_outlier",
                row,
                {
                    "ratio": str(value),
                    "planned": money_text(row["lot__planned_amount"]),
                    **{k: str(v) for k, v in f.items()},
                },
            )


def double_funding_find(*, today: datetime.date) -> Iterator[Hit]:
    """Awards streamed in (recipient, field) order: one recipient-and-field group is held at a time."""
    rows = (
        state_awards()
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


def similar_projects(one: dict, other: dict) -> bool:
    """DOMAIN §5's "similar project" as the records can tell it: the same field (the caller's grouping), the
    same region of the award (a missing region matches nothing) and comparable amounts (the smaller at least
    DOUBLE_FUNDING_AMOUNT_RATIO of the larger)."""
    if one["region_id"] is None or one["region_id"] != other["region_id"]:
        return False
    small, large = sorted((one["amount"], other["amount"]))
    return small >= large * DOUBLE_FUNDING_AMOUNT_RATIO


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
            and similar_projects(row, o)
        ]
        if overlapping:
            closest = max(min(row["amount"], o["amount"]) / max(row["amount"], o["amount"]) for o in overlapping)
            yield award_hit(
                "double_funding",
                row,
                {
                    "field": row["field_id"],
                    "other_administrators": sorted({o["administrator__code"] for o in overlapping}),
                    "amount_ratio": str(closest.quantize(Decimal("0.0001"))),
                    "min_amount_ratio": str(DOUBLE_FUNDING_AMOUNT_RATIO),
                },
                [award_record(row)] + [award_record(o) for o in overlapping],
            )


def overdue_reporting_find(*, today: datetime.date) -> Iterator[Hit]:
    """Awards in id order, merged with their evaluations streamed in the same order: nothing is held beyond
    one award's evaluations."""
    evaluations = Evaluation.objects.order_by("award_id", "id").values_list(
        "award_id", "report_due_on", "report_received_on"
    )
    with stream(evaluations) as pending:
        evaluation = next(pending, None)
        rows = (
            state_awards()
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
                    yield award_hit(
                        "overdue_reporting",
                        row,
                        {"ended": row["ends_on"].isoformat(), "report_due": late[0][0].isoformat()},
                    )
            elif row["ends_on"] + datetime.timedelta(days=REPORT_GRACE_DAYS) < today:
                yield award_hit(
                    "overdue_reporting",
                    row,
                    {"ended": row["ends_on"].isoformat(), "report_due": None, "evaluation": "none recorded"},
                )


def ineligible_recipient_find(*, today: datetime.date) -> Iterator[Hit]:
    ceased = (  # only organisations that were liquidated or reorganised and received state money
        Organisation.objects.filter(status_events__kind__in=("liquidated", "reorganised"))
        .filter(pk__in=state_awards().values("recipient_id"))
        .distinct()
        .prefetch_related("status_events")
    )
    organisations = {o.pk: o for o in ceased}
    rows = state_awards().values(*AWARD_VALUES, "recipient__legal_form_id", "recipient__legal_form__ngo_eligible")
    for row in rows.order_by("id").iterator(chunk_size=2000):
        if not row["recipient__legal_form__ngo_eligible"]:
            yield award_hit("ineligible_recipient", row, {"legal_form": row["recipient__legal_form_id"]})
        elif row["recipient_id"] in organisations:
            status, _event = organisation_status_on(organisations[row["recipient_id"]], row["awarded_on"])
            if status in ("liquidated", "reorganised"):
                yield award_hit("ineligible_recipient", row, {"status_on_award_date": status})


def price_dumping_find(*, today: datetime.date) -> Iterator[Hit]:
    """Social-order awards from competitions announced since the 2015 reform whose amount as first awarded
    (amendments aside) is more than PRICE_DUMPING_CAP below its lot's planned amount."""
    floor = 1 - PRICE_DUMPING_CAP
    rows = (
        Award.objects.filter(
            mechanism=Mechanism.SOCIAL_ORDER,
            lot__isnull=False,
            competition__announced_on__gte=PRICE_DUMPING_SINCE,
        )
        .values(*AWARD_VALUES, "amount_awarded", "lot__planned_amount", "competition__announced_on")
        .order_by("id")
    )
    for row in rows.iterator(chunk_size=2000):
        planned = row["lot__planned_amount"]
        if row["amount_awarded"] < planned * floor:
            yield award_hit(
                "price_dumping",
                row,
                {
                    "amount_awarded": money_text(row["amount_awarded"]),
                    "planned": money_text(planned),
                    "ratio": str((row["amount_awarded"] / planned).quantize(Decimal("0.0001"))),
                    "floor": money_text(planned * floor),
                    "cap": str(PRICE_DUMPING_CAP),
                    "announced": row["competition__announced_on"].isoformat(),
                },
            )


def charter_mismatch_find(*, today: datetime.date) -> Iterator[Hit]:
    """State awards whose field of activity is not among the recipient's recorded fields (which stand for its
    charter activities); a recipient with no field recorded is not judged."""
    fields = OrganisationField.objects.filter(organisation=OuterRef("recipient_id"))
    rows = (
        state_awards()
        .filter(field__isnull=False)
        .filter(Exists(fields))
        .exclude(Exists(fields.filter(field=OuterRef("field_id"))))
        .values(*AWARD_VALUES, "field_id")
        .order_by("id")
    )
    hits = list(rows.iterator(chunk_size=2000))
    recorded: dict[int, list[str]] = defaultdict(list)
    for organisation, field in (
        OrganisationField.objects.filter(organisation_id__in={row["recipient_id"] for row in hits})
        .order_by("organisation_id", "field_id")
        .values_list("organisation_id", "field_id")
    ):
        recorded[organisation].append(field)
    for row in hits:
        yield award_hit(
            "charter_mismatch",
            row,
            {"field": row["field_id"], "recipient_fields": recorded[row["recipient_id"]]},
        )
