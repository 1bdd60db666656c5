"""Reads for the scores panel, the methodology page, the sector dashboard and the API."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, DecimalField, Exists, Field, OuterRef, QuerySet, Sum
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from funding.models import Administrator
from registry.models import Organisation, OrganisationField, YearlyReport
from registry.selectors import reference_data
from registry.templatetags.registry_tags import money, number, percent
from scoring import indicators as ind
from scoring.filters import FlagFilter
from scoring.flags import RULES
from scoring.flags.catalogue import MIN_RECIPIENTS_FOR_CONCENTRATION, Text
from scoring.models import SIZE_BANDS, Concentration, Concern, Flag, FlagCell, SectorSummary, SummaryRun
from scoring.records import record_url, record_urls
from scoring.services import REPORT_VALUES, overdue_days, profile_facts, summary_run_progress

YES_NO: dict[object, str] = {100: "yes", 0: "no", None: "unknown"}  # the API's values, keys not labels
# An answer, as the reader's language writes it: the same context as the imports' yes/no, so "no" is never read
# as the English abbreviation of "number" and translators meet one entry for both.
YES = pgettext_lazy("a yes/no answer", "yes")
NO = pgettext_lazy("a yes/no answer", "no")
YES_NO_LABELS: dict[object, Text] = {100: YES, 0: NO, None: _("unknown")}
# What an indicator reads that is not a report field (those are labelled by their verbose_name): labels,
# never keys (issue 16).
USED_LABELS: dict[str, Text] = {
    "due_on": _("due on"),
    "report more than a year overdue": _("yearly report more than a year overdue"),
    "identity and contacts": _("identity and contacts"),
    "programmes and fields": _("programmes and fields"),
    "financials and governance": _("financials and governance"),
    "a results figure": _("a results figure"),
    "the overdue yearly report": _("the overdue yearly report"),
}


def used_label(key: str) -> str:
    """A figure an indicator read or misses, as people read it: the report field's label, else its own."""
    try:
        return str(getattr(YearlyReport._meta.get_field(key), "verbose_name", key))
    except FieldDoesNotExist:
        return str(USED_LABELS.get(key, key))


def used_text(key: str, value: object) -> str:
    """The value beside it: yes or no, money with its unit, counts and dates in the reader's format, the
    label of a choice."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(YES if value else NO)
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    try:
        model_field = YearlyReport._meta.get_field(key)
    except FieldDoesNotExist:
        model_field = None
    if isinstance(model_field, Field) and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, Decimal) or isinstance(model_field, DecimalField):
        return money(value)
    if isinstance(value, int):
        return number(value)
    return str(value)


PROFILE_VALUES: tuple[str, ...] = ("bin", "registered_on", "name_kk", "name_ru", "name_en", "legal_form_id", "address")
PROFILE_VALUES += ("phone",)
PROFILE_VALUES += ("email", "website", "mission", "charter_activities", "has_fields")


def summary_run_current() -> SummaryRun | None:
    return SummaryRun.objects.filter(current=True).first()


# The default of the selectors that read the current run unless their caller has read it (None is a reading:
# there is no current run).
_UNREAD: Any = object()


def summary_run_running() -> SummaryRun | None:
    """The regeneration under way, with its progress from the cache (None when none is running)."""
    run = SummaryRun.objects.filter(status=SummaryRun.Status.RUNNING).order_by("-started_at").first()
    if run is not None:
        run.progress = summary_run_progress(run=run)
    return run


@dataclass
class ScoreLine:
    indicator: ind.Indicator
    value: object
    display: str
    used: dict
    missing: list[str]
    sector: float | None = None  # this year's sector value (percentage, or the median for ours)

    @property
    def used_labelled(self) -> list[tuple[str, str]]:
        """(label, value) of each figure used, for the page (the API keeps the keys)."""
        return [(used_label(key), used_text(key, value)) for key, value in self.used.items()]

    @property
    def missing_labelled(self) -> list[str]:
        return [used_label(key) for key in self.missing]


@dataclass
class OrganisationScores:
    year: int | None
    years: list[int]
    csi: list[ScoreLine] = field(default_factory=list)
    own: list[ScoreLine] = field(default_factory=list)
    subdimensions: dict = field(default_factory=dict)
    dimensions: dict = field(default_factory=dict)
    sector_as_of: datetime.datetime | None = None
    version: str = ind.METHODOLOGY_VERSION


def organisation_scores_get(*, organisation: Organisation, year: int | None = None) -> OrganisationScores:
    """The organisation's indicators for one reporting year (its latest filed by default), computed by the
    same pure functions the summaries use, with what each used and what is missing."""
    years = list(organisation.reports.order_by("-year").values_list("year", flat=True))
    if not years:
        return OrganisationScores(None, [])
    year = year if year in years else years[0]
    report = organisation.reports.filter(year=year).values(*REPORT_VALUES).get()
    org = (
        Organisation.objects.filter(pk=organisation.pk)
        .annotate(has_fields=Exists(OrganisationField.objects.filter(organisation=OuterRef("pk"))))
        .values(*PROFILE_VALUES)
        .get()
    )
    today = timezone.localdate()
    run = summary_run_current()
    summary = SectorSummary.objects.filter(run=run, year=year, segment="all").first() if run else None
    sector = summary.data if summary and not summary.suppressed else {}
    result = OrganisationScores(year, years, sector_as_of=run.finished_at if run else None)
    csi = ind.csi_scores(report)
    for indicator in ind.CSI_INDICATORS:
        score = csi[indicator.code]
        sector_value = (sector.get("indicators") or {}).get(indicator.code, {}).get("value")
        result.csi.append(
            ScoreLine(indicator, score.value, str(YES_NO_LABELS[score.value]), score.used, score.missing, sector_value)
        )
    values = {code: cast(float | None, line.value) for code, line in zip(ind.CSI_BY_CODE, result.csi, strict=True)}
    result.subdimensions = {
        code: ind.mean([values[c] for c in members]) for code, (_name, members) in ind.SUBDIMENSIONS.items()
    }
    result.dimensions = {
        code: ind.mean([result.subdimensions[s] for s in subs]) for code, (_n, subs) in ind.DIMENSIONS.items()
    }
    last_filed = years[0]
    own_scores = {
        "QG.1": ind.timeliness(datetime.date(year + 1, 3, 31), report["submitted_on"], today),
        "QG.2": ind.income_diversity(report),
        "QG.3": ind.state_dependency(report),
        "QG.4": ind.transparency_tier(
            profile_facts(org), report, overdue_days(last_filed, org["registered_on"], today)
        ),
    }
    displays = {
        "QG.1": lambda v: (
            str(_("on time"))
            if v == 0
            else ngettext("%(days)s day late", "%(days)s days late", v) % {"days": number(v)}
        ),
        "QG.2": lambda v: number(v, 4),
        "QG.3": lambda v: percent(100 * v, 1),
        "QG.4": lambda v: f"{v}: {ind.TIERS[v]}",
    }
    for code, score in own_scores.items():
        median = ((sector.get("own") or {}).get(code) or {}).get("median")
        display = str(_("unknown")) if score.value is None else displays[code](score.value)
        result.own.append(ScoreLine(ind.OWN_BY_CODE[code], score.value, display, score.used, score.missing, median))
    return result


# ---------------------------------------------------------------- the sector dashboard


def segment_label(segment: str) -> str:
    if segment == "all":
        return str(_("All organisations"))
    kind, _sep, key = segment.partition(":")
    reference = reference_data()
    tables = {
        "region": {c: r.name for c, r in reference.regions.items()},
        "legal_form": {c: f.name for c, f in reference.legal_forms.items()},
        "field": {c: f.name for c, f in reference.fields.items()},
        "size": {c: str(label) for c, label in SIZE_BANDS},
    }
    return str(tables.get(kind, {}).get(key, segment))


@dataclass
class Dashboard:
    run: SummaryRun | None
    running: SummaryRun | None
    years: list[int]
    year: int | None
    segment: str
    segments: list[tuple[str, str]]
    summary: SectorSummary | None
    over_time: list[SectorSummary]
    comparison: list[SectorSummary]


def sector_dashboard(*, year: int | None, segment: str) -> Dashboard:
    run = summary_run_current()
    if run is None:
        return Dashboard(None, summary_run_running(), [], None, segment, [], None, [], [])
    summaries = SectorSummary.objects.filter(run=run)
    years = sorted(set(summaries.values_list("year", flat=True)), reverse=True)
    if not years:
        return Dashboard(run, summary_run_running(), [], None, segment, [], None, [], [])
    year = year if year in years else years[0]
    segments = sorted(set(summaries.filter(year=year).values_list("segment", flat=True)))
    if segment not in segments:
        segment = "all"
    kind = segment.partition(":")[0]
    comparison = [s for s in summaries.filter(year=year).order_by("segment") if s.segment.partition(":")[0] == kind]
    return Dashboard(
        run=run,
        running=summary_run_running(),
        years=years,
        year=year,
        segment=segment,
        segments=[(s, segment_label(s)) for s in segments],
        summary=summaries.filter(year=year, segment=segment).first(),
        over_time=list(summaries.filter(segment=segment).order_by("year")),
        comparison=comparison,
    )


def sector_summary_get(*, year: int, segment: str) -> SectorSummary | None:
    run = summary_run_current()
    return SectorSummary.objects.filter(run=run, year=year, segment=segment).first() if run else None


def sector_table() -> tuple[list[str], Iterator[list]]:
    """(header, rows) of every summary of the current run: one row per year and segment, indicators in CSI
    order (the sector's CSV)."""
    run = summary_run_current()
    header = ["year", "segment", "segment_label", "n_organisations", "suppressed", "registered", "active"]
    header += ["reporting_on_time", *ind.CSI_BY_CODE, *[f"n_{c}" for c in ind.CSI_BY_CODE]]
    header += [f"sub_{c}" for c in ind.SUBDIMENSIONS] + [f"dim_{c}" for c in ind.DIMENSIONS]
    header += [f"{c}_median" for c in ind.OWN_BY_CODE]

    def rows() -> Iterator[list]:
        if run is None:
            return
        for s in run.summaries.order_by("year", "segment").iterator(chunk_size=500):
            d = s.data
            indicators = d["indicators"] or {}
            own = d["own"] or {}
            yield [
                s.year,
                s.segment,
                segment_label(s.segment),
                s.n_organisations,
                "yes" if s.suppressed else "no",
                d["registered"],
                d["active"],
                d["reporting_on_time"],
                *[(indicators.get(c) or {}).get("value") for c in ind.CSI_BY_CODE],
                *[(indicators.get(c) or {}).get("n") for c in ind.CSI_BY_CODE],
                *[(d["subdimensions"] or {}).get(c) for c in ind.SUBDIMENSIONS],
                *[(d["dimensions"] or {}).get(c) for c in ind.DIMENSIONS],
                *[(own.get(c) or {}).get("median") for c in ind.OWN_BY_CODE],
            ]

    return header, rows()


# ---------------------------------------------------------------- red flags and concerns

FLAG_SORTS = {"amount": ("-amount", "id"), "year": ("-year", "id"), "code": ("code", "id")}


def flags_filtered(*, data: QueryDict, run: SummaryRun | None = _UNREAD) -> FlagFilter:
    """The current run's flags under the request's filters (an unbound-looking empty set without a run).
    `run`: the current run, when the caller has read it already."""
    run = summary_run_current() if run is _UNREAD else run
    queryset = Flag.objects.filter(run=run) if run else Flag.objects.none()
    return FlagFilter(data, queryset=queryset)


@dataclass
class TransparencyOverview:
    by: dict[str, list[dict]]
    top: dict[str, int]
    total: int
    concentration: list[Concentration]
    administrators: dict[str, Administrator]  # those both tables name, by code


BREAKDOWNS = (
    ("code", None, ("-n", "code")),  # every flag, so that the total below is the whole count
    ("administrator", 15, ("-n", "administrator")),
    ("region", 25, ("-n", "region")),
    ("year", 40, ("-year",)),
)
# The filters the flag cells hold (FlagCell): any other (an organisation's flags) counts the flags themselves.
CELL_FILTERS = frozenset({"code", "subject_type", "administrator", "region", "year"})


def _breakdowns(rows: QuerySet, count: Any, money: Any) -> dict[str, list[dict]]:
    return {
        key: list(rows.values(key).annotate(n=count, money=money).order_by(*order)[:limit])
        for key, limit, order in BREAKDOWNS
    }


def transparency_overview(
    *, flags: QuerySet[Flag], year: int | None, filters: dict | None = None, run: SummaryRun | None = _UNREAD
) -> TransparencyOverview:
    """Counts and money by flag, administrator, region and year over the filtered flags, and the most
    concentrated administrators of the year (the latest year when none is chosen).

    `filters` (the valid filters, by name) lets the breakdowns be summed from the run's flag cells when they
    are all dimensions of the cells; otherwise the flags are counted. `run`: the current run, when the caller
    has read it already."""
    run = summary_run_current() if run is _UNREAD else run
    active = {key: value for key, value in (filters or {}).items() if value not in (None, "")}
    if filters is not None and run is not None and set(active) <= CELL_FILTERS:
        by = _breakdowns(FlagCell.objects.filter(run=run, **active), Sum("n"), Sum("money"))
    else:
        by = _breakdowns(flags, Count("id"), Sum("amount"))
    for row in by["code"]:
        row["label"] = str(RULES[row["code"]].name) if row["code"] in RULES else row["code"]
    regions = reference_data().regions
    for row in by["region"]:  # labels, never keys: the region's name in the reader's language
        row["label"] = str(regions[row["region"]]) if row["region"] in regions else row["region"]
    concentration: list[Concentration] = []
    if run is not None:
        # Fewer recipients than the flag's minimum make a high HHI certain by arithmetic: not ranked.
        rows = Concentration.objects.filter(
            run=run, by="administrator", recipients__gte=MIN_RECIPIENTS_FOR_CONCENTRATION
        )
        year = year or rows.order_by("-year").values_list("year", flat=True).first()
        concentration = list(rows.filter(year=year).order_by("-hhi", "key")[:15]) if year else []
    # One look-up names the administrators of both tables (their codes stay in the links).
    keys = {row.key for row in concentration} | {row["administrator"] for row in by["administrator"]}
    administrators = Administrator.objects.in_bulk(keys - {None, ""}, field_name="code")
    for ranked in cast(list[Any], concentration):  # the page reads ranked.administrator: not a model field
        ranked.administrator = administrators.get(ranked.key)
    for counted in by["administrator"]:
        found = administrators.get(counted["administrator"])
        counted["label"] = found.name if found is not None else counted["administrator"]
    return TransparencyOverview(
        by=by,
        top={key: max((r["n"] for r in rows), default=0) for key, rows in by.items()},
        total=sum(row["n"] for row in by["code"]),
        concentration=concentration,
        administrators=administrators,
    )


def flag_table(flags: QuerySet[Flag], base_url: str) -> tuple[list[str], Iterator[list]]:
    """(header, rows) of flags: the rule's name beside its code, the figures as JSON, the records."""
    header = ["flag", "flag_name", "subject_type", "subject", "title", "year", "administrator", "region", "amount_kzt"]
    header += ["values", "records", "url"]
    base = base_url.rstrip("/")

    def rows() -> Iterator[list]:
        for flag in flags.order_by("code", "-year", "id").iterator(chunk_size=2000):
            url = record_url(flag.subject_type, flag.subject_key)
            yield [
                flag.code,
                str(RULES[flag.code].name),
                flag.subject_type,
                flag.subject_key,
                flag.title,
                flag.year,
                flag.administrator,
                flag.region,
                flag.amount,
                json.dumps(flag.values, ensure_ascii=False),
                "; ".join(f"{r['type']}:{r['key']}" for r in flag.records),
                base + url if url else "",
            ]

    return header, rows()


def flag_hits(*, code: str, subject_type: str, subject_key: str) -> list[Flag]:
    """Every hit of one flag on one subject in the current run, with links to its records."""
    run = summary_run_current()
    if run is None or code not in RULES:
        return []
    return list(Flag.objects.filter(run=run, code=code, subject_type=subject_type, subject_key=subject_key))


def flags_on_record(
    *, subject_type: str, subject_key: str, organisation_id: int | None = None, run: SummaryRun | None = _UNREAD
) -> list[Flag]:
    """The current run's flags on a record, for its page's "worth a look" box (`run`: the current run, when the
    caller has read it already)."""
    run = summary_run_current() if run is _UNREAD else run
    if run is None:
        return []
    if subject_type == "person":
        return _flags_naming_person(run, subject_key)
    flags = Flag.objects.filter(run=run, subject_type=subject_type, subject_key=subject_key)
    if organisation_id is not None:
        flags = flags | Flag.objects.filter(run=run, organisation_id=organisation_id)
    return list(flags.order_by("code", "-year")[:30])


# The flags whose records can name a person (scoring/flags/people.py): their subject is a competition, an
# administrator or an award, and the people involved are among their records.
PERSON_FLAG_CODES = (
    "conflict_of_interest",
    "collusion",
    "one_person_many_recipients",
    "revolving_door",
    "not_best_scored",
)


def _flags_naming_person(run, person_key: str) -> list[Flag]:
    """The run's people flags whose records list this person, read over those flags alone (they are few: each
    is a planted-size handful on the demo) and matched in Python, the same way on both databases' JSON."""
    flags = Flag.objects.filter(run=run, code__in=PERSON_FLAG_CODES).order_by("code", "-year", "id")
    named = [
        flag
        for flag in flags.iterator(chunk_size=500)
        if any(r.get("type") == "person" and str(r.get("key")) == str(person_key) for r in flag.records)
    ]
    return named[:30]


def flags_on_records_of(*, administrator: str, run: SummaryRun | None = _UNREAD) -> int:
    run = summary_run_current() if run is _UNREAD else run
    if run is None:
        return 0
    cells = FlagCell.objects.filter(run=run, administrator=administrator).exclude(subject_type="administrator")
    return cells.aggregate(n=Sum("n", default=0))["n"]  # summed from the flag cells, not counted over the flags


def concerns_on_record(*, subject_type: str, subject_key: str) -> list[Concern]:
    return list(Concern.objects.filter(subject_type=subject_type, subject_key=subject_key).order_by("-filed_at")[:20])


@dataclass
class ConcernQueue:
    waiting: list[tuple[Concern, str | None]]  # each with its record's page (None when the record is gone)
    decided: list[tuple[Concern, str | None]]


def concern_queue() -> ConcernQueue:
    """Concerns waiting for a moderator, and the latest 50 decided, each with its record's page (None when the
    record is gone): a constant number of queries, whatever the number of concerns."""
    concerns = Concern.objects.select_related("filed_by", "decided_by")
    open_statuses = (Concern.Status.OPEN, Concern.Status.UNDER_REVIEW)
    waiting = list(concerns.filter(status__in=open_statuses))
    decided = list(concerns.exclude(status__in=open_statuses)[:50])
    pages = record_urls((c.subject_type, c.subject_key) for c in [*waiting, *decided])
    return ConcernQueue(
        waiting=[(c, pages[(c.subject_type, c.subject_key)]) for c in waiting],
        decided=[(c, pages[(c.subject_type, c.subject_key)]) for c in decided],
    )
