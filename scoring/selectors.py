"""Reads for the scores panel, the methodology page, the sector dashboard and the API."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone

from registry.models import Organisation, OrganisationField
from registry.selectors import reference_data
from scoring import indicators as ind
from scoring.models import SIZE_BANDS, SectorSummary, SummaryRun
from scoring.services import REPORT_VALUES, overdue_days, profile_facts

YES_NO = {100: "yes", 0: "no", None: "unknown"}
PROFILE_VALUES = ("bin", "registered_on", "name_kk", "name_ru", "name_en", "legal_form_id", "address", "phone")
PROFILE_VALUES += ("email", "website", "mission", "charter_activities", "has_fields")


def current_run() -> SummaryRun | None:
    return SummaryRun.objects.filter(current=True).first()


def running_run() -> SummaryRun | None:
    """The regeneration under way, with its progress from the cache (None when none is running)."""
    from scoring.services import run_progress

    run = SummaryRun.objects.filter(status=SummaryRun.Status.RUNNING).order_by("-started_at").first()
    if run is not None:
        run.progress = run_progress(run)
    return run


@dataclass
class ScoreLine:
    indicator: ind.Indicator
    value: object
    display: str
    used: dict
    missing: list[str]
    sector: float | None = None  # this year's sector value (percentage, or the median for ours)


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


def organisation_scores(organisation: Organisation, year: int | None = None) -> OrganisationScores:
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
    run = current_run()
    summary = SectorSummary.objects.filter(run=run, year=year, segment="all").first() if run else None
    sector = summary.data if summary and not summary.suppressed else {}
    result = OrganisationScores(year, years, sector_as_of=run.finished_at if run else None)
    csi = ind.csi_scores(report)
    for indicator in ind.CSI_INDICATORS:
        score = csi[indicator.code]
        sector_value = (sector.get("indicators") or {}).get(indicator.code, {}).get("value")
        result.csi.append(
            ScoreLine(indicator, score.value, YES_NO[score.value], score.used, score.missing, sector_value)
        )
    values = {code: line.value for code, line in zip(ind.CSI_BY_CODE, result.csi, strict=True)}
    result.subdimensions = {
        code: ind.mean([values[c] for c in members]) for code, (_name, members) in ind.SUBDIMENSIONS.items()
    }
    result.dimensions = {
        code: ind.mean([result.subdimensions[s] for s in subs]) for code, (_n, subs, _b) in ind.DIMENSIONS.items()
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
        "QG.1": lambda v: "on time" if v == 0 else f"{v} days late",
        "QG.2": lambda v: f"{v:.4f}",
        "QG.3": lambda v: f"{100 * v:.1f}%",
        "QG.4": lambda v: f"{v}: {ind.TIERS[v]}",
    }
    for code, score in own_scores.items():
        median = ((sector.get("own") or {}).get(code) or {}).get("median")
        display = "unknown" if score.value is None else displays[code](score.value)
        result.own.append(ScoreLine(ind.OWN_BY_CODE[code], score.value, display, score.used, score.missing, median))
    return result


# ---------------------------------------------------------------- the sector dashboard


def segment_label(segment: str) -> str:
    if segment == "all":
        return "All organisations"
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


def dashboard(year: int | None, segment: str) -> Dashboard:
    run = current_run()
    if run is None:
        return Dashboard(None, running_run(), [], None, segment, [], None, [], [])
    summaries = SectorSummary.objects.filter(run=run)
    years = sorted(set(summaries.values_list("year", flat=True)), reverse=True)
    year = year if year in years else (years[0] if years else None)
    segments = sorted(set(summaries.filter(year=year).values_list("segment", flat=True)))
    if segment not in segments:
        segment = "all"
    kind = segment.partition(":")[0]
    comparison = [s for s in summaries.filter(year=year).order_by("segment") if s.segment.partition(":")[0] == kind]
    return Dashboard(
        run=run,
        running=running_run(),
        years=years,
        year=year,
        segment=segment,
        segments=[(s, segment_label(s)) for s in segments],
        summary=summaries.filter(year=year, segment=segment).first(),
        over_time=list(summaries.filter(segment=segment).order_by("year")),
        comparison=comparison,
    )


def summary_for(year: int, segment: str) -> SectorSummary | None:
    run = current_run()
    return SectorSummary.objects.filter(run=run, year=year, segment=segment).first() if run else None
