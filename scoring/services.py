"""Regeneration of organisation scores and sector summaries: full (a new run swapped in whole) or incremental
(the stale organisation-years and their segments, patched in the current run in one transaction).

Scores are computed by the pure functions of scoring/indicators.py from report rows streamed in chunks;
summaries are SQL aggregates over the score table (percentages from counts; quartiles from value
histograms), so memory does not grow with the number of organisations.
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import partial
from itertools import islice

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.changes import announce
from api.planner import planner_statistics_refresh
from funding.models import Award
from funding.rollups import funding_rollups_rebuild
from funding.selectors import Year, officer_administrator_ids
from registry.cube import facet_cube_rebuild
from registry.i18n import localized_row
from registry.models import (
    REPORT_ANSWER_FIELDS,
    REPORT_COUNT_FIELDS,
    REPORT_INCOME_FIELDS,
    Organisation,
    OrganisationField,
    StatusEvent,
    YearlyReport,
    bin_org_id,
    fallback_org_id,
    report_due_on,
)
from registry.selectors import email_verified, organisations_managed_ids
from scoring import indicators as ind
from scoring.flags import FLAG_FINDERS, Hit, concentration_applicants, concentration_find, concentration_rows
from scoring.models import (
    Concentration,
    Concern,
    Flag,
    FlagCell,
    OrganisationScore,
    SectorSummary,
    StaleSegment,
    StaleSummary,
    SummaryRun,
)
from scoring.records import record_parties, record_url
from scoring.signals import concern_changed, summaries_changed
from scoring.sql import scores_insert

CHUNK = 2000
FLAG_BATCH = 2000
ABANDONED_AFTER = datetime.timedelta(hours=1)
MIN_N = 10  # segments with fewer reporting organisations are suppressed (CSI practice)
SEGMENT_KINDS = ("all", "region", "legal_form", "field", "size")
OWN_COLUMNS = {"QG.1": "days_late", "QG.2": "income_diversity", "QG.3": "state_dependency", "QG.4": "tier"}
Progress = Callable[[str], None]


def size_band(total_income: Decimal | None) -> str:
    if not total_income:
        return "none"
    if total_income < 1_000_000:
        return "under_1m"
    if total_income < 10_000_000:
        return "1m_10m"
    if total_income < 100_000_000:
        return "10m_100m"
    return "100m_plus"


REPORT_VALUES = (
    "id",
    "organisation_id",
    "year",
    "submitted_on",
    *REPORT_INCOME_FIELDS,
    "expenses_total",
    *REPORT_COUNT_FIELDS,
    *REPORT_ANSWER_FIELDS,
    "decision_making",
)
ORG_VALUES: tuple[str, ...] = ("id", "bin", "registered_on", "name_kk", "name_ru", "name_en", "legal_form_id")
ORG_VALUES += ("region_id", "address", "phone", "email", "website", "mission", "charter_activities", "has_fields")
ORG_VALUES += ("last_filed",)


def _organisations(ids: Iterable[int]) -> dict[int, dict]:
    rows = (
        Organisation.objects.filter(pk__in=list(ids))
        .annotate(
            has_fields=Exists(OrganisationField.objects.filter(organisation=OuterRef("pk"))),
            last_filed=Subquery(
                YearlyReport.objects.filter(organisation=OuterRef("pk")).order_by("-year").values("year")[:1]
            ),
        )
        .values(*ORG_VALUES)
    )
    return {row["id"]: row for row in rows}


def profile_facts(org: dict) -> ind.ProfileFacts:
    return ind.ProfileFacts(
        has_identity=bool(org["bin"] or org["registered_on"])
        and bool(org["name_kk"] or org["name_ru"] or org["name_en"])
        and bool(org["legal_form_id"]),
        has_contact=bool(org["address"]) and bool(org["phone"] or org["email"] or org["website"]),
        has_fields=bool(org["has_fields"]),
        has_purpose=bool(org["mission"] or org["charter_activities"]),
    )


def overdue_days(last_filed: int | None, registered_on: datetime.date | None, today: datetime.date) -> int:
    """Days since the first report after the last filed one fell due (0 when none is overdue)."""
    if last_filed is None:
        if registered_on is None:
            return 0
        last_filed = registered_on.year - 1
    return max(0, (today - report_due_on(last_filed + 1)).days)


def score_row(report: dict, org: dict, today: datetime.date) -> dict:
    """The OrganisationScore columns for one report, by the pure rules: the reference the SQL path
    (scoring/sql.py) is tested against. Plain values in, plain values out."""
    csi = ind.csi_scores(report)
    known = [report[name] for name in ind.INCOME_SOURCES if report[name] is not None]
    due = report_due_on(report["year"])
    return {
        "organisation_id": report["organisation_id"],
        "year": report["year"],
        "version": ind.METHODOLOGY_VERSION,
        "region": org["region_id"] or "",
        "legal_form": org["legal_form_id"],
        "size": size_band(sum(known, Decimal(0)) if known else None),
        "on_time": report["submitted_on"] <= due,
        "days_late": ind.timeliness(due, report["submitted_on"], today).value,
        "income_diversity": ind.income_diversity(report).value,
        "state_dependency": ind.state_dependency(report).value,
        "tier": ind.transparency_tier(
            profile_facts(org), report, overdue_days(org["last_filed"], org["registered_on"], today)
        ).value,
        **{ind.CSI_BY_CODE[code].column: score.value for code, score in csi.items()},
    }


def _reports():
    return YearlyReport.objects.filter(organisation__merged_into__isnull=True)


# ---------------------------------------------------------------- summaries


def _key(kind: str):
    return {
        "all": Value("all"),
        "region": F("region"),
        "legal_form": F("legal_form"),
        "size": F("size"),
        "field": F("organisation__fields"),
    }[kind]


def _segment(kind: str, key) -> str | None:
    if kind == "all":
        return "all"
    return f"{kind}:{key}" if key else None


SCORE_PATHS = {"region": "region", "legal_form": "legal_form", "size": "size", "field": "organisation__fields"}
ORGANISATION_PATHS = {"region": "region", "legal_form": "legal_form", "field": "fields"}
AWARD_PATHS = {"region": "recipient__region", "legal_form": "recipient__legal_form", "field": "recipient__fields"}


def _keys_by_kind(segments) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = defaultdict(set)
    for segment in segments:
        kind, _sep, key = segment.partition(":")
        keys[kind].add(key or "all")
    return keys


def _years_by_kind(wanted: set[tuple[int, str]]) -> dict[str, set[int]]:
    years: dict[str, set[int]] = defaultdict(set)
    for year, segment in wanted:
        years[segment.partition(":")[0]].add(year)
    return years


def _narrow(
    queryset,
    kind: str,
    wanted_keys: dict[str, set[str]] | None,
    paths: dict[str, str],
    years: dict[str, set[int]] | None = None,
    year_path: str = "",
):
    """Only the rows of the wanted segments of this kind, in the years wanted for it (an incremental refresh);
    None: skip the kind."""
    if wanted_keys is None:
        return queryset
    if kind not in wanted_keys:
        return None
    if years is not None and year_path:
        queryset = queryset.filter(**{f"{year_path}__in": years[kind]})
    if kind == "all":
        return queryset
    return queryset.filter(**{f"{paths[kind]}__in": wanted_keys[kind]})


def summaries_compute(
    *, run: SummaryRun, years: list[int] | None = None, wanted: set[tuple[int, str]] | None = None
) -> list:
    """SectorSummary objects (unsaved) for every year and segment, or only the `wanted` ones."""
    scores = OrganisationScore.objects.filter(run=run)
    if years is not None:
        scores = scores.filter(year__in=years)
    found: dict[tuple[int, str], dict] = {}
    csi_columns = [i.column for i in ind.CSI_INDICATORS]
    wanted_keys = _keys_by_kind(segment for _year, segment in wanted) if wanted is not None else None
    years_by_kind = _years_by_kind(wanted) if wanted is not None else None
    for kind in SEGMENT_KINDS:
        narrowed = _narrow(scores, kind, wanted_keys, SCORE_PATHS, years_by_kind, "year")
        if narrowed is None:
            continue
        counts = {"n": Count("id"), "on_time": Count("id", filter=Q(on_time=True))}
        counts["active_reporting"] = Count("id", filter=Q(organisation__status=Organisation.Status.ACTIVE))
        for column in csi_columns:
            counts[f"{column}_pos"] = Count("id", filter=Q(**{column: 100}))
            counts[f"{column}_n"] = Count(column)
        for row in narrowed.values("year", key=_key(kind)).annotate(**counts).order_by():
            segment = _segment(kind, row["key"])
            if segment is None or (wanted is not None and (row["year"], segment) not in wanted):
                continue
            found[(row["year"], segment)] = {"kind": kind, "key": row["key"], **row}
    for row in found.values():
        row["own"] = {}
    _add_quartiles(scores, found, wanted_keys, years_by_kind)
    _add_registered(found, wanted_keys)
    _add_funding(found, wanted_keys, years_by_kind)
    summaries = []
    for (year, segment), row in sorted(found.items()):
        suppressed = row["n"] < MIN_N
        csi_counts = {i.code: (row[f"{i.column}_pos"], row[f"{i.column}_n"]) for i in ind.CSI_INDICATORS}
        indicators, subdimensions, dimensions = ind.aggregate_csi(csi_counts)
        data = {
            "registered": row.get("registered", row["n"]),
            "active": row.get("active", row["active_reporting"]),
            "reporting": row["n"],
            "reporting_on_time": row["on_time"],
            "funding": row.get("funding", {}),
            "indicators": None if suppressed else indicators,
            "subdimensions": None if suppressed else subdimensions,
            "dimensions": None if suppressed else dimensions,
            "own": None if suppressed else {code: row["own"].get(code) for code in OWN_COLUMNS},
        }
        summaries.append(
            SectorSummary(
                run=run, year=year, segment=segment, n_organisations=row["n"], suppressed=suppressed, data=data
            )
        )
    return summaries


def _add_quartiles(scores, found: dict, wanted_keys: dict | None, years_by_kind: dict | None = None) -> None:
    """Median and quartiles of our indicators per segment, from value histograms streamed in order."""
    for code, column in OWN_COLUMNS.items():
        for kind in SEGMENT_KINDS:
            narrowed = _narrow(scores, kind, wanted_keys, SCORE_PATHS, years_by_kind, "year")
            if narrowed is None:
                continue
            rows = (
                narrowed.exclude(**{f"{column}__isnull": True})
                .values("year", key=_key(kind), value=F(column))
                .annotate(count=Count("id"))
                .order_by("year", "key", "value")
                .values_list("year", "key", "value", "count")
            )
            current: tuple | None = None
            histogram: list[tuple] = []
            for year, key, value, count in rows.iterator(chunk_size=CHUNK):
                group = (year, key)
                if group != current:
                    _store_quartiles(found, kind, current, code, histogram)
                    current, histogram = group, []
                histogram.append((value, count))
            _store_quartiles(found, kind, current, code, histogram)


def _store_quartiles(found: dict, kind: str, group, code: str, histogram: list) -> None:
    if group is not None:
        segment = (group[0], _segment(kind, group[1]))
        if segment in found:
            found[segment]["own"][code] = ind.quartiles_from_histogram(histogram)


def _add_registered(found: dict, wanted_keys: dict | None) -> None:
    """Organisations registered by the year's end and not liquidated or reorganised by then, and of those the
    ones active now, per segment (not for income-size bands,
    which exist only where a report was filed: there, the reporting organisations). One query per kind of
    segment, with a pair of conditional counts per year."""
    years = sorted({year for year, _segment in found})
    if not years:
        return
    ended = (StatusEvent.Kind.LIQUIDATED, StatusEvent.Kind.REORGANISED)
    first_end = StatusEvent.objects.filter(organisation=OuterRef("pk"), kind__in=ended).order_by("occurred_on")
    # An organisation counts from its registration until it was liquidated or reorganised; one whose record
    # says it ended but carries no dated event has ended at an unknown date, so it counts in no year.
    base = Organisation.objects.filter(merged_into__isnull=True).annotate(
        ended_on=Subquery(first_end.values("occurred_on")[:1])
    )
    not_ended = Q(ended_on__isnull=True) & ~Q(status__in=[Organisation.Status(kind) for kind in ended])
    keys = {"all": Value("all"), "region": F("region"), "legal_form": F("legal_form"), "field": F("fields")}
    counts = {}
    for year in years:
        year_end = datetime.date(year, 12, 31)
        by_then = (Q(registered_on__isnull=True) | Q(registered_on__lte=year_end)) & (
            not_ended | Q(ended_on__gt=year_end)
        )
        counts[f"registered_{year}"] = Count("id", filter=by_then)
        counts[f"active_{year}"] = Count("id", filter=by_then & Q(status=Organisation.Status.ACTIVE))
    for kind, key in keys.items():
        narrowed = _narrow(base, kind, wanted_keys, ORGANISATION_PATHS)
        if narrowed is None:
            continue
        for row in narrowed.values(key=key).annotate(**counts).order_by():
            for year in years:
                group = (year, _segment(kind, row["key"]))
                if group in found:
                    found[group]["registered"] = row[f"registered_{year}"]
                    found[group]["active"] = row[f"active_{year}"]


def _add_funding(found: dict, wanted_keys: dict | None, years_by_kind: dict | None = None) -> None:
    """Awards made in the year to organisations of the segment, by mechanism (amount exact, as text)."""
    years = sorted({year for year, _segment in found})
    awards = Award.objects.annotate(award_year=Year("awarded_on")).filter(award_year__in=years)
    keys = {
        "all": Value("all"),
        "region": F("recipient__region"),
        "legal_form": F("recipient__legal_form"),
        "field": F("recipient__fields"),
    }
    for kind, key in keys.items():
        narrowed = _narrow(awards, kind, wanted_keys, AWARD_PATHS, years_by_kind, "award_year")
        if narrowed is None:
            continue
        rows = narrowed.values("award_year", "mechanism", key=key).annotate(amount=Sum("amount"), awards=Count("id"))
        for row in rows.order_by():
            group = (row["award_year"], _segment(kind, row["key"]))
            if group in found:
                found[group].setdefault("funding", {})[row["mechanism"]] = {
                    "amount": f"{row['amount']:.2f}",
                    "awards": row["awards"],
                }


# ---------------------------------------------------------------- runs


def summaries_regenerate(*, progress: Progress | None = None) -> SummaryRun:
    """Build every score and summary into a new run; make it current in one transaction; drop the old ones.

    A run that dies half-way stays `running` (or `failed`) and is never current; the next run starts over.
    """
    started = time.monotonic()
    # A run that is still "running" after an hour died with its process (a killed worker): say so.
    SummaryRun.objects.filter(status=SummaryRun.Status.RUNNING, started_at__lt=timezone.now() - ABANDONED_AFTER).update(
        status=SummaryRun.Status.FAILED
    )
    run = SummaryRun.objects.create(version=ind.METHODOLOGY_VERSION)

    def report(message: str) -> None:
        # The run's rows are written in one transaction, invisible until it commits: progress goes through
        # the cache (Redis when configured; down, it costs the progress line), where the dashboard reads it.
        cache.set(progress_key(run.pk), message[:200], 3600)
        if progress:
            progress(message)

    try:
        with transaction.atomic():
            # this run covers every change made before it began
            StaleSummary.objects.all().delete()
            StaleSegment.objects.all().delete()
            report("scoring")
            scores_insert(run=run, reports=_reports(), today=timezone.localdate())
            report("summarising")
            SectorSummary.objects.bulk_create(summaries_compute(run=run), batch_size=500)
            report("flags")
            flags_write(run=run, today=timezone.localdate())
            # The nightly safety net for the directory's counts, moved by the change events during the day.
            report("directory counts")
            facet_cube_rebuild()
            # and for the explorer's, after a load that wrote awards unannounced (or a migration that emptied them)
            report("explorer totals")
            funding_rollups_rebuild()
            SummaryRun.objects.filter(current=True).update(current=False)
            run.status, run.current = SummaryRun.Status.DONE, True
            run.finished_at = timezone.now()
            run.seconds = round(time.monotonic() - started, 3)
            run.save()
            announce(summaries_changed, sender=SummaryRun, run_id=run.pk)
    except BaseException:
        SummaryRun.objects.filter(pk=run.pk).update(status=SummaryRun.Status.FAILED)
        raise
    _drop_old_runs(run)
    # The run's tables were filled in bulk: fresh planner statistics, so lookups by run and subject use their index.
    planner_statistics_refresh([OrganisationScore, SectorSummary, Flag, FlagCell, Concentration])
    return run


def progress_key(run_id: int) -> str:
    return f"scoring:run:{run_id}:progress"


def summary_run_progress(*, run: SummaryRun) -> str:
    return cache.get(progress_key(run.pk)) or ""


def flags_write(*, run: SummaryRun, today: datetime.date) -> int:
    """Every red flag and the concentration figures, into the run: one flag at a time and in batches, so at
    most one flag's hits are held at once (none beyond a batch for the flags that yield theirs)."""
    by_administrator = concentration_rows(by="administrator")  # stored below, and what its flag reads
    finders: dict[str, Callable[..., Iterable[Hit]]] = {
        **FLAG_FINDERS,
        "concentration": partial(concentration_find, rows=by_administrator),
    }
    written = 0
    for finder in finders.values():
        hits = iter(finder(today=today))
        while batch := list(islice(hits, FLAG_BATCH)):
            _name_organisations(batch)
            Flag.objects.bulk_create([_flag_row(run, hit) for hit in batch], batch_size=FLAG_BATCH)
            written += len(batch)
    cells = (
        Flag.objects.filter(run=run)
        .values("code", "subject_type", "administrator", "region", "year")
        .annotate(cell_n=Count("id"), cell_money=Sum("amount"))
        .order_by()
    )
    FlagCell.objects.bulk_create(
        (FlagCell(run=run, n=c.pop("cell_n"), money=c.pop("cell_money"), **c) for c in cells.iterator(2000)),
        batch_size=2000,
    )
    applicants = concentration_applicants({row["key"] for row in by_administrator})
    Concentration.objects.bulk_create(
        (
            Concentration(
                run=run,
                by=by,
                applicants=applicants.get((row["key"], row["year"])) if by == "administrator" else None,
                **row,
            )
            for by, rows in (("administrator", by_administrator), ("region", concentration_rows(by="region")))
            for row in rows
        ),
        batch_size=2000,
    )
    return written


def _name_organisations(hits) -> None:
    """Organisations are named by their org-id, the identifier the site's URLs use (stable across runs)."""
    wanted = {int(h.subject_key) for h in hits if h.subject_type == "organisation"}
    wanted |= {int(r["key"]) for h in hits for r in h.records if r["type"] == "organisation"}
    names = {
        row["id"]: row
        for row in Organisation.objects.filter(pk__in=wanted).values(
            "id", "bin", "local_id", "name_kk", "name_ru", "name_en"
        )
    }

    def org_id(pk: int) -> str:
        row = names[pk]
        return bin_org_id(row["bin"]) if row["bin"] else fallback_org_id(row["local_id"])

    for hit in hits:
        if hit.subject_type == "organisation":
            hit.subject_key = org_id(int(hit.subject_key))
        for record in hit.records:
            if record["type"] == "organisation":
                pk = int(record["key"])
                record["key"], record["label"] = org_id(pk), localized_row(names[pk], "name")


def _flag_row(run: SummaryRun, hit) -> Flag:
    return Flag(
        run=run,
        code=hit.code,
        subject_type=hit.subject_type,
        subject_key=hit.subject_key,
        title=hit.title[:300],
        year=hit.year,
        administrator=hit.administrator,
        region=hit.region,
        organisation_id=hit.organisation_id,
        amount=hit.amount,
        values=hit.values,
        records=hit.records,
    )


def flags_refresh() -> int:
    """Recompute every flag and the concentration figures in the current run, in one transaction.

    Flags compare records across the whole data set (fences over peer groups, pairs of organisations), so
    they are recomputed whole; a change schedules this a while after the summaries' refresh (tasks.py)."""
    run = SummaryRun.objects.filter(current=True).first()
    if run is None:
        return 0
    with transaction.atomic():
        Flag.objects.filter(run=run).delete()
        FlagCell.objects.filter(run=run).delete()
        Concentration.objects.filter(run=run).delete()
        written = flags_write(run=run, today=timezone.localdate())
        announce(summaries_changed, sender=Flag, run_id=run.pk)
    planner_statistics_refresh([Flag, FlagCell, Concentration])  # refilled in bulk
    return written


def _drop_old_runs(current: SummaryRun) -> None:
    """Derived rows of superseded runs (the scores and summaries are recomputed from the records)."""
    old = SummaryRun.objects.filter(pk__lt=current.pk, current=False)
    for model in (OrganisationScore, SectorSummary, Flag, FlagCell, Concentration):
        model.objects.filter(run__in=old).delete()


# ---------------------------------------------------------------- staleness and the incremental refresh


def summaries_stale() -> bool:
    return StaleSummary.objects.exists() or StaleSegment.objects.exists()


def summaries_refresh() -> int:
    """Bring the current run up to date with what was marked stale, in one transaction:

    - each stale organisation-year is scored again, and every segment it counts in (before and after the
      change) is recomputed for that year;
    - each segment marked for a year is recomputed for that year (one the organisation left);
    - each segment marked for every year has its registered and active counts recounted in every year.

    Returns how many marks were handled (0 when nothing is stale or no run exists yet)."""
    run = SummaryRun.objects.filter(current=True).first()
    if run is None:
        return 0
    today = timezone.localdate()
    with transaction.atomic():
        stale = list(StaleSummary.objects.select_for_update().values_list("id", "organisation_id", "year"))
        segments = list(StaleSegment.objects.select_for_update().values_list("id", "segment", "year"))
        if not stale and not segments:
            return 0
        pairs = {(org, year) for _id, org, year in stale}
        segments_before = _segments_of(run, pairs)
        for org, year in pairs:
            OrganisationScore.objects.filter(run=run, organisation_id=org, year=year).delete()
            scores_insert(run=run, reports=_reports().filter(organisation_id=org, year=year), today=today)
        wanted = segments_before | _segments_of(run, pairs)
        wanted |= {(year, segment) for _id, segment, year in segments if year is not None}
        if wanted:
            years = sorted({year for year, _segment in wanted})
            fresh = summaries_compute(run=run, years=years, wanted=wanted)
            exactly = Q()
            for year, segment in wanted:
                exactly |= Q(year=year, segment=segment)
            SectorSummary.objects.filter(run=run).filter(exactly).delete()
            SectorSummary.objects.bulk_create(fresh)
        _segment_counts_refresh(run, {segment for _id, segment, year in segments if year is None})
        StaleSummary.objects.filter(pk__in=[pk for pk, _org, _year in stale]).delete()
        StaleSegment.objects.filter(pk__in=[pk for pk, _segment, _year in segments]).delete()
        announce(summaries_changed, sender=SectorSummary, run_id=run.pk)
    return len(pairs) + len(segments)


def _segment_counts_refresh(run: SummaryRun, segments: set[str]) -> None:
    """Recount the registered and active organisations of these segments in every year of the run (what an
    organisation moving between segments, or changing status, changes beyond its own scores)."""
    summaries = list(SectorSummary.objects.filter(run=run, segment__in=segments))
    if not summaries:
        return
    found: dict[tuple[int, str], dict] = {(s.year, s.segment): {} for s in summaries}
    _add_registered(found, _keys_by_kind(segments))
    for summary in summaries:
        counts = found[(summary.year, summary.segment)]
        if "registered" in counts:
            summary.data = {**summary.data, "registered": counts["registered"], "active": counts["active"]}
    SectorSummary.objects.bulk_update(summaries, ["data"], batch_size=500)


def summaries_refresh_if_stale() -> int:
    """The embedded default (no broker, tasks in-process): a page that reads scores or summaries first brings
    them up to date, so a change shows at the next look with no worker running. With a broker a worker does
    it, debounced (tasks.summaries_refresh_schedule), and readers never wait for it."""
    if not settings.CELERY_TASK_ALWAYS_EAGER or not summaries_stale():
        return 0
    return summaries_refresh()


def _segments_of(run: SummaryRun, pairs: set[tuple[int, int]]) -> set[tuple[int, str]]:
    """Every (year, segment) the given organisation-years count in (before or after a change)."""
    wanted: set[tuple[int, str]] = set()
    orgs = {org for org, _year in pairs}
    fields = defaultdict(list)
    for org, field in OrganisationField.objects.filter(organisation__in=orgs).values_list("organisation", "field"):
        fields[org].append(field)
    organisation_keys = {
        row["id"]: row for row in Organisation.objects.filter(pk__in=orgs).values("id", "region", "legal_form")
    }
    scored = {
        (row["organisation"], row["year"]): row
        for row in OrganisationScore.objects.filter(run=run, organisation__in=orgs).values(
            "organisation", "year", "size", "region", "legal_form"
        )
    }
    for org, year in pairs:
        wanted.add((year, "all"))
        wanted.update((year, f"field:{field}") for field in fields[org])
        # the organisation's keys now, and those its score was filed under (a region or form may have changed)
        for keys in (dict(organisation_keys.get(org, {})), dict(scored.get((org, year), {}))):
            if keys.get("region"):
                wanted.add((year, f"region:{keys['region']}"))
            if keys.get("legal_form"):
                wanted.add((year, f"legal_form:{keys['legal_form']}"))
            if keys.get("size"):
                wanted.add((year, f"size:{keys['size']}"))
    return wanted


def summaries_mark_stale(*, organisation_id: int, years: Iterable[int], segments: Iterable[str] = ()) -> None:
    """The organisation's scores for `years`, and every segment they count in, are to recompute. `segments`
    are those it moved into or out of (or whose active count its status changed): recomputed for `years` (an
    organisation that left one no longer counts there) and recounted in every year."""
    years, segments = set(years), set(segments)
    for year in years:
        StaleSummary.objects.update_or_create(organisation_id=organisation_id, year=year)
    for segment in segments:
        StaleSegment.objects.update_or_create(segment=segment, year=None)
        for year in years:
            StaleSegment.objects.update_or_create(segment=segment, year=year)


# ---------------------------------------------------------------- concerns


MSG_CONCERN_RECORD = _("No such record.")
MSG_RESOLUTION_NEEDED = _("say how it was resolved or why it is dismissed; the note is public.")


MSG_CONCERN_UNCONFIRMED = _("confirm your e-mail address before reporting a concern.")
MSG_FOUR_EYES_CONCERN = _(
    "you filed this concern, or it is about an organisation you manage or an administrator you are an officer "
    "of: another moderator decides it."
)


@transaction.atomic
def concern_file(*, subject_type: str, subject_key: str, what: str, evidence: str, acting_user) -> Concern:
    """A signed-in person whose address is confirmed reports a concern about a record that exists."""
    if not email_verified(acting_user):
        raise PermissionDenied(MSG_CONCERN_UNCONFIRMED)
    if record_url(subject_type, subject_key, check=True) is None:
        raise ValidationError(MSG_CONCERN_RECORD)
    concern = Concern(
        subject_type=subject_type, subject_key=subject_key, what=what, evidence=evidence, filed_by=acting_user
    )
    concern.full_clean()
    concern.save()
    announce(concern_changed, sender=Concern, concern_id=concern.pk, status=concern.status)
    return concern


@transaction.atomic
def concern_triage(*, concern: Concern, status: str, resolution: str, moderator) -> Concern:
    """A moderator moves a concern on; resolving or dismissing it needs a public note. Four eyes: not one they
    filed, nor one about an organisation they manage or an administrator they are an officer of."""
    if concern.pk in concerns_conflicted(moderator=moderator, concerns=[concern]):
        raise PermissionDenied(MSG_FOUR_EYES_CONCERN)
    if status in (Concern.Status.RESOLVED, Concern.Status.DISMISSED) and not resolution.strip():
        raise ValidationError({"resolution": MSG_RESOLUTION_NEEDED})
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    concern.status, concern.resolution, concern.decided_by = status, resolution.strip(), moderator
    concern.full_clean()
    concern.save()
    announce(concern_changed, sender=Concern, concern_id=concern.pk, status=concern.status)
    return concern


def concerns_conflicted(*, moderator, concerns: Iterable[Concern]) -> set[int]:
    """The concerns (ids) among `concerns` that this moderator may not decide: those they filed, and those
    about an organisation they manage or an administrator they are an officer of. Four queries, however many."""
    concerns = list(concerns)
    managed, officer_of = organisations_managed_ids(moderator), officer_administrator_ids(moderator)
    parties = record_parties((c.subject_type, c.subject_key) for c in concerns) if managed or officer_of else {}
    conflicted = set()
    for concern in concerns:
        organisations, administrators = parties.get((concern.subject_type, concern.subject_key), (set(), set()))
        if concern.filed_by_id == moderator.pk or organisations & managed or administrators & officer_of:
            conflicted.add(concern.pk)
    return conflicted
