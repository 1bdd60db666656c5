"""The explorer's rollup (funding/models.py: AwardCell, AwardPeriodCell, the margins, RecipientCell,
RecipientTotal, RollupState): built once, kept current by the change events, summed by the explorer
(funding.selectors.funding_explorer).

- RecipientCell sums a recipient's awards per cell (year, mechanism, administrator, region, field, and years of
  activity); AwardPeriodCell and AwardCell are its sums over recipients, with and without the years of
  activity (the views without a period sum the fewer AwardCells); AdministratorMargin, RegionMargin and
  FieldMargin sum the AwardCells over two of those three (the views that neither filter nor group by them
  sum these, whose number barely grows with the awards); RecipientShare sums each recipient's cells per
  administrator, region and field (the top recipients' bound under a filter on one of them); YearRecipients
  counts each year's distinct recipients (the explorer without a filter).
- `funding_rollups_rebuild()` counts every award afresh: after seed_demo and any load that writes awards in
  bulk without announcing them, and nightly (scoring's summaries run) as a safety net.
- `funding_rollups_refresh(recipient_ids)` recounts the rows of these recipients (their RecipientCells and
  RecipientTotal), and the AwardPeriodCells, AwardCells and margins those rows were and are in; the receivers call it
  for every award_changed that can move a figure (a new award, an amended amount) and for a merge or its
  undo (the awards change recipient).

A refresh recomputes the touched cells from the awards rather than adding the event's old -> new deltas: the
events are delivered after commit and a failed listener is only logged (api.changes.announce), so added
deltas, once one is lost or applied twice, would stay wrong for good; a recount is idempotent and exact, and
costs one recipient's awards plus the few cells they sit in.
Writers serialise on the RollupState row (PostgreSQL row lock; SQLite has one writer anyway).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from api.planner import counts_add, key_filters
from funding.models import (
    ActiveYearRecipients,
    AdministratorMargin,
    AdministratorPeriodMargin,
    AdministratorYearRecipients,
    Award,
    AwardCell,
    AwardPeriodCell,
    FieldMargin,
    FieldPeriodMargin,
    GroupRecipients,
    RecipientCell,
    RecipientShare,
    RecipientTotal,
    RegionMargin,
    RegionPeriodMargin,
    RollupState,
    YearRecipients,
)
from funding.selectors import award_year

BATCH = 5000
# A cell's key, in the cells' column names: AwardCell's, and with the years of activity AwardPeriodCell's and
# (with the recipient) RecipientCell's.
TOTAL_KEY = ("year", "mechanism", "administrator_id", "region_id", "field_id")
KEY = (*TOTAL_KEY, "start_year", "end_year")
# The margins (AwardCells summed over two of administrator, region and field) and the one each keeps.
MARGINS = ((AdministratorMargin, "administrator_id"), (RegionMargin, "region_id"), (FieldMargin, "field_id"))
# The same of the AwardPeriodCells, with the years of activity.
PERIOD_MARGINS = (
    (AdministratorPeriodMargin, "administrator_id"),
    (RegionPeriodMargin, "region_id"),
    (FieldPeriodMargin, "field_id"),
)
DERIVED = (
    RecipientCell,
    AwardCell,
    AwardPeriodCell,
    *(margin for margin, _column in (*MARGINS, *PERIOD_MARGINS)),
    RecipientShare,
)
# Each recipient's totals per value of these (RecipientShare), from its recipient cells' columns.
SHARES = (
    (RecipientShare.Kind.ADMINISTRATOR, "administrator_id"),
    (RecipientShare.Kind.REGION, "region_id"),
    (RecipientShare.Kind.FIELD, "field_id"),
)
CellKey = tuple
# What is counted per recipient rather than summed from cells: each recipient's total and the distinct recipients.
COUNTED = (RecipientTotal, YearRecipients, ActiveYearRecipients, AdministratorYearRecipients, GroupRecipients)
# The years of an award's activity as the explorer's active_from/active_to read it (funding.filters.AwardFilter):
# from its start, else the day it was awarded, to its end, else the day it was awarded. A cell keeps them, so a
# period of whole years (from 1 January, to 31 December) is a sum of cells too.
ACTIVITY_PERIOD = {
    "start_year": ExtractYear(Coalesce("starts_on", "awarded_on")),
    "end_year": ExtractYear(Coalesce("ends_on", "awarded_on")),
}
# The award changes (funding.signals.award_changed's `changes`) that can move an explorer figure: the others
# (status, payments, evaluations, dates, title) leave every award in its cell with its amount.
MOVES_FIGURES = frozenset({"created", "amount", "recipient", "mechanism", "administrator", "region", "field"})


def _lock() -> RollupState:
    """The state row, locked for the rest of the transaction."""
    state, _created = RollupState.objects.select_for_update().get_or_create(pk=1)
    return state


def _grouped(awards: QuerySet[Award]):
    """The awards summed per recipient cell: dicts with the cell's columns, amount and awards."""
    return (
        awards.order_by()
        .annotate(year=award_year(), **ACTIVITY_PERIOD)
        .values(*KEY, "recipient_id")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by()
    )


def _period_margin_key(column: str) -> tuple[str, ...]:
    """A period margin's key: the margin's (year, mechanism, `column`) and the years of activity."""
    return ("year", "mechanism", column, "start_year", "end_year")


def _sum_cells(model, keys: tuple[str, ...], where: Q, source=RecipientCell) -> None:
    """Write `model`'s cells under `where` as sums of the `source` cells: AwardCells and AwardPeriodCells of the
    recipient cells, the margins of the AwardCells, the period margins of the AwardPeriodCells."""
    grouped = source.objects.filter(where).values(*keys).annotate(total=Sum("amount"), n=Sum("awards"))
    model.objects.bulk_create(
        (_cell(model, row) for row in grouped.order_by().iterator(chunk_size=BATCH)), batch_size=BATCH
    )


def _write_shares(cells: QuerySet[RecipientCell]) -> None:
    """The RecipientShares of these recipient cells' recipients (every recipient cell of theirs)."""
    for kind, column in SHARES:
        rows = cells.exclude(**{column: None}).values_list(column, "recipient_id").annotate(total=Sum("amount"))
        RecipientShare.objects.bulk_create(
            (
                RecipientShare(kind=kind, key=str(value), recipient_id=pk, amount=total)
                for value, pk, total in rows.order_by().iterator(chunk_size=BATCH)
            ),
            batch_size=BATCH,
        )
    RecipientShare.objects.bulk_create(
        (
            RecipientShare(kind=RecipientShare.Kind.ACTIVE_YEAR, key=str(year), recipient_id=pk, amount=total)
            for year, pk, total in _active_year_shares(cells)
        ),
        batch_size=BATCH,
    )


def _active_year_shares(cells: QuerySet[RecipientCell]) -> Iterator[tuple[int, int, Decimal]]:
    """(year, recipient, amount): each recipient's awards active in each year of their activity, from its cells
    summed by (recipient, start year, end year), read in recipient order so that one recipient is held at once."""
    rows = cells.values_list("recipient_id", "start_year", "end_year").annotate(total=Sum("amount"))
    ordered = rows.order_by("recipient_id").iterator(chunk_size=BATCH)
    for pk, spans in itertools.groupby(ordered, key=lambda row: row[0]):
        shares: dict[int, Decimal] = {}
        for _pk, start, end, total in spans:
            for year in range(start, end + 1):
                shares[year] = shares.get(year, Decimal(0)) + total
        yield from ((year, pk, amount) for year, amount in sorted(shares.items()))


def _cell(model, row: dict):
    """A cell from a grouped row (an annotation may not reuse a field's name)."""
    total, n = row.pop("total"), row.pop("n")
    return model(**row, amount=total, awards=n)


def _latest_award() -> int:
    return Award.objects.aggregate(latest=Max("id"))["latest"] or 0


@transaction.atomic
def funding_rollups_rebuild() -> int:
    """Count every award into its cells afresh; returns the number of RecipientCells (one per recipient and
    cell)."""
    state = _lock()
    through = _latest_award()
    awards = Award.objects.filter(pk__lte=through)
    for model in (*COUNTED, *DERIVED):
        model.objects.all().delete()
    RecipientCell.objects.bulk_create(
        (_cell(RecipientCell, row) for row in _grouped(awards).iterator(chunk_size=BATCH)), batch_size=BATCH
    )
    _sum_cells(AwardCell, TOTAL_KEY, Q())
    _sum_cells(AwardPeriodCell, KEY, Q())
    for margin, column in MARGINS:
        _sum_cells(margin, ("year", "mechanism", column), Q(), source=AwardCell)
    for margin, column in PERIOD_MARGINS:
        _sum_cells(margin, _period_margin_key(column), Q(), source=AwardPeriodCell)
    _count_year_recipients(None)
    _count_active_year_recipients(None)
    _count_administrator_recipients(None)
    _count_group_recipients()
    _write_shares(RecipientCell.objects.all())
    RecipientTotal.objects.bulk_create(
        (
            RecipientTotal(recipient_id=pk, amount=total)
            for pk, total in awards.order_by().values_list("recipient_id").annotate(Sum("amount")).iterator(BATCH)
        ),
        batch_size=BATCH,
    )
    state.awards_through, state.built_at = through, timezone.now()
    state.longest_activity = _longest(AwardPeriodCell.objects.all())
    state.save(update_fields=["awards_through", "built_at", "longest_activity"])
    with connection.cursor() as cursor:  # planner statistics for the refilled tables, on either database
        for model in (*COUNTED, *DERIVED):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return RecipientCell.objects.count()


def _count_year_recipients(years: set[int] | None) -> None:
    """Recount the distinct recipients of these years (every year for None) from the recipient cells."""
    cells = RecipientCell.objects.all() if years is None else RecipientCell.objects.filter(year__in=years)
    (YearRecipients.objects.all() if years is None else YearRecipients.objects.filter(year__in=years)).delete()
    YearRecipients.objects.bulk_create(
        YearRecipients(year=year, recipients=n)
        for year, n in cells.order_by().values_list("year").annotate(n=Count("recipient_id", distinct=True))
    )


def _count_active_year_recipients(years: set[int] | None) -> None:
    """Recount the distinct recipients of the awards active in these years (every year any award is active in,
    for None), by the year they were awarded and over every year, from the recipient cells: one statement per
    active year."""
    if years is None:
        spans = RecipientCell.objects.aggregate(first=Min("start_year"), last=Max("end_year"))
        years = set(range(spans["first"], spans["last"] + 1)) if spans["first"] is not None else set()
        ActiveYearRecipients.objects.all().delete()
    else:
        ActiveYearRecipients.objects.filter(active_year__in=years).delete()
    rows = []
    for active in sorted(years):
        cells = RecipientCell.objects.filter(start_year__lte=active, end_year__gte=active).order_by()
        by_year = list(cells.values_list("year").annotate(n=Count("recipient_id", distinct=True)))
        if not by_year:
            continue
        every = cells.aggregate(n=Count("recipient_id", distinct=True))["n"]
        rows += [ActiveYearRecipients(active_year=active, year=year, recipients=n) for year, n in by_year]
        rows.append(ActiveYearRecipients(active_year=active, year=0, recipients=every))
    ActiveYearRecipients.objects.bulk_create(rows, batch_size=BATCH)


def _count_administrator_recipients(keys: set[tuple[int, int]] | None) -> None:
    """Recount the distinct recipients of these (administrator, year)s (all of them for None)."""
    names = ("administrator_id", "year")
    wheres = [Q()] if keys is None else list(key_filters(keys, names))
    for where in wheres:
        AdministratorYearRecipients.objects.filter(where).delete()
        counted = (
            RecipientCell.objects.filter(where).values_list(*names).annotate(n=Count("recipient_id", distinct=True))
        )
        AdministratorYearRecipients.objects.bulk_create(
            (
                AdministratorYearRecipients(administrator_id=pk, year=year, recipients=n)
                for pk, year, n in counted.order_by().iterator(chunk_size=BATCH)
            ),
            batch_size=BATCH,
        )


# GroupRecipients' groups: by mechanism and region, by mechanism alone, by region alone ("" for the other), each
# in one year and over every year (0).
GROUPINGS = (("mechanism", "region_id"), ("mechanism",), ("region_id",))
GroupKey = tuple[str, str, int]


def _count_group_recipients() -> None:
    """Count the distinct recipients of every group from the recipient cells (the rebuild; a refresh adds)."""
    for names in GROUPINGS:
        cells = RecipientCell.objects.order_by()
        if "region_id" in names:
            cells = cells.filter(region__isnull=False)  # an award without a region is in no region's group
        for by_year in (True, False):
            columns = (*names, "year") if by_year else names
            counted = cells.values_list(*columns).annotate(n=Count("recipient_id", distinct=True))
            GroupRecipients.objects.bulk_create(
                (_group_row(dict(zip(columns, row[:-1], strict=True)), row[-1]) for row in counted.iterator(BATCH)),
                batch_size=BATCH,
            )


def _group_row(values: dict, recipients: int) -> GroupRecipients:
    return GroupRecipients(
        mechanism=values.get("mechanism", ""),
        region=values.get("region_id", ""),
        year=values.get("year", 0),
        recipients=recipients,
    )


def _groups(cells: Iterable[tuple[int, str, str | None, int]]) -> set[tuple[int, GroupKey]]:
    """Each (recipient, group) that cells (recipient, mechanism, region, year) put the recipient in."""
    found = set()
    for recipient, mechanism, region, year in cells:
        for y in (year, 0):
            found.add((recipient, (mechanism, "", y)))
            if region is not None:
                found.update({(recipient, (mechanism, region, y)), (recipient, ("", region, y))})
    return found


def _longest(cells: QuerySet) -> int:
    """The most years between a cell's start and end of activity."""
    return cells.aggregate(longest=Max(F("end_year") - F("start_year")))["longest"] or 0


@transaction.atomic
def funding_rollups_refresh(recipient_ids: Iterable[int], *, created_award_id: int | None = None) -> None:
    """Recount these recipients' rows and the cells they were or are in. A new award (`created_award_id`)
    moves RollupState on when every award before it is counted; otherwise the state says what it said, and
    the explorer keeps to the awards until the next rebuild. Never built: nothing to refresh."""
    ids = sorted(set(recipient_ids))
    state = _lock()
    if state.awards_through is None or not ids:
        return
    mine = RecipientCell.objects.filter(recipient_id__in=ids)
    touched: set[CellKey] = set(mine.values_list(*KEY))
    was_in = _groups(mine.values_list("recipient_id", "mechanism", "region_id", "year").distinct())
    mine.delete()
    awards = Award.objects.filter(recipient_id__in=ids)
    rows = [_cell(RecipientCell, row) for row in _grouped(awards)]
    RecipientCell.objects.bulk_create(rows, batch_size=BATCH)
    # Every cell of these recipients was replaced: a group gains those now in it and not before, loses the others.
    now_in = _groups((row.recipient_id, row.mechanism, row.region_id, row.year) for row in rows)
    joined = Counter(group for _recipient, group in now_in - was_in)
    joined.subtract(group for _recipient, group in was_in - now_in)
    counts_add(GroupRecipients, ("mechanism", "region", "year"), "recipients", joined)
    if any(change < 0 for change in joined.values()):  # a group no recipient is left in holds no row, as rebuilt
        GroupRecipients.objects.filter(recipients__lte=0).delete()
    touched.update(tuple(getattr(row, name) for name in KEY) for row in rows)
    longest = max((row.end_year - row.start_year for row in rows), default=0)
    if longest > state.longest_activity:  # a longer activity widens the range a period reads
        state.longest_activity = longest
        state.save(update_fields=["longest_activity"])
    RecipientShare.objects.filter(recipient_id__in=ids).delete()
    _write_shares(RecipientCell.objects.filter(recipient_id__in=ids))
    RecipientTotal.objects.filter(recipient_id__in=ids).delete()
    RecipientTotal.objects.bulk_create(
        RecipientTotal(recipient_id=pk, amount=total)
        for pk, total in awards.order_by().values_list("recipient_id").annotate(Sum("amount"))
    )
    if touched:
        _count_year_recipients({key[0] for key in touched})
        start, end = KEY.index("start_year"), KEY.index("end_year")
        _count_active_year_recipients({year for key in touched for year in range(key[start], key[end] + 1)})
        administrator = KEY.index("administrator_id")
        _count_administrator_recipients({(key[administrator], key[0]) for key in touched})
    # The margins last: they sum the AwardCells.
    steps = [(AwardPeriodCell, KEY, RecipientCell), (AwardCell, TOTAL_KEY, RecipientCell)]
    steps += [(margin, ("year", "mechanism", column), AwardCell) for margin, column in MARGINS]
    steps += [(margin, _period_margin_key(column), AwardPeriodCell) for margin, column in PERIOD_MARGINS]
    for model, names, source in steps:
        keys = {tuple(key[KEY.index(name)] for name in names) for key in touched}
        for cells in key_filters(keys, names):
            model.objects.filter(cells).delete()
            _sum_cells(model, names, cells, source=source)
    if created_award_id is not None:
        before = Award.objects.filter(pk__lt=created_award_id).aggregate(latest=Max("id"))["latest"] or 0
        if before == state.awards_through:
            state.awards_through = created_award_id
            state.save(update_fields=["awards_through"])
