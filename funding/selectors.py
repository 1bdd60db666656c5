"""Every read of funding data beyond obj.field; totals are computed in SQL with Decimal sums."""

from __future__ import annotations

import datetime
import operator
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding.filters import (
    REGION_TODAY,
    REGIONS_TODAY,
    AwardFilter,
    administrator_family,
    region_today_expression,
    regions_today,
)
from funding.models import (
    ActiveYearRecipients,
    Administrator,
    AdministratorMargin,
    AdministratorOfficial,
    AdministratorPeriodMargin,
    AdministratorYearRecipients,
    Application,
    Award,
    AwardCell,
    AwardPeriodCell,
    CommissionMember,
    CommissionScore,
    Competition,
    Evaluation,
    FieldMargin,
    FieldPeriodMargin,
    FundingChange,
    GroupRecipients,
    Lot,
    Mechanism,
    Payment,
    Programme,
    PublishedTotal,
    RecipientCell,
    RecipientShare,
    RecipientTotal,
    RegionMargin,
    RegionPeriodMargin,
    RollupState,
    YearRecipients,
)
from registry.i18n import active_language, localized, localized_reader, localized_row
from registry.models import Organisation, OrganisationRole, Person
from registry.selectors import (
    DeferredJoinPaginator,
    RegionMapping,
    reference_data,
    region_mapping,
    region_succession,
    regions_mapped_to,
)

TOP = 20
REPUBLICAN = Q(administrator__budget_level=Administrator.BudgetLevel.REPUBLICAN)
LOCAL = Q(administrator__budget_level=Administrator.BudgetLevel.LOCAL)


@dataclass
class TotalRow:
    key: str
    label: str
    total: Decimal
    count: int
    org_id: str = ""  # recipients and administrators link to their pages
    detail: str = ""  # where two rows share a name: the BIN (or org-id) and region that tell them apart


@dataclass
class YearRow:
    year: int
    total: Decimal
    republican: Decimal
    local: Decimal
    count: int
    recipients: int
    published: Decimal | None = None
    published_known: bool = False  # a published figure exists for the year (its amount may be unknown)
    published_source: str = ""  # where the published figure comes from (every published figure names it)
    unknown_source: str = ""  # the year's social order volume is published as unknown (DOMAIN §3.1): where


@dataclass
class Explorer:
    filterset: AwardFilter
    page: object
    total: Decimal
    count: int
    recipients: int
    by_year: list[YearRow]
    by_mechanism: list[TotalRow]
    by_administrator: list[TotalRow]
    by_region: list[TotalRow]
    by_field: list[TotalRow]
    top_recipients: list[TotalRow]
    shows_published: bool
    regions_today: bool = False  # grouped by today's regions, former units mapped (docs/regions.md)
    region_mapping: list[RegionMapping] | None = None  # shown where today's regions are chosen
    region_options: list[tuple[str, list[tuple[str, str]]]] | None = None  # the region filter's, grouped
    administrator_options: list[tuple[str, list[tuple[str, str]]]] | None = None  # by name, grouped by kind


def award_rows(queryset: QuerySet[Award]) -> QuerySet[Award]:
    return queryset.select_related("recipient", "administrator", "field", "region").defer(
        "description", "recipient__search_text", "recipient__charter_activities"
    )


class Year(Func):
    """A date's year: native EXTRACT on PostgreSQL; on SQLite, where dates are ISO text, its first four
    characters (Django's ExtractYear calls a Python function there for every row)."""

    template = "CAST(EXTRACT(YEAR FROM %(expressions)s) AS integer)"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="CAST(SUBSTR(%(expressions)s, 1, 4) AS integer)", **extra_context
        )


def award_year() -> Year:
    return Year("awarded_on")


# The totals below read either awards or the rollup's cells (AwardCell, RecipientCell: `amount` summed, `awards`
# counted, `year` kept), which the explorer sums instead of the awards when it can (_rollup_cells).
Awards = QuerySet[Award] | QuerySet[AwardCell] | QuerySet[AwardPeriodCell] | QuerySet[RecipientCell]


def _count(queryset: Awards) -> Count | Sum:
    """The number of awards: counted, or the cells' counts summed."""
    return Count("id") if queryset.model is Award else Sum("awards")


def _year(queryset: Awards) -> Year | F:
    return award_year() if queryset.model is Award else F("year")


def _sums(queryset: Awards, key: str) -> QuerySet:
    return queryset.order_by().values(key).annotate(total=Sum("amount"), n=_count(queryset)).order_by("-total", key)


def totals_by_year(
    queryset: Awards, recipients: QuerySet[RecipientCell] | dict[int, int] | None = None
) -> list[YearRow]:
    """By year, from awards or from cells. An AwardCell does not know its recipients: with AwardCells,
    `recipients` (the same cells split by recipient) counts them, in a query of its own, or is already
    counted ({year: recipients}: YearRecipients, without a filter)."""
    per_year = {
        "total": Sum("amount"),
        "republican": Sum("amount", filter=REPUBLICAN),
        "local": Sum("amount", filter=LOCAL),
        "n": _count(queryset),
    }
    if recipients is None:
        per_year["recipients"] = Count("recipient", distinct=True)
        counted = {}
    elif isinstance(recipients, dict):
        counted = recipients
    else:
        counted = dict(recipients.order_by().values_list("year").annotate(n=Count("recipient", distinct=True)))
    rows = (
        queryset.order_by()
        .annotate(award_year=_year(queryset))
        .values("award_year")
        .annotate(**per_year)
        .order_by("award_year")
    )
    return [
        YearRow(
            r["award_year"],
            r["total"],
            r["republican"] or Decimal(0),
            r["local"] or Decimal(0),
            r["n"],
            r["recipients"] if recipients is None else counted.get(r["award_year"], 0),
        )
        for r in rows
    ]


def totals_by(queryset: Awards, key: str, limit: int | None = None) -> list[TotalRow]:
    """Totals by mechanism, field or region; by region, each award under its own region or, when the queryset
    was filtered for today's regions, under today's unit that continues it."""
    reference = reference_data()
    column = REGION_TODAY if key == "region" and regions_today(queryset) else key
    rows = list(_sums(queryset, column)[:limit] if limit else _sums(queryset, column))
    tables: dict[str, dict[str, Any]] = {
        "mechanism": dict(Mechanism.choices),
        "region": {code: r.name for code, r in reference.regions.items()},
        "field": {code: f.name for code, f in reference.fields.items()},
    }
    labels = tables[key]
    return [TotalRow(r[column] or "", str(labels.get(r[column], "—")), r["total"], r["n"]) for r in rows]


def totals_by_administrator(queryset: Awards, limit: int | None = TOP) -> list[TotalRow]:
    language = active_language()
    rows = (
        queryset.order_by()
        .values("administrator__code", "administrator__name_kk", "administrator__name_ru", "administrator__name_en")
        .annotate(total=Sum("amount"), n=_count(queryset))
        .order_by("-total", "administrator__code")
    )
    rows = rows[:limit] if limit else rows
    return [
        TotalRow(
            r["administrator__code"],
            localized_row(r, "administrator__name", language),
            r["total"],
            r["n"],
            r["administrator__code"],
        )
        for r in rows
    ]


def top_recipients(
    queryset: QuerySet[Award] | QuerySet[RecipientCell],
    limit: int | None = TOP,
    *,
    awards: int = 0,
    ranking: QuerySet | None = None,
) -> list[TotalRow]:
    """Recipients by money received: grouped on the award table (or the RecipientCells) alone, names fetched
    for the rows shown. Over the cells of more than GROUP_AT_MOST `awards`, looked for among the recipients
    with most money first (_leaders), in `ranking` (share_ranking) when given."""
    language = active_language()
    shown = None
    group_at_most = GROUP_AT_MOST if ranking is None else min(GROUP_AT_MOST, GROUP_AT_MOST_RANKED)
    if limit and awards > group_at_most and queryset.model is RecipientCell:
        shown = _leaders(queryset, limit, ranking)  # type: ignore[arg-type]  # the model checked just before
    if shown is None:
        shown = list(_by_recipient(queryset)[:limit] if limit else _by_recipient(queryset))
    names = (
        Organisation.objects.filter(pk__in=[r["recipient_id"] for r in shown])
        .only("bin", "local_id", "region_id", "name_kk", "name_ru", "name_en")
        .in_bulk()
    )
    result = [
        TotalRow(
            str(r["recipient_id"]),
            localized(names[r["recipient_id"]], "name", language),
            r["total"],
            r["n"],
            names[r["recipient_id"]].org_id,
        )
        for r in shown
    ]
    _tell_apart(result, {str(pk): organisation for pk, organisation in names.items()})
    return result


def _by_recipient(queryset: QuerySet[Award] | QuerySet[RecipientCell]) -> QuerySet:
    return (
        queryset.order_by()
        .values("recipient_id")
        .annotate(total=Sum("amount"), n=_count(queryset))
        .order_by("-total", "recipient_id")
    )


# How far down the recipients with most money overall _leaders looks, in rounds (times the rows shown), before
# grouping every cell; and how many awards the cells may hold for grouping them to be as quick (a few ms).
LEADER_DEPTHS = (10, 100)
GROUP_AT_MOST = 10_000
# With a ranking by the one administrator, region or field chosen the bound closes within the first rows: worth
# it from fewer awards (grouping one administrator's 10,000 awards took 17 ms on PostgreSQL at 10x).
GROUP_AT_MOST_RANKED = 1_000


def share_ranking(
    administrators: Sequence[int] = (),
    regions: Sequence[str] = (),
    fields: Sequence[str] = (),
    active_years: Sequence[int] = (),
) -> QuerySet | None:
    """The recipients ranked by what they received from the one administrator, in the one region or in the one
    field a filter chooses, or for activity in the one year a period of activity covers (RecipientShare), or
    None when no filter chooses exactly one (_leaders then ranks by the recipients' overall totals)."""
    for kind, values in (
        (RecipientShare.Kind.ADMINISTRATOR, administrators),
        (RecipientShare.Kind.REGION, regions),
        (RecipientShare.Kind.FIELD, fields),
        (RecipientShare.Kind.ACTIVE_YEAR, active_years),
    ):
        if len(values) == 1:
            shares = RecipientShare.objects.filter(kind=kind, key=str(values[0]))
            return shares.order_by("-amount", "recipient_id").values_list("recipient_id", "amount")
    return None


def _leaders(cells: QuerySet[RecipientCell], limit: int, ranking: QuerySet | None = None) -> list[dict] | None:
    """The top `limit` recipients of the filtered cells, looked for among the recipients with most money over
    all their awards (RecipientTotal), or from the one administrator, region or field the filter chooses
    (`ranking`): a recipient's filtered total is never more than that, so once the `limit`-th filtered total
    found exceeds the bound of every recipient not looked at, none of those can enter. Reads a few hundred or
    thousand rows instead of grouping every cell; None when the bound does not close within LEADER_DEPTHS (a
    filter that leaves the big recipients out: the caller groups the cells, few under such a filter)."""
    if ranking is None:
        ranking = RecipientTotal.objects.order_by("-amount", "recipient_id").values_list("recipient_id", "amount")
    for factor in LEADER_DEPTHS:
        depth = factor * limit
        leaders = list(ranking[: depth + 1])
        found = list(_by_recipient(cells.filter(recipient__in=[pk for pk, _ in leaders[:depth]]))[:limit])
        if len(leaders) <= depth:  # every recipient looked at
            return found
        if len(found) == limit and found[-1]["total"] > leaders[depth][1]:
            return found
    return None


def _tell_apart(rows: list[TotalRow], organisations: dict[str, Organisation]) -> None:
    """Rows that share a displayed name get what tells them apart: the BIN (the org-id without one) and the
    region, in the reader's language."""
    seen = Counter(row.label.casefold() for row in rows)
    regions = reference_data().regions
    for row in rows:
        if seen[row.label.casefold()] < 2:
            continue
        organisation = organisations[row.key]
        identity = _("BIN %(bin)s") % {"bin": organisation.bin} if organisation.bin else organisation.org_id
        region = regions.get(organisation.region_id or "")
        row.detail = f"{identity}, {region.name}" if region is not None else identity


def _national(filterset: AwardFilter) -> list[str] | None:
    """The mechanisms chosen when nothing but mechanisms and years is (None when other filters narrow it)."""
    data = filterset.form.cleaned_data if filterset.is_valid() else {}
    other = {k for k, v in data.items() if v and k not in ("mechanism", "year_from", "year_to", "region_view")}
    return None if other else list(data.get("mechanism") or [])


def _shows_published(filterset: AwardFilter) -> bool:
    """Published totals are comparable only when nothing but social order and years is selected."""
    return _national(filterset) == [Mechanism.SOCIAL_ORDER]


def _every_year(rows: list[YearRow], filterset: AwardFilter, shows_published: bool) -> list[YearRow]:
    """Every year from the first to the last with data, none vanishing: a year without awards is listed as
    such, and where the national social order volume is published as unknown (DOMAIN §3.1: 2010) the year
    says so with its source, whenever the view covers social order nationally; the published totals beside
    the awards' when only social order is chosen. One query, whatever the filters."""
    data = filterset.form.cleaned_data if filterset.is_valid() else {}
    published = PublishedTotal.objects.filter(mechanism=Mechanism.SOCIAL_ORDER, budget_level="all")
    if data.get("year_from"):
        published = published.filter(year__gte=data["year_from"])
    if data.get("year_to"):
        published = published.filter(year__lte=data["year_to"])
    mechanisms = _national(filterset)
    covers_social_order = mechanisms is not None and (not mechanisms or Mechanism.SOCIAL_ORDER in mechanisms)
    by_year = {row.year: row for row in rows}
    for year, amount, source in published.values_list("year", "amount", "source"):
        if shows_published or (covers_social_order and amount is None):
            row = by_year.setdefault(year, YearRow(year, Decimal(0), Decimal(0), Decimal(0), 0, 0))
            if shows_published:
                row.published, row.published_known, row.published_source = amount, True, source
            if amount is None:
                row.unknown_source = source
    if by_year:
        for year in range(min(by_year), max(by_year) + 1):
            by_year.setdefault(year, YearRow(year, Decimal(0), Decimal(0), Decimal(0), 0, 0))
    return sorted(by_year.values(), key=lambda r: r.year)


def administrator_options() -> list[tuple[str, list[tuple[str, str]]]]:
    """The administrator filter's choices: (kind, [(code, name)]) in the reader's language, by name within
    each kind, kinds in their order; the code stays the value, so URLs and the API keep it. One query."""
    name = localized_reader("name", active_language())
    grouped: dict[str, list[tuple[str, str]]] = {}
    for row in Administrator.objects.order_by().values("code", "kind", "name_kk", "name_ru", "name_en"):
        grouped.setdefault(row["kind"], []).append((row["code"], name(row) or row["code"]))
    return [
        (str(label), sorted(grouped[kind], key=lambda option: option[1].casefold()))
        for kind, label in Administrator.Kind.choices
        if kind in grouped
    ]


def region_options(today: bool) -> list[tuple[str, list[tuple[str, str]]]]:
    """The explorer's region filter: today's units, then (as they were) the former ones with their dates."""
    regions = reference_data().regions.values()
    options = [(str(_("Current units")), [(r.code, r.name) for r in regions if r.is_current])]
    if not today:
        former = [(r.code, f"{r.name}, {r.validity}") for r in regions if not r.is_current]
        options.append((str(_("Former units")), former))
    return options


# The explorer's filters that are dimensions of the rollup (funding/rollups.py). With any other the totals are
# counted from the awards per request: amount_min and amount_max pick single awards, and active_from and
# active_to on any day but 1 January and 31 December cut through a year of activity (whole years are the
# cells' start and end years: _activity_years); and so are they with an invalid filter, or while the rollup
# does not count every award (RollupState).
ROLLUP_FILTERS = frozenset(
    {"mechanism", "administrator", "budget", "region", "region_view", "field", "year_from", "year_to", "recipient"}
)


def _whole_years(data: dict) -> bool:
    """Do active_from and active_to (either may be absent) fall on 1 January and 31 December?"""
    since, until = data.get("active_from"), data.get("active_to")
    return (not since or (since.month, since.day) == (1, 1)) and (not until or (until.month, until.day) == (12, 31))


def _activity_years(data: dict) -> Q:
    """active_from and active_to on whole years (_whole_years) as the cells' years of activity
    (funding.rollups.ACTIVITY_PERIOD): active from 1 January of a year is ending in it or later, active to
    31 December starting in it or before. No activity lasts more than RollupState.longest_activity years, so the
    end years also lie within a bounded range, which their index reads instead of every cell."""
    since, until = data.get("active_from"), data.get("active_to")
    if not since and not until:
        return Q()
    longest = RollupState.objects.values_list("longest_activity", flat=True).first() or 0
    where = Q()
    if since:
        where &= Q(end_year__gte=since.year, start_year__gte=since.year - longest)
    if until:
        where &= Q(start_year__lte=until.year, end_year__lte=until.year + longest)
    return where


def rollup_current() -> bool:
    """Do the rollup's cells count every award: built, and no award written since beyond the last counted?"""
    latest = Award.objects.order_by("-pk").values("pk")[:1]
    counted = Coalesce(Subquery(latest), Value(0), output_field=BigIntegerField())
    return RollupState.objects.filter(pk=1, awards_through=counted).exists()


@dataclass
class _Dimensions:
    """The rollup filters as AwardFilter applies them to the awards, on the cells' columns, by dimension
    ("years": award years and years of activity, "mechanism", "administrator" with budget, "region", "field"),
    and the administrators, regions, fields and years of activity chosen (for share_ranking)."""

    filters: dict[str, Q]
    administrators: list[int]
    regions: list[str]
    fields: list[str]
    active_years: list[int]


def _dimensions(filterset: AwardFilter) -> _Dimensions:
    """Worked out once per request (the administrator's family is a query)."""
    known = getattr(filterset, "_rollup_dimensions", None)
    if known is not None:
        return known
    data = filterset.form.cleaned_data
    today = data.get("region_view") == REGIONS_TODAY
    years = _activity_years(data)
    if data.get("year_from") is not None:
        years &= Q(year__gte=data["year_from"])
    if data.get("year_to") is not None:
        years &= Q(year__lte=data["year_to"])
    filters = {"years": years, "mechanism": Q(), "administrator": Q(), "region": Q(), "field": Q()}
    administrators = (administrator_family(data["administrator"]) or []) if data.get("administrator") else []
    regions = list(data.get("region") or ())
    if regions and today:
        regions = regions_mapped_to(regions)
    if data.get("mechanism"):
        filters["mechanism"] = Q(mechanism__in=data["mechanism"])
    if data.get("administrator"):
        filters["administrator"] &= Q(administrator__in=administrators)
    if data.get("budget"):
        filters["administrator"] &= Q(administrator__budget_level__in=data["budget"])
    if data.get("region"):
        filters["region"] = Q(region__in=regions)
    if data.get("field"):
        filters["field"] = Q(field__in=data["field"])
    since, until = data.get("active_from"), data.get("active_to")
    active_years = list(range(since.year, until.year + 1)) if since and until and _whole_years(data) else []
    known = _Dimensions(filters, administrators, regions, list(data.get("field") or ()), active_years)
    filterset._rollup_dimensions = known  # a per-request memo on the filterset
    return known


def _rollup_cells(filterset: AwardFilter) -> tuple[QuerySet, QuerySet[RecipientCell]] | None:
    """The cells holding the filtered awards: (AwardCells, or AwardPeriodCells under a period of activity, for
    the additive totals, RecipientCells for the
    recipients), both RecipientCells under a recipient filter; None when the awards must be counted instead
    (ROLLUP_FILTERS)."""
    if not filterset.is_valid():
        return None
    data = filterset.form.cleaned_data
    others = (key for key, value in data.items() if value and key not in ROLLUP_FILTERS)
    if not _whole_years(data) or any(key not in ("active_from", "active_to") for key in others):
        return None
    if not rollup_current():
        return None
    where = reduce(operator.and_, _dimensions(filterset).filters.values())
    recipients = RecipientCell.objects.filter(where)
    period = data.get("active_from") or data.get("active_to")
    cells: QuerySet = (AwardPeriodCell if period else AwardCell).objects.filter(where)
    if data.get("recipient"):
        recipients = cells = recipients.filter(recipient=data["recipient"])
    if data.get("region_view") == REGIONS_TODAY:
        cells = cells.annotate(**{REGION_TODAY: region_today_expression()})
    return cells, recipients


# The margin that keeps each dimension (funding.models._AwardMargin): it answers the totals that neither filter
# nor group by the other two. "totals": the overall figures and those by year, mechanism and administrator.
MARGIN_OF: dict[str, tuple[str, type[AdministratorMargin | RegionMargin | FieldMargin]]] = {
    "totals": ("administrator", AdministratorMargin),
    "region": ("region", RegionMargin),
    "field": ("field", FieldMargin),
}


# The same for the AwardPeriodCells under a period of activity.
PERIOD_MARGIN_OF: dict[str, type[AdministratorPeriodMargin | RegionPeriodMargin | FieldPeriodMargin]] = {
    "totals": AdministratorPeriodMargin,
    "region": RegionPeriodMargin,
    "field": FieldPeriodMargin,
}


def _margins(filterset: AwardFilter, cells: QuerySet) -> dict[str, QuerySet]:
    """What each part of the explorer sums ("totals", "region", "field"): the AwardCells (AwardPeriodCells under a
    period of activity), or where the filters leave two of administrator, region and field free, the margin
    that keeps the third: its far fewer rows grow little with the awards (the unfiltered explorer summed 29,516
    cells per breakdown at ten times the national size; the margins hold 1,819, 1,100 and 550)."""
    views = dict.fromkeys(MARGIN_OF, cells)
    if cells.model not in (AwardCell, AwardPeriodCell):
        return views
    filters = _dimensions(filterset).filters
    for part, (kept, margin) in MARGIN_OF.items():
        summed_out = [name for name in ("administrator", "region", "field") if name != kept]
        if any(filters[name] for name in summed_out):
            continue
        model = margin if cells.model is AwardCell else PERIOD_MARGIN_OF[part]
        views[part] = model.objects.filter(filters["years"] & filters["mechanism"] & filters[kept])
        if part == "region" and regions_today(cells):
            views[part] = views[part].annotate(**{REGION_TODAY: region_today_expression()})
    return views


def _recipient_group(filterset: AwardFilter, others: set[str]) -> tuple[str, str] | None:
    """(mechanism, region), "" for either not chosen, when the only filters choose one mechanism, one region (of
    the cells: a region of today's map may stand for several) or one of each: a GroupRecipients group."""
    if not others or not others <= {"mechanism", "region"}:
        return None
    mechanisms = filterset.form.cleaned_data.get("mechanism") or []
    regions = _dimensions(filterset).regions
    if len(mechanisms) > 1 or len(regions) > 1 or ("region" in others and not regions):
        return None
    return (mechanisms[0] if mechanisms else "", regions[0] if regions else "")


def funding_explorer(data: QueryDict, page_number) -> Explorer:
    filterset = AwardFilter(data, queryset=Award.objects.all())
    queryset = filterset.qs
    rollup = _rollup_cells(filterset)
    cells, recipients = rollup or (queryset, queryset)
    ranking = None
    if rollup:
        chosen = _dimensions(filterset)
        ranking = share_ranking(chosen.administrators, chosen.regions, chosen.fields, chosen.active_years)
    views = _margins(filterset, cells) if rollup else dict.fromkeys(MARGIN_OF, cells)
    # Every award (today's regions or not): every recipient has its RecipientTotal, every year its YearRecipients;
    # the awards active in one whole year, and no other filter: ActiveYearRecipients; one mechanism, one region
    # or one of each, and no other filter: GroupRecipients.
    others = {k for k, v in filterset.form.cleaned_data.items() if v and k != "region_view"}
    unfiltered = rollup and not others
    active = _dimensions(filterset).active_years if rollup and others <= {"active_from", "active_to"} else []
    group = _recipient_group(filterset, others) if rollup else None
    per_year: QuerySet[RecipientCell] | dict[int, int] = recipients
    if unfiltered or len(active) == 1 or group:
        overall = views["totals"].order_by().aggregate(total=Sum("amount"), n=_count(cells))
        if unfiltered:
            overall["recipients"] = RecipientTotal.objects.count()
            per_year = dict(YearRecipients.objects.values_list("year", "recipients"))
        else:
            counted = (
                GroupRecipients.objects.filter(mechanism=group[0], region=group[1])
                if group
                else ActiveYearRecipients.objects.filter(active_year=active[0])
            )
            per_year = dict(counted.values_list("year", "recipients"))
            overall["recipients"] = per_year.pop(0, 0)
    else:
        overall = recipients.order_by().aggregate(
            total=Sum("amount"), n=_count(recipients), recipients=Count("recipient", distinct=True)
        )
    shows_published = _shows_published(filterset)
    by_year = _every_year(totals_by_year(views["totals"], per_year if rollup else None), filterset, shows_published)
    # The awards listed were awarded in the years the totals found them in: the list walks the date index from
    # the last of them (a period of activity years ago otherwise passes every later award first).
    years = [row.year for row in by_year if row.count]
    listed = queryset
    if years:
        listed = queryset.filter(awarded_on__range=(datetime.date(min(years), 1, 1), datetime.date(max(years), 12, 31)))
    paginator = DeferredJoinPaginator(
        listed.order_by("-awarded_on", "-id"), settings.DIRECTORY_PAGE_SIZE, rows=award_rows
    )
    paginator.count = overall["n"] or 0  # known already: no second COUNT
    today = regions_today(queryset)
    page = paginator.get_page(page_number)
    if today:
        succession = region_succession()
        for award in page.object_list:
            award.region_today = succession.regions.get(succession.today.get(award.region_id or "", ""))
    return Explorer(
        filterset=filterset,
        page=page,
        total=overall["total"] or Decimal(0),
        count=overall["n"] or 0,
        recipients=overall["recipients"],
        by_year=by_year,
        by_mechanism=totals_by(views["totals"], "mechanism"),
        by_administrator=totals_by_administrator(views["totals"]),
        by_region=totals_by(views["region"], "region"),
        by_field=totals_by(views["field"], "field"),
        top_recipients=top_recipients(recipients, awards=overall["n"] or 0, ranking=ranking),
        shows_published=shows_published,
        regions_today=today,
        region_mapping=region_mapping() if today else None,
        region_options=region_options(today),
        administrator_options=administrator_options(),
    )


# ---------------------------------------------------------------- history


@dataclass
class HistoryRow:
    when: datetime.datetime
    record: str  # what was written: the award, a payment, a lot …
    field: str  # the field's label
    old: str
    new: str
    by: str  # the role, for whom, and the person, as the organisation's History tab shows people
    change: FundingChange


def _value_label(field: str, value: str, reference) -> str:
    """A stored history value as a reader wants it: labels for codes, the name for an organisation's org-id."""
    if not value:
        return ""
    if field in ("field", "region"):
        table = reference.fields if field == "field" else reference.regions
        return table[value].name if value in table else value
    choices = {
        "mechanism": Mechanism,
        "status": Award.Status,
        "kind": Payment.Kind,
        "outcome": Application.Outcome,
        "result": Evaluation.Result,
    }
    if field in choices and value in choices[field].values:
        return str(choices[field](value).label)
    return value


_RECORD_MODELS = {
    FundingChange.Record.PROGRAMME: Programme,
    FundingChange.Record.COMPETITION: Competition,
    FundingChange.Record.LOT: Lot,
    FundingChange.Record.APPLICATION: Application,
    FundingChange.Record.AWARD: Award,
    FundingChange.Record.STATUS: Award,
    FundingChange.Record.PAYMENT: Payment,
    FundingChange.Record.AMENDMENT: Award,
    FundingChange.Record.EVALUATION: Evaluation,
    FundingChange.Record.OFFICIAL: AdministratorOfficial,
}
# Fields of the people records (issue 17) that are not model fields: a commission seat on its competition, a score
# on its application.
_PEOPLE_FIELDS = {"commission": gettext_lazy("evaluation commission"), "score": gettext_lazy("commission score")}


def _field_label(record: str, field: str) -> str:
    model = _RECORD_MODELS[FundingChange.Record(record)]
    if field in _PEOPLE_FIELDS:
        return str(_PEOPLE_FIELDS[field])
    try:
        return str(getattr(model._meta.get_field(field), "verbose_name", field))
    except FieldDoesNotExist:
        return field.replace("_", " ")


def record_history(*, award: Award | None = None, competition: Competition | None = None) -> list[HistoryRow]:
    """Every recorded write to an award (its payments, amendments, status, evaluations) or to a competition
    (its lots and applications), newest first, in words: a constant number of queries."""
    changes = FundingChange.objects.select_related("user", "on_behalf_of")
    changes = changes.filter(award=award) if award is not None else changes.filter(competition=competition)
    reference, language = reference_data(), active_language()
    rows = []
    for change in changes.order_by("-changed_at", "-id")[:500]:
        person = change.user.get_full_name() or change.user.get_username()
        role = str(change.get_source_display())
        if change.on_behalf_of is not None:
            role = _("an officer of %(administrator)s") % {
                "administrator": localized(change.on_behalf_of, "name", language)
            }
        rows.append(
            HistoryRow(
                when=change.changed_at,
                record=str(change.get_record_display()),
                field=_field_label(change.record, change.field),
                old=_value_label(change.field, change.old_value, reference),
                new=_value_label(change.field, change.new_value, reference),
                by=f"{role} ({person})",
                change=change,
            )
        )
    return rows


# ---------------------------------------------------------------- one competition


def competition_detail(public_id: str) -> Competition:
    """A competition with its lots, each lot's applications (with the commission's scores) and awards (the
    winners), and its commission, in a constant number of queries. Each lot carries its `score_table`."""
    applications = (
        Application.objects.select_related("applicant__legal_form", "applicant__region")
        .prefetch_related(Prefetch("scores", queryset=_scores()))
        .order_by("outcome", "id")
    )
    awards = Award.objects.select_related("recipient").order_by("id")
    lots = (
        Lot.objects.select_related("field", "region")
        .prefetch_related(Prefetch("applications", queryset=applications), Prefetch("awards", queryset=awards))
        .order_by("number")
    )
    competition = (
        Competition.objects.select_related("administrator__parent", "programme__field")
        .prefetch_related(Prefetch("lots", queryset=lots), Prefetch("commission", queryset=commission_seats()))
        .get(public_id=public_id)
    )
    _attach_score_tables(competition)
    return competition


# ---------------------------------------------------------------- one award


def award_detail(public_id: str) -> Award:
    """An award with its history and, when it came from a competition, every lot's applicants with the
    commission's scores (each lot's `score_table`) and the commission: a constant number of queries."""
    applications = (
        Application.objects.select_related("applicant__legal_form")
        .prefetch_related(Prefetch("scores", queryset=_scores()))
        .order_by("lot_id", "outcome", "id")
    )
    lots = (
        Lot.objects.select_related("field", "region")
        .prefetch_related(Prefetch("applications", queryset=applications))
        .order_by("number")
    )
    award = (
        Award.objects.select_related(
            "recipient__legal_form",
            "recipient__region",
            "administrator__parent",
            "competition__programme",
            "lot__field",
            "lot__region",
            "field",
            "region",
        )
        .prefetch_related(
            "status_events",
            "payments",
            "amendments",
            "evaluations",
            "recipient__fields",
            "recipient__status_events",
            Prefetch("competition__lots", queryset=lots),
            Prefetch("competition__commission", queryset=commission_seats()),
        )
        .get(public_id=public_id)
    )
    if award.competition is not None:
        _attach_score_tables(award.competition)
    return award


# ---------------------------------------------------------------- why the winner won (issue 17)


def commission_seats() -> QuerySet[CommissionMember]:
    """A competition's commission as its protocol lists it: by stage, the chair first, the secretary last."""
    role_order = Case(
        *(When(role=role, then=Value(i)) for i, role in enumerate(CommissionMember.Role.values)),
        default=Value(len(CommissionMember.Role.values)),
    )
    return (
        CommissionMember.objects.select_related("person")
        .annotate(role_order=role_order)
        .order_by("stage", "role_order", "id")
    )


def _scores() -> QuerySet[CommissionScore]:
    return CommissionScore.objects.select_related("member__person").order_by("id")


@dataclass
class ScoreColumn:
    member: CommissionMember
    criterion: str
    max_score: Decimal | None


@dataclass
class ScoreRow:
    application: Application
    cells: list[Decimal | None]  # one per column
    total: Decimal | None  # None when the application has no score
    rank: int | None  # 1 for the highest total; equal totals share a rank (1, 2, 2, 4)


@dataclass
class ScoreTable:
    """Applicants x (member, criterion): each member's score on each criterion, the total and the rank."""

    columns: list[ScoreColumn]
    rows: list[ScoreRow]

    @property
    def member_spans(self) -> list[tuple[CommissionMember, int]]:
        """The members in column order, each with the number of criteria it scored (a header's colspan)."""
        spans: list[tuple[CommissionMember, int]] = []
        for column in self.columns:
            if spans and spans[-1][0].pk == column.member.pk:
                spans[-1] = (column.member, spans[-1][1] + 1)
            else:
                spans.append((column.member, 1))
        return spans


def lot_score_table(lot: Lot) -> ScoreTable | None:
    """The lot's scoring table from its prefetched applications and scores (no query), or None when no
    application of the lot was scored. Columns follow the commission (stage, chair first) and, within a
    member, the order the criteria were recorded in. The total adds every score the application received."""
    applications = list(lot.applications.all())
    scores = [score for application in applications for score in application.scores.all()]
    if not scores:
        return None
    role_order = {role: i for i, role in enumerate(CommissionMember.Role.values)}
    criteria_order: dict[str, int] = {}
    for score in sorted(scores, key=lambda s: s.pk):
        criteria_order.setdefault(score.criterion, len(criteria_order))
    keys: dict[tuple[int, str], ScoreColumn] = {}
    for score in scores:
        column = keys.setdefault((score.member_id, score.criterion), ScoreColumn(score.member, score.criterion, None))
        if score.max_score is not None:
            column.max_score = max(column.max_score or score.max_score, score.max_score)
    columns = sorted(
        keys.values(),
        key=lambda c: (c.member.stage, role_order.get(c.member.role, 99), c.member.pk, criteria_order[c.criterion]),
    )
    index = {(c.member.pk, c.criterion): i for i, c in enumerate(columns)}
    rows = []
    for application in applications:
        cells: list[Decimal | None] = [None] * len(columns)
        for score in application.scores.all():
            cells[index[(score.member_id, score.criterion)]] = score.score
        given = [cell for cell in cells if cell is not None]
        rows.append(ScoreRow(application, cells, sum(given, Decimal(0)) if given else None, None))
    totals = sorted((row.total for row in rows if row.total is not None), reverse=True)
    for row in rows:
        if row.total is not None:
            row.rank = totals.index(row.total) + 1
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.application.pk))
    return ScoreTable(columns=columns, rows=rows)


def _attach_score_tables(competition: Competition) -> None:
    # The pages read each lot's table beside its applicants; like a prefetch's to_attr, set on the instances.
    for lot in competition.lots.all():
        lot.score_table = lot_score_table(lot)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- one funder


@dataclass
class FunderPage:
    administrator: Administrator
    family_size: int
    by_year: list[YearRow]
    by_mechanism: list[TotalRow]
    top_recipients: list[TotalRow]
    programmes: Sequence[Programme]
    competitions: Sequence[Competition]
    total: Decimal
    count: int


def _count_of(model, parent: str) -> Coalesce:
    """The number of `model` rows pointing at the outer row through `parent`, as one scalar subquery."""
    rows = model.objects.filter(**{parent: OuterRef("pk")}).order_by().values(parent)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


def _sum_of(model, parent: str, amount: str) -> Subquery:
    """The sum of `amount` over the `model` rows pointing at the outer row through `parent` (None when none)."""
    rows = model.objects.filter(**{parent: OuterRef("pk")}).order_by().values(parent)
    return Subquery(rows.annotate(total=Sum(amount)).values("total"))


def funder_page(code: str) -> FunderPage:
    administrator = Administrator.objects.select_related("parent", "region").prefetch_related("children").get(code=code)
    family = administrator_family(code) or [administrator.pk]
    awards = Award.objects.filter(administrator__in=family)
    # The explorer's rollup when it counts every award (a funder is one of its dimensions), else the awards.
    cells: QuerySet = awards
    recipients: QuerySet = awards
    per_year: QuerySet | dict[int, int] | None = None
    if rollup_current():
        cells = AdministratorMargin.objects.filter(administrator__in=family)
        recipients = per_year = RecipientCell.objects.filter(administrator__in=family)
        if len(family) == 1:  # distinct recipients do not add up over a family: counted for one funder only
            counted = AdministratorYearRecipients.objects.filter(administrator__in=family)
            per_year = dict(counted.values_list("year", "recipients"))
    overall = cells.order_by().aggregate(total=Sum("amount"), n=_count(cells))
    programmes = list(
        Programme.objects.filter(administrator__in=family)
        .select_related("field", "administrator")
        .order_by("-year", "mechanism", "field_id")[:60]
    )
    competitions = list(
        Competition.objects.filter(administrator__in=family)
        # Each figure from its own subquery: two joins in one annotate would multiply the sum by the lots.
        .annotate(lot_count=_count_of(Lot, "competition"), award_total=_sum_of(Award, "competition", "amount"))
        .order_by("-announced_on", "-id")[:30]
    )
    return FunderPage(
        administrator=administrator,
        family_size=len(family),
        by_year=totals_by_year(cells, per_year),
        by_mechanism=totals_by(cells, "mechanism"),
        top_recipients=top_recipients(recipients, awards=overall["n"] or 0, ranking=share_ranking(family)),
        programmes=programmes,
        competitions=competitions,
        total=overall["total"] or Decimal(0),
        count=overall["n"] or 0,
    )


# ---------------------------------------------------------------- one organisation's money


@dataclass
class OrganisationFunding:
    organisation: Organisation
    awards: list[Award]
    applications: list[Application]
    by_year: list[dict]
    mechanisms: list[tuple[str, str]]
    total: Decimal


def organisation_funding(organisation: Organisation) -> OrganisationFunding:
    awards = list(organisation.awards.select_related("administrator", "field", "region").order_by("-awarded_on", "-id"))
    applications = list(
        Application.objects.filter(applicant=organisation)
        .select_related("lot__competition__administrator")
        .order_by("-lot__competition__announced_on", "-id")
    )
    mechanisms = sorted({a.mechanism for a in awards}, key=[m for m, _ in Mechanism.choices].index)
    pivot: dict[int, dict] = {}
    for award in awards:
        row = pivot.setdefault(
            award.year, {"year": award.year, "total": Decimal(0), "cells": dict.fromkeys(mechanisms, Decimal(0))}
        )
        row["cells"][award.mechanism] += award.amount
        row["total"] += award.amount
    by_year = [
        {"year": r["year"], "total": r["total"], "cells": [r["cells"][m] for m in mechanisms]}
        for r in sorted(pivot.values(), key=lambda r: -r["year"])
    ]
    labels = dict(Mechanism.choices)
    return OrganisationFunding(
        organisation=organisation,
        awards=awards,
        applications=applications,
        by_year=by_year,
        mechanisms=[(m, str(labels[m])) for m in mechanisms],
        total=sum((a.amount for a in awards), Decimal(0)),
    )


def officer_administrator(user, administrator: Administrator) -> Administrator | None:
    """The administrator whose officer `user` is for this administrator's records: the administrator itself,
    or the nearest parent whose membership includes its departments; None for anyone else."""
    if not user.is_authenticated or administrator is None:
        return None
    memberships = dict(
        user.officer_memberships.filter(ended_at__isnull=True).values_list("administrator_id", "include_children")
    )
    if administrator.pk in memberships:
        return administrator
    parent, depth = administrator.parent, 0
    while parent is not None and depth < 10:  # an akimat, its department, a district office …
        if memberships.get(parent.pk):
            return parent
        parent, depth = parent.parent, depth + 1
    return None


def administrators_entered_by(user) -> QuerySet[Administrator]:
    """The administrators whose records this user may enter: their own, and its departments where granted."""
    if not user.is_authenticated:
        return Administrator.objects.none()
    if user.is_superuser:
        return Administrator.objects.all()
    return Administrator.objects.filter(pk__in=officer_administrator_ids(user))


def officer_administrator_ids(user) -> set[int]:
    """The administrators this person is an officer of (with the departments where granted), site
    administrators included only through their own memberships: whose records they may not judge (four eyes)."""
    if not user.is_authenticated:
        return set()
    ids: set[int] = set()
    memberships = user.officer_memberships.filter(ended_at__isnull=True)
    for administrator_id, code, include_children in memberships.values_list(
        "administrator_id", "administrator__code", "include_children"
    ):
        ids.update((administrator_family(code) or [administrator_id]) if include_children else [administrator_id])
    return ids


# ---------------------------------------------------------------- tables for downloads

CSV_CHUNK = 1000
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


def award_table(queryset: QuerySet[Award], base_url: str) -> tuple[list[str], Iterator[list]]:
    """(header, rows) of awards, newest first, codes with labels: the explorer's download and the full export."""
    return AWARD_COLUMNS, _award_rows(queryset, base_url.rstrip("/"))


def _award_rows(queryset: QuerySet[Award], base: str) -> Iterator[list]:
    for award in award_rows(queryset.order_by("-awarded_on", "-id")).iterator(chunk_size=CSV_CHUNK):
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


def _with_region_today(header: list[str], rows: Iterator[list]) -> Iterator[list]:
    """Award rows with today's unit beside the award's own region (the explorer's today's regions)."""
    mapped, labels = region_succession().today, reference_data().regions
    at = header.index("region")
    for row in rows:
        today = mapped.get(row[at], row[at]) if row[at] else None
        yield [*row, today, labels[today].name if today else ""]


EXPLORER_TABLES = ("awards", "by_year", "by_mechanism", "by_administrator", "by_region", "by_field", "recipients")


def explorer_table(view: str, queryset: QuerySet[Award], base_url: str) -> tuple[list[str], Iterable[list]]:
    """(header, rows) of one of the explorer's views (EXPLORER_TABLES) over the filtered awards."""
    if view == "awards":
        columns, awards = award_table(queryset, base_url)
        if regions_today(queryset):
            return [*columns, "region_today", "region_today_label"], _with_region_today(columns, awards)
        return columns, awards
    if view == "by_year":
        header = ["year", "total_kzt", "republican_budget_kzt", "local_budgets_kzt", "awards", "recipients"]
        return header, (
            [r.year, r.total, r.republican, r.local, r.count, r.recipients] for r in totals_by_year(queryset)
        )
    if view == "by_administrator":
        rows = totals_by_administrator(queryset, limit=None)
        return ["administrator", "administrator_label", "total_kzt", "awards"], (
            [r.key, r.label, r.total, r.count] for r in rows
        )
    if view == "recipients":
        rows = top_recipients(queryset, limit=None)
        return ["recipient_org_id", "recipient_label", "total_kzt", "awards"], (
            [r.org_id, r.label, r.total, r.count] for r in rows
        )
    key = view.removeprefix("by_")
    return [key, f"{key}_label", "total_kzt", "awards"], (
        [r.key, r.label, r.total, r.count] for r in totals_by(queryset, key)
    )


# ---------------------------------------------------------------- every public role, one table (issue 17)

ROLE_COLUMNS = [
    "role_type",
    "person_id",
    "person_name_kk",
    "person_name_ru",
    "person_name_en",
    "person_name_key",
    "person_url",
    "body_type",
    "body_id",
    "body_label",
    "role",
    "role_label",
    "title",
    "stage",
    "started_on",
    "ended_on",
    "source",
    "source_label",
    "source_note",
]


def role_table(base_url: str) -> tuple[list[str], Iterator[list]]:
    """(header, rows) of every public role: each organisation role (head, founder, board member), official post at
    an administrator and commission seat, with the person's published names and matching key, the body it is
    held in (organisation, administrator or competition), dates and source; codes with labels. No IIN exists
    to export. The roles export (opendata)."""
    return ROLE_COLUMNS, _role_rows(base_url.rstrip("/"))


def _person_cells(person: Person, base: str) -> list:
    url = base + reverse("registry:person_detail", args=[person.pk])
    return [person.pk, person.name_kk, person.name_ru, person.name_en, person.name_key, url]


def _role_rows(base: str) -> Iterator[list]:
    roles = OrganisationRole.objects.select_related("person", "organisation").order_by("id")
    for role in roles.iterator(chunk_size=CSV_CHUNK):
        yield [
            "organisation_role",
            *_person_cells(role.person, base),
            "organisation",
            role.organisation.org_id,
            role.organisation.name,
            role.kind,
            role.get_kind_display(),
            role.title,
            None,
            role.started_on,
            role.ended_on,
            role.source,
            role.get_source_display(),
            role.source_note,
        ]
    posts = AdministratorOfficial.objects.select_related("person", "administrator").order_by("id")
    for post in posts.iterator(chunk_size=CSV_CHUNK):
        yield [
            "administrator_official",
            *_person_cells(post.person, base),
            "administrator",
            post.administrator.code,
            post.administrator.name,
            "official",
            str(AdministratorOfficial._meta.verbose_name),
            post.position,
            None,
            post.started_on,
            post.ended_on,
            post.source,
            post.get_source_display(),
            post.source_note,
        ]
    seats = CommissionMember.objects.select_related("person", "competition").order_by("id")
    for seat in seats.iterator(chunk_size=CSV_CHUNK):
        yield [
            "commission_member",
            *_person_cells(seat.person, base),
            "competition",
            seat.competition.public_id,
            seat.competition.title,
            seat.role,
            seat.get_role_display(),
            seat.affiliation,
            seat.stage,
            None,
            None,
            seat.source,
            seat.get_source_display(),
            seat.source_note,
        ]
