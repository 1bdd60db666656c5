"""Every read of the registry that is more than obj.field: querysets with their joins decided here."""

from __future__ import annotations

import datetime
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, F, Prefetch, Q, QuerySet, Value, When
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registry.cube import (
    facet_counts_among,
    facet_cube_facets,
    facet_cube_listed_by_form,
    facet_cube_ready,
    facet_cube_sector,
    facet_word,
)
from registry.i18n import localized, localized_column
from registry.models import (
    REPORT_FILE_COLUMNS,
    DemoDataset,
    FieldOfActivity,
    LegalForm,
    Organisation,
    OrganisationRole,
    Person,
    Region,
    StatusEvent,
    YearlyReport,
    registered_sort_key,
    report_due_on,
)
from registry.models.reports import (  # the report rules, here for the pages that ask the selectors
    REPORT_REQUIRED_FORMS,
    REPORTING_CHOICES,
    latest_due_report_year,
    reporting_status_expression,  # noqa: F401 - re-exported
    reporting_status_q,  # noqa: F401 - re-exported
)
from registry.search import person_name_key, relevance, search_terms

DEMO_CACHE_KEY = "registry:demo:v1"
REFERENCE_MEMO_SECONDS = 60
MERGE_CHAIN_LIMIT = 20


@dataclass(frozen=True)
class Reference:
    legal_forms: dict[str, LegalForm]
    regions: dict[str, Region]
    fields: dict[str, FieldOfActivity]
    loaded_at: float
    _labels: dict = dataclass_field(default_factory=dict)

    def labels(self, language: str) -> dict[str, dict[str, str]]:
        """{"legal_form"|"region"|"field": {code: name in `language`}}, worked out once per language."""
        if language not in self._labels:
            self._labels[language] = {
                "legal_form": {c: localized(x, "name", language) for c, x in self.legal_forms.items()},
                "region": {c: localized(x, "name", language) for c, x in self.regions.items()},
                "field": {c: localized(x, "name", language) for c, x in self.fields.items()},
            }
        return self._labels[language]


_reference: Reference | None = None


def reference_data() -> Reference:
    """The small code tables, held in this process.

    They change only through migrations and the admin. A change clears this process's copy at once (signals);
    other web processes pick it up within REFERENCE_MEMO_SECONDS. A shared cache would cost a round trip
    and an unpickle for every one of the dozen look-ups a directory page makes.
    """
    global _reference
    if _reference is None or time.monotonic() - _reference.loaded_at > REFERENCE_MEMO_SECONDS:
        _reference = Reference(
            legal_forms={lf.code: lf for lf in LegalForm.objects.all()},
            regions={r.code: r for r in Region.objects.all()},
            fields={f.code: f for f in FieldOfActivity.objects.all()},
            loaded_at=time.monotonic(),
        )
    return _reference


def reference_data_clear() -> None:
    global _reference
    _reference = None


# ---------------------------------------------------------------- regions in time (DOMAIN §2.5)

MSG_REGION_OUT_OF_TIME = _("%(region)s did not exist on %(date)s (it existed %(validity)s).")


@dataclass(frozen=True)
class RegionSuccession:
    """The reforms as links between units, and where each unit is today (the mapping rule of docs/regions.md)."""

    regions: dict[str, Region]
    successors: dict[str, tuple[str, ...]]
    predecessors: dict[str, tuple[str, ...]]
    today: dict[str, str]  # every unit's code -> the code of the current unit that continues it


_succession: tuple[Reference, RegionSuccession] | None = None


def _continuing(region: Region, successors: list[Region]) -> Region:
    """The successor that continues a unit: the one with its KATO prefix (East Kazakhstan, 63, continues as
    KZ-63), else the one of its kind (South Kazakhstan region, prefix 51, as Turkistan region rather than
    Shymkent city), else the first in the table's order."""
    for same in (lambda r: r.kato_prefix == region.kato_prefix, lambda r: r.kind == region.kind, lambda r: True):
        found = [r for r in successors if same(r)]
        if found:
            return found[0]
    raise ValueError(region.code)


def region_succession() -> RegionSuccession:
    """Worked out once per copy of the reference data (it is reloaded when the code tables change)."""
    global _succession
    reference = reference_data()
    if _succession is not None and _succession[0] is reference:
        return _succession[1]
    regions = reference.regions
    links = sorted(
        Region.succeeded_by.through.objects.values_list("from_region_id", "to_region_id"),
        key=lambda link: (regions[link[1]].sort_order, link[1]),
    )
    successors: dict[str, tuple[str, ...]] = {}
    predecessors: dict[str, tuple[str, ...]] = {}
    for old, new in links:
        successors[old] = (*successors.get(old, ()), new)
        predecessors[new] = (*predecessors.get(new, ()), old)
    today: dict[str, str] = {}
    for code in regions:
        current, seen = code, {code}
        while not regions[current].is_current and successors.get(current):
            current = _continuing(regions[current], [regions[c] for c in successors[current]]).code
            if current in seen:  # a loop in the admin's links: stop where it closes
                break
            seen.add(current)
        today[code] = current
    succession = RegionSuccession(regions, successors, predecessors, today)
    _succession = (reference, succession)
    return succession


def region_units_on(region: Region, day: datetime.date) -> list[Region]:
    """The units that covered the region's territory on the day: itself if it existed then, else its
    predecessors (for a day before it) or its successors (for a day after it) that existed then, followed
    through as many reforms as it takes."""
    if region.is_valid_on(day):
        return [region]
    succession = region_succession()
    links = succession.predecessors if region.valid_from and day < region.valid_from else succession.successors
    found: list[Region] = []
    todo, seen = list(links.get(region.code, ())), {region.code}
    while todo:
        code = todo.pop(0)
        if code in seen:
            continue
        seen.add(code)
        unit = succession.regions[code]
        if unit.is_valid_on(day):
            found.append(unit)
        else:
            todo.extend(links.get(code, ()))
    return found


def region_problem(region: Region | None, day: datetime.date | None) -> str | None:
    """Why a record dated `day` may not name `region`, with the unit it should name; None when it may.

    The one home of the rule for forms, services and imports: "KZ-10 Abai Region did not exist on
    2009-05-01; the unit then was KZ-VOS East Kazakhstan Region (before 2022)."."""
    if region is None or day is None or region.is_valid_on(day):
        return None
    units = region_units_on(region, day)
    params = {"region": region.coded_name, "date": day.isoformat()}
    if not units:
        return str(MSG_REGION_OUT_OF_TIME % {**params, "validity": region.validity})
    then = ", ".join(unit.coded_name for unit in units)
    if region.valid_from and day < region.valid_from:
        message = ngettext(
            "%(region)s did not exist on %(date)s; the unit then was %(then)s.",
            "%(region)s did not exist on %(date)s; the units then were %(then)s.",
            len(units),
        )
    else:
        message = ngettext(
            "%(region)s no longer existed on %(date)s; the unit then was %(then)s.",
            "%(region)s no longer existed on %(date)s; the units then were %(then)s.",
            len(units),
        )
    return message % {**params, "then": then}


@dataclass
class RegionMapping:
    """One former unit and the current unit its records are counted under in "today's regions"."""

    former: Region
    today: Region
    also: list[Region]  # the other units its territory went to, named beside


def region_mapping() -> list[RegionMapping]:
    """Every former unit with the current unit it maps to, in the table's order (for the page that shows it)."""
    succession = region_succession()
    rows = []
    for code, region in succession.regions.items():
        if region.is_current:
            continue
        today = succession.regions[succession.today[code]]
        others = [succession.regions[c] for c in succession.successors.get(code, ()) if c != today.code]
        rows.append(RegionMapping(region, today, others))
    return rows


def regions_mapped_to(codes: Iterable[str]) -> list[str]:
    """Every unit whose records count under one of these units in today's regions (a former unit given here
    stands for the current unit it maps to): KZ-63 -> KZ-63 and KZ-VOS."""
    today = region_succession().today
    wanted = {today.get(code, code) for code in codes}
    return sorted(code for code, current in today.items() if current in wanted)


def organisations_managed_ids(user) -> set[int]:
    """The organisations this person manages now (owner or editor): what they may not decide about as a
    moderator (four eyes)."""
    if not user.is_authenticated:
        return set()
    return set(user.memberships.filter(ended_at__isnull=True).values_list("organisation_id", flat=True))


def email_verified(user) -> bool:
    """Has this person confirmed, by a link we e-mailed, that their account's current address is theirs?"""
    if not user.is_authenticated or not user.email:
        return False
    return user.email_confirmations.filter(email__iexact=user.email, confirmed_at__isnull=False).exists()


def demo_dataset() -> DemoDataset | None:
    """The demo's marker for every page's banner: its seed, never its manifest of planted cases (`planted`: a
    list of every planted case, megabytes at ten times the national size, read by flag_precision only)."""
    marker = cache.get(DEMO_CACHE_KEY)
    if marker is None:
        marker = DemoDataset.objects.defer("planted").order_by("-created_at").first() or False
        cache.set(DEMO_CACHE_KEY, marker, 60)
    return marker or None


def directory_base() -> QuerySet[Organisation]:
    """Organisations a directory lists: every record except duplicates merged into another."""
    return Organisation.objects.filter(merged_into__isnull=True)


# ---------------------------------------------------------------- directory

FACET_KEYS = ("region", "legal_form", "field", "status", "territorial_level", "reporting")
FACET_LABELS = {
    "region": _("Region"),
    "legal_form": _("Legal form"),
    "field": _("Field of activity"),
    "status": _("Status"),
    "territorial_level": _("Territorial level"),
    "reporting": _("Yearly report"),
}


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    key: str
    label: str
    options: list[FacetOption] = field(default_factory=list)


@dataclass
class DirectoryResult:
    filterset: object
    page: Page
    facets: list[Facet]


def _facet_labels(key: str, reference: Reference) -> list[tuple[str, str]]:
    if key == "region":
        return [(code, r.name) for code, r in reference.regions.items()]
    if key == "legal_form":
        return [(code, lf.name) for code, lf in reference.legal_forms.items()]
    if key == "field":
        return [(code, f.name) for code, f in reference.fields.items()]
    if key == "status":
        return [(value, str(label)) for value, label in Organisation.Status.choices]
    if key == "reporting":
        return [(value, str(label)) for value, label in REPORTING_CHOICES]
    return [(value, str(label)) for value, label in Organisation.TerritorialLevel.choices]


def _chosen(filterset) -> dict[str, list[str]]:
    """The facet values the valid filters choose ({facet: values}), without the search and the sort."""
    data = filterset.form.cleaned_data
    return {key: [str(v) for v in data.get(key) or ()] for key in FACET_KEYS if data.get(key)}


def _searching(filterset) -> bool:
    return bool((filterset.form.cleaned_data.get("q") or "").strip())


def _search_word(filterset) -> int | None:
    """The FacetWord the search is (one of the registry's commonest words, alone), if it is one; once per request."""
    if not hasattr(filterset, "_search_word"):
        query = (filterset.form.cleaned_data.get("q") or "").strip()
        is_bin = query.isdigit() and len(query) == 12
        fields = filterset.form.cleaned_data.get("field") or ()
        filterset._search_word = None if is_bin or not query else facet_word(search_terms(query), fields)
    return filterset._search_word


def organisation_facets(filterset) -> tuple[list[Facet], int]:
    """Counts for each facet under every other active filter, so a reader sees what each choice would add,
    and the number of organisations under them all.

    Without a text search they are sums over the count cube (registry/cube.py), whatever the registry's size;
    a search's matches, found through the full-text index, are counted by their positions in the cube."""
    reference = reference_data()
    filterset.is_valid()
    chosen = _chosen(filterset)
    facet_cube_ready()
    if (word := _search_word(filterset)) is not None:  # a common word: its matches' counts are kept
        all_counts, total = facet_cube_facets(chosen, word=word)
    elif _searching(filterset):  # the matches' own cube positions, read once
        all_counts, total = facet_counts_among(filterset.match_ids(filterset.form.cleaned_data["q"]), chosen)
    else:
        all_counts, total = facet_cube_facets(chosen)
    facets = []
    for key in FACET_KEYS:
        counts = all_counts[key]
        selected = set(chosen.get(key, ()))
        label = str(FACET_LABELS[key])
        facet = Facet(key=key, label=f"{label} {latest_due_report_year()}" if key == "reporting" else label)
        for value, label in _facet_labels(key, reference):
            if counts.get(value) or value in selected:
                facet.options.append(FacetOption(value, str(label), counts.get(value, 0), value in selected))
        facets.append(facet)
    return facets, total


def organisation_rows(queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
    """The columns and joins a list of organisations shows."""
    return (
        queryset.select_related("legal_form", "region")
        .prefetch_related("fields")
        .defer("search_text", "charter_activities", "address")
    )


class DeferredJoinPaginator(Paginator):
    """Finds a page's ids first, then loads just those rows with their joins.

    The ids come from the filtered, ordered queryset with no joins, which an index on the sort key
    answers by itself; with the joins in place SQLite sorts whole rows before it can skip to a deep
    OFFSET, which made page 800 twice as slow as page 1. `ids` may supply them another way.
    """

    def __init__(self, object_list, per_page, rows, ids=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows
        self.ids = ids

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = cast(QuerySet, self.object_list)
        ids = (self.ids and self.ids(bottom, top)) or list(queryset.values_list("pk", flat=True)[bottom:top])
        by_id = {row.pk: row for row in self.rows(queryset.model.objects.filter(pk__in=ids))}
        return Page([by_id[pk] for pk in ids if pk in by_id], number, self)


# Up to this row a page's ids are read form by form; deeper pages, rare, read the sorted matches.
BY_FORM_UP_TO = 2000


def page_ids_by_form(
    queryset: QuerySet[Organisation], sort: str, matches: dict[str, int], listed: dict[str, int]
) -> Callable[[int, int], list[int] | None]:
    """The page's ids read legal form by legal form, merged by the database in one statement.

    Names start with the legal form, so in name order each form is one block: walking the whole name index to
    the first 25 public associations in one region passes every other form first (210 ms at 223,000
    organisations), while finding every match and sorting it grows with the registry (24-490 ms). Within its
    block each form walks its own (legal form, sort key) index to the page's last row, about
    row x listed / matches rows, or, where its matches are fewer than that, sorts them; the cube gives both
    counts (`matches`: each form's organisations under the filters, `listed`: under none). SQLite's planner
    knows only averages, so it is told which index (INDEXED BY); PostgreSQL's has the value frequencies."""
    descending = sort.startswith("-")
    key = registered_sort_key() if sort.lstrip("-") == "registered" else F(localized_column("name"))
    index = "org_form_registered" if sort.lstrip("-") == "registered" else f"org_form_{localized_column('name')}"
    table = connection.ops.quote_name(Organisation._meta.db_table)

    def ids(bottom: int, top: int) -> list[int] | None:
        if top > BY_FORM_UP_TO:
            return None
        parts: list[str] = []
        params: list[Any] = []
        for form, n in sorted(matches.items()):
            part = queryset.filter(legal_form=form).annotate(sort_key=key).values_list("sort_key", "pk")[:top]
            sql, part_params = part.query.sql_with_params()
            if connection.vendor == "sqlite" and top * listed.get(form, n) / n < n:
                sql = sql.replace(f"FROM {table}", f"FROM {table} INDEXED BY {connection.ops.quote_name(index)}", 1)
            parts.append(f"SELECT * FROM ({sql}) AS f{len(parts)}")  # noqa: S608 - the ORM's SQL, its parameters apart
            params.extend(part_params)
        if not parts:
            return []
        direction = "DESC" if descending else "ASC"
        merged = " UNION ALL ".join(parts)
        order = f"ORDER BY sort_key {direction}, pk {direction}"
        sql = f"SELECT pk FROM ({merged}) AS page {order} LIMIT %s OFFSET %s"  # noqa: S608 - as above
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, top - bottom, bottom])
            return [pk for (pk,) in cursor.fetchall()]

    return ids


# A form whose block would be walked further than this for a page of best matches is searched instead.
WALK_AT_MOST = 5000


def page_ids_by_relevance(
    searched: QuerySet[Organisation],
    unsearched: QuerySet[Organisation],
    query: str,
    matches: dict[str, int],
    listed: dict[str, int],
) -> Callable[[int, int], list[int] | None]:
    """A search for one common word's page in best-match order (a word of the name starting with it first, then
    by name), without sorting every match: the word's legal forms walked block by block, as page_ids_by_form.

    `searched` is the directory's queryset, `unsearched` the same without the search; `matches` holds each
    form's matches under the filters (the word's cube) and `listed` its organisations under them. The best
    matches of a form with many matches are found by walking its (form, name) index through the first
    row x listed / matches rows (each row's search text tells whether it is one); the forms with few matches
    are searched and sorted together. None (the caller sorts every match) when the walk can not prove its
    rows are the first: a form's window held fewer best matches than the page needs and not the whole form,
    or the page reaches past the best matches."""
    name = localized_column("name")
    index = connection.ops.quote_name(f"org_form_{name}")
    table = connection.ops.quote_name(Organisation._meta.db_table)
    best = relevance(query)

    def rows_sql(queryset: QuerySet[Organisation], limit: int, walked: bool) -> tuple[str, tuple]:
        """(sort key, id, 0 for a best match) of these organisations in name order, the first `limit`."""
        rows = queryset.annotate(sort_key=F(name), is_best=best).order_by(name, "pk")
        sql, params = rows.values_list("sort_key", "pk", "is_best")[:limit].query.sql_with_params()
        if walked and connection.vendor == "sqlite":  # through the form's own (form, name) index
            sql = sql.replace(f"FROM {table}", f"FROM {table} INDEXED BY {index}", 1)
        return sql, params

    def ids(bottom: int, top: int) -> list[int] | None:
        if top > BY_FORM_UP_TO:
            return None
        windows: dict[int, int] = {}  # a walked part -> the rows it walks (the searched one is complete)
        parts: list[str] = []
        params: list[Any] = []
        sparse = []
        for form, n in sorted(matches.items()):
            walk = top * listed.get(form, n) * 5 // (4 * n) + 25
            if walk > WALK_AT_MOST:
                sparse.append(form)
                continue
            sql, part_params = rows_sql(unsearched.filter(legal_form=form), walk, walked=True)
            windows[len(parts)] = walk
            parts.append(f"SELECT {len(parts)} AS part, w.* FROM ({sql}) AS w")  # noqa: S608 - the ORM's SQL
            params.extend(part_params)
        if sparse:
            best_of_sparse = searched.filter(legal_form__in=sparse).alias(best=best).filter(best=0)
            sql, part_params = rows_sql(best_of_sparse, top, walked=False)
            parts.append(f"SELECT {len(parts)} AS part, s.* FROM ({sql}) AS s")  # noqa: S608 - the ORM's SQL
            params.extend(part_params)
        if not parts:
            return None
        merged = " UNION ALL ".join(parts)
        sql = f"SELECT part, pk, is_best FROM ({merged}) AS page ORDER BY sort_key, pk"  # noqa: S608 - the ORM's SQL
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            read: list[tuple[int, int, int]] = cursor.fetchall()
        seen = Counter(part for part, _pk, _best in read)
        found = Counter(part for part, _pk, is_best in read if is_best == 0)
        for part, walk in windows.items():
            if seen[part] >= walk and found[part] < top:  # neither the whole form nor enough of its best matches
                return None
        page = [pk for _part, pk, is_best in read if is_best == 0]
        return page[bottom:top] if len(page) >= top else None

    return ids


def _listed_by_form(filterset, facets: list[Facet]) -> dict[str, int]:
    """How many organisations the directory lists per legal form (those with any, of the forms chosen if any),
    from the legal-form facet just counted."""
    chosen = set(_chosen(filterset).get("legal_form", ()))
    by_form = next(f for f in facets if f.key == "legal_form")
    return {o.value: o.count for o in by_form.options if o.count and (not chosen or o.value in chosen)}


def organisation_directory(data: QueryDict, filterset_class, page_number: str | int | None) -> DirectoryResult:
    if not data.get("sort"):
        # Say which order applies, so the sort picker shows it: best match for a search, else by name.
        data = data.copy()
        data["sort"] = "relevance" if data.get("q", "").strip() else "name"
    filterset = filterset_class(data, queryset=directory_base())
    paginator = DeferredJoinPaginator(filterset.qs, settings.DIRECTORY_PAGE_SIZE, rows=organisation_rows)
    facets, paginator.count = organisation_facets(filterset)  # the cube's sums, not a COUNT over the rows
    if not _searching(filterset):
        sort = filterset.form.cleaned_data.get("sort") or "name"
        matches = _listed_by_form(filterset, facets)
        paginator.ids = page_ids_by_form(filterset.qs, sort, matches, facet_cube_listed_by_form())
    elif _search_word(filterset) is not None and filterset.form.cleaned_data.get("sort") == "relevance":
        matches = _listed_by_form(filterset, facets)
        unsearched = data.copy()
        unsearched.pop("q", None)
        others = filterset_class(unsearched, queryset=directory_base()).qs
        query = filterset.form.cleaned_data["q"]
        # each form's organisations under the other filters (the cube's), which a form's walk passes
        listed = facet_cube_facets(_chosen(filterset))[0]["legal_form"] if _chosen(filterset) else None
        listed = listed or facet_cube_listed_by_form()
        paginator.ids = page_ids_by_relevance(filterset.qs, others, query, matches, listed)
    page = paginator.get_page(page_number)
    return DirectoryResult(filterset=filterset, page=page, facets=facets)


# ---------------------------------------------------------------- one organisation

_BIN_ID = re.compile(r"KZ-BIN-(\d{12})", re.IGNORECASE)


def _fallback_pattern() -> re.Pattern[str]:
    return re.compile(rf"360G-{re.escape(settings.QOGAM_PUBLISHER_PREFIX)}-org-([0-9A-Z]+)", re.IGNORECASE)


def organisation_by_org_id(org_id: str) -> Organisation | None:
    """The record an identifier names, merged or not; None when it names nothing we hold."""
    if match := _BIN_ID.fullmatch(org_id):
        return Organisation.objects.filter(bin=match.group(1)).first()
    if match := _fallback_pattern().fullmatch(org_id):
        return Organisation.objects.filter(local_id=match.group(1).upper()).first()
    return None


def organisations_by_org_id(org_ids: Iterable[str]) -> set[str]:
    """The identifiers among `org_ids` that name a record we hold (merged or not), in two queries."""
    return set(organisation_ids_by_org_id(org_ids))


def organisation_ids_by_org_id(org_ids: Iterable[str]) -> dict[str, set[int]]:
    """For each identifier among `org_ids` that names a record we hold: its primary key, with the survivor's
    for a merged record. Two queries."""
    bins, local_ids = {}, {}
    for org_id in org_ids:
        if match := _BIN_ID.fullmatch(org_id):
            bins[match.group(1)] = org_id
        elif match := _fallback_pattern().fullmatch(org_id):
            local_ids[match.group(1).upper()] = org_id
    found: dict[str, set[int]] = {}
    for column, wanted in (("bin", bins), ("local_id", local_ids)):
        if not wanted:
            continue
        rows = Organisation.objects.filter(**{f"{column}__in": wanted}).values_list(column, "pk", "merged_into_id")
        for value, pk, survivor in rows:
            found[wanted[value]] = {pk, survivor} - {None}
    return found


def organisation_survivor(organisation: Organisation) -> Organisation:
    """Follow merges to the record that lives on."""
    seen = {organisation.pk}
    while organisation.merged_into_id and len(seen) < MERGE_CHAIN_LIMIT:
        organisation = Organisation.objects.get(pk=organisation.merged_into_id)
        if organisation.pk in seen:
            break
        seen.add(organisation.pk)
    return organisation


def organisation_for_path(org_id: str) -> tuple[Organisation | None, Organisation | None]:
    """(record, None) when `org_id` is the canonical identifier of a live record; (None, survivor) when the
    request should be redirected to the survivor's canonical identifier (merged duplicates, a BIN found
    later, another case); (None, None) when nothing we hold has that identifier."""
    organisation = organisation_by_org_id(org_id)
    if organisation is None:
        return None, None
    survivor = organisation_survivor(organisation)
    if survivor.org_id != org_id:
        return None, survivor
    return survivor, None


def organisation_status_on(organisation: Organisation, on) -> tuple[str | None, StatusEvent | None]:
    """The organisation's status on a date, and the event that set it; (None, None) before registration.

    Uses prefetched status_events when the caller loaded them. A suspension whose last day has passed
    counts as lifted even when no "resumed" event was recorded.
    """
    last = None
    for event in organisation.status_events.all():
        if event.occurred_on <= on and (last is None or (event.occurred_on, event.id) >= (last.occurred_on, last.id)):
            last = event
    if last is None:
        return None, None
    if last.kind == StatusEvent.Kind.SUSPENDED and last.ends_on and last.ends_on < on:
        return Organisation.Status.ACTIVE, last
    return last.resulting_status, last


def organisation_roles_ordered() -> QuerySet[OrganisationRole]:
    """An organisation's roles as its profile lists them: the head, then founders, then the board; within each,
    open roles first, then the latest."""
    kind_order = Case(
        When(kind=OrganisationRole.Kind.HEAD, then=Value(0)),
        When(kind=OrganisationRole.Kind.FOUNDER, then=Value(1)),
        default=Value(2),
    )
    return (
        OrganisationRole.objects.select_related("person")
        .annotate(kind_order=kind_order)
        .order_by("kind_order", F("ended_on").desc(nulls_first=True), F("started_on").desc(nulls_last=True), "id")
    )


def organisation_profile(pk: int) -> Organisation:
    branches = Organisation.objects.select_related("region", "legal_form").order_by("name_ru", "id")
    return (
        Organisation.objects.select_related("legal_form", "region", "parent", "parent__legal_form")
        .prefetch_related(
            "fields",
            "organisationfield_set",
            "other_names",
            Prefetch("roles", queryset=organisation_roles_ordered()),
            Prefetch("status_events", queryset=StatusEvent.objects.order_by("occurred_on", "id")),
            Prefetch("branches", queryset=branches.filter(merged_into__isnull=True)),
            Prefetch("merged_records", queryset=Organisation.objects.prefetch_related("status_events").order_by("id")),
        )
        .get(pk=pk)
    )


# ---------------------------------------------------------------- history, as people read it

REPORT_CHANGE = re.compile(r"^report (\d{4}): (\w+)$")


def _history_value(model, name: str, value: str) -> str:
    """A stored before/after text in the reader's words: codes by their names, yes/no for booleans."""
    if not value:
        return value
    reference = reference_data()
    tables: dict[str, dict] = {"legal_form": reference.legal_forms, "region": reference.regions}
    if name in tables:
        found = tables[name].get(value)
        return found.name if found is not None else value
    if name == "fields":
        return "; ".join(reference.fields[code].name if code in reference.fields else code for code in value.split(";"))
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed: its stored text as it is
        return value
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.get_internal_type() == "BooleanField":
        return {"True": str(_("yes")), "False": str(_("no"))}.get(value, value)
    return value


# History rows that name no model field: what they record, in words.
HISTORY_EVENTS = {
    "fields": _("fields of activity"),
    "merged record": _("merged record"),
    "file": _("document file"),
}


def _history_field(name: str) -> tuple[Any, str, str]:
    """(model, field name, label) of a ChangeRecord's field: a profile field or "report 2024: has_board"."""
    report = REPORT_CHANGE.match(name)
    model, field_name = (YearlyReport, report.group(2)) if report else (Organisation, name)
    try:
        label = str(getattr(model._meta.get_field(field_name), "verbose_name", field_name))
    except FieldDoesNotExist:
        if field_name in HISTORY_EVENTS:
            label = str(HISTORY_EVENTS[field_name])
        elif field_name in OrganisationRole.Kind.values:  # people (issue 17): "head: A -> B"
            label = str(OrganisationRole.Kind(field_name).label)
        else:
            label = field_name
    if report:
        label = str(_("yearly report %(year)s: %(field)s") % {"year": report.group(1), "field": label})
    return model, field_name, label


def history_labelled(changes: Iterable) -> list:
    """The History tab's rows with labels, never keys: each change's field_label ("mission" reads
    "Mission") and its before and after values in the reader's words (old_label, new_label)."""
    rows = list(changes)
    for change in rows:
        model, field_name, change.field_label = _history_field(change.field)
        change.old_label = _history_value(model, field_name, change.old_value)
        change.new_label = _history_value(model, field_name, change.new_value)
    return rows


# ---------------------------------------------------------------- the sector at a glance


@dataclass
class CountRow:
    code: str
    label: str
    registered: int
    active: int


@dataclass
class SectorOverview:
    registered: int
    active: int
    without_bin: int
    liquidated: int
    by_legal_form: list[CountRow]
    by_region: list[CountRow]
    by_field: list[CountRow]
    computed_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def active_share(self) -> float | None:
        return 100 * self.active / self.registered if self.registered else None


def _rows(counts, labels: dict[str, str]) -> list[CountRow]:
    found = {code: (registered, active) for code, registered, active in counts}
    return [CountRow(code, label, *found[code]) for code, label in labels.items() if code in found]


def sector_overview() -> SectorOverview:
    """The home page's figures, summed from the directory's count cube (registry/cube.py)."""
    reference = reference_data()
    facet_cube_ready()
    totals, breakdown = facet_cube_sector()
    return SectorOverview(
        registered=totals["registered"],
        active=totals["active"],
        without_bin=totals["without_bin"],
        liquidated=totals["liquidated"],
        by_legal_form=_rows(breakdown["legal_form"], {c: lf.name for c, lf in reference.legal_forms.items()}),
        by_region=_rows(breakdown["region"], {c: r.name for c, r in reference.regions.items()}),
        by_field=_rows(breakdown["field"], {c: f.name for c, f in reference.fields.items()}),
    )


# ---------------------------------------------------------------- yearly reports


@dataclass
class ReportRow:
    year: int
    due_on: datetime.date
    status: str
    label: str
    report: YearlyReport | None


def organisation_reports(organisation: Organisation, years: int = 6) -> list[ReportRow]:
    """The last `years` reporting years, each with its status, newest first."""
    latest = latest_due_report_year() + 1  # include the year being filed now, if it is filed already
    reports = {r.year: r for r in organisation.reports.filter(year__gt=latest - years - 1)}
    labels = dict(REPORTING_CHOICES)
    required = organisation.legal_form_id in REPORT_REQUIRED_FORMS
    rows = []
    for year in range(latest, latest - years, -1):
        if organisation.registered_on and year < organisation.registered_on.year:
            break
        report = reports.get(year)
        due = report_due_on(year)
        if report is not None:
            status = "on_time" if report.on_time else "late"
        elif not required:
            status = "not_required"
        elif due >= timezone.localdate():
            continue  # not due yet and not filed: nothing to say
        else:
            status = "overdue"
        rows.append(ReportRow(year, due, status, str(labels[status]), report))
    return rows


# ---------------------------------------------------------------- tables for downloads

ORGANISATION_COLUMNS = [
    "org_id",
    "bin",
    "name_kk",
    "name_ru",
    "name_en",
    "legal_form",
    "legal_form_label",
    "ngo_eligible",
    "region",
    "region_label",
    "territorial_level",
    "territorial_level_label",
    "status",
    "status_label",
    "registered_on",
    "fields",
    "fields_labels",
    "phone",
    "email",
    "website",
    "parent_org_id",
    "url",
]
CSV_CHUNK = 2000


def organisation_table(queryset: QuerySet[Organisation], base_url: str) -> tuple[list[str], Iterator[list]]:
    """(header, rows) of organisations, codes with labels: the directory's download and the full export."""
    base_url = base_url.rstrip("/")

    def rows():
        for org in queryset.select_related("parent").iterator(chunk_size=CSV_CHUNK):
            fields = list(org.fields.all())
            yield [
                org.org_id,
                org.bin,
                org.name_kk,
                org.name_ru,
                org.name_en,
                org.legal_form_id,
                org.legal_form.name,
                "yes" if org.legal_form.ngo_eligible else "no",
                org.region_id,
                org.region.name if org.region else "",
                org.territorial_level,
                org.get_territorial_level_display() if org.territorial_level else "",
                org.status,
                org.get_status_display(),
                org.registered_on,
                ";".join(f.code for f in fields),
                "; ".join(f.name for f in fields),
                org.phone,
                org.email,
                org.website,
                org.parent.org_id if org.parent else "",
                base_url + org.get_absolute_url(),
            ]

    return ORGANISATION_COLUMNS, rows()


def report_table() -> tuple[list[str], Iterator[list]]:
    """(header, rows) of every filed yearly report: the import format's columns (so a file round-trips), plus
    the organisation's org-id and whether it was filed on time."""
    columns = REPORT_FILE_COLUMNS
    header = ["org_id", *columns, "on_time"]

    def cell(value):
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return value

    def rows():
        reports = YearlyReport.objects.select_related("organisation").order_by("organisation_id", "year")
        for report in reports.iterator(chunk_size=CSV_CHUNK):
            values = [report.organisation.org_id, report.organisation.bin]
            values += [cell(getattr(report, name)) for name in columns[1:]]
            yield [*values, "yes" if report.on_time else "no"]

    return header, rows()


# ---------------------------------------------------------------- people in public roles (issue 17)

PEOPLE_PAGE_SIZE = 50


def people_matching(query: str) -> QuerySet[Person]:
    """People whose name matches `query` in any script or spelling: the query goes through the same normalisation
    as the names (registry.search.person_name_key), so "Нұрлан Әлиев", "Нурлан Алиев" and "Aliev Nurlan" find
    the same person. Each word of the query must begin a word of the name ("Али" finds Алиев), whole-name
    matches first. An empty query lists everyone."""
    key = person_name_key(query)
    people = Person.objects.all()
    if not key:
        return people.order_by("name_key", "id")
    for word in key.split():
        people = people.filter(Q(name_key__startswith=word) | Q(name_key__contains=f" {word}"))
    exact = Case(When(name_key=key, then=Value(0)), default=Value(1))
    return people.annotate(exact=exact).order_by("exact", "name_key", "id")


def people_search(query: str, page_number: str | int | None) -> Page:
    """One page of people matching `query`, each with their organisation roles (and organisations): three
    queries whatever the page holds."""
    roles = OrganisationRole.objects.select_related("organisation").order_by("-started_on", "id")
    people = people_matching(query).prefetch_related(Prefetch("organisation_roles", queryset=roles))
    return Paginator(people, PEOPLE_PAGE_SIZE).get_page(page_number)


@dataclass
class HeadedMoney:
    """The money an organisation received while the person headed it: awards dated within a head role's period
    (an award dated on the first or the last day counts), each award once however the periods overlap."""

    organisation: Organisation
    periods: list[OrganisationRole]
    awards: int
    total: Decimal


@dataclass
class PersonPage:
    person: Person
    organisation_roles: list[OrganisationRole]
    official_posts: list  # funding's AdministratorOfficial, read through the reverse relation
    commission_seats: list  # funding's CommissionMember
    money_while_head: list[HeadedMoney]
    other_names: list[tuple[str, str]]  # (language code, name) other than the one shown


def _in_period(day: datetime.date, role: OrganisationRole) -> bool:
    return (role.started_on is None or role.started_on <= day) and (role.ended_on is None or day <= role.ended_on)


def person_money_while_head(roles: Iterable[OrganisationRole]) -> list[HeadedMoney]:
    """Per organisation the person headed, the awards it received during the head periods, summed: one query.
    Awards are funding's, read here through the organisation's reverse relation ("awards"), as the profile's
    API reads its funding totals, so that registry imports nothing of funding."""
    heads: dict[int, list[OrganisationRole]] = {}
    organisations: dict[int, Organisation] = {}
    for role in roles:
        if role.kind == OrganisationRole.Kind.HEAD:
            heads.setdefault(role.organisation_id, []).append(role)
            organisations[role.organisation_id] = role.organisation
    if not heads:
        return []
    rows = (
        Organisation.objects.filter(pk__in=heads, awards__isnull=False)
        .values_list("pk", "awards__pk", "awards__amount", "awards__awarded_on")
        .order_by()
    )
    counted: dict[int, set[int]] = {pk: set() for pk in heads}
    totals: dict[int, Decimal] = dict.fromkeys(heads, Decimal(0))
    for organisation_id, award_id, amount, awarded_on in rows:
        if award_id in counted[organisation_id]:
            continue
        if any(_in_period(awarded_on, role) for role in heads[organisation_id]):
            counted[organisation_id].add(award_id)
            totals[organisation_id] += amount
    result = [
        HeadedMoney(organisation=organisations[pk], periods=heads[pk], awards=len(counted[pk]), total=totals[pk])
        for pk in heads
    ]
    return sorted(result, key=lambda row: (-row.total, row.organisation.pk))


def person_page(pk: int) -> PersonPage:
    """A person's public page: roles in organisations, official posts, commission seats, and the money the
    organisations they headed received while they did. A constant number of queries, whatever the roles."""
    roles = OrganisationRole.objects.select_related("organisation__legal_form").order_by("-started_on", "id")
    person = Person.objects.prefetch_related(
        Prefetch("organisation_roles", queryset=roles),
        "official_posts__administrator",
        "commission_seats__competition__administrator",
    ).get(pk=pk)
    organisation_roles = sorted(
        person.organisation_roles.all(), key=lambda r: (r.started_on or datetime.date.min, r.id), reverse=True
    )
    shown = person.name
    other_names = [
        (code, value)
        for code, value in (("kk", person.name_kk), ("ru", person.name_ru), ("en", person.name_en))
        if value and value != shown
    ]
    return PersonPage(
        person=person,
        organisation_roles=organisation_roles,
        official_posts=sorted(
            person.official_posts.all(), key=lambda r: (r.started_on or datetime.date.min, r.id), reverse=True
        ),
        commission_seats=sorted(
            person.commission_seats.all(), key=lambda s: (s.competition.announced_on, s.stage, s.id), reverse=True
        ),
        money_while_head=person_money_while_head(organisation_roles),
        other_names=other_names,
    )
