"""The directory's count cube (registry/models/facets.py): built once, moved by the change events, summed by the
pages.

- `facet_cube_rebuild()` counts every listed organisation into its cells (after seed_demo, the nightly
  regeneration, and whenever the cube is missing or for another report year).
- `facet_cube_refresh(ids)` moves the given organisations from the cells they were counted in to the cells they
  belong in now; the registry's receivers call it for every organisation_changed and report_filed.
- `facet_cube_facets(filters)` and `facet_cube_sector()` answer the directory's and the home page's questions
  by summing cells: a few thousand rows at most, whatever the registry's size.

Writers serialise on the FacetState row (PostgreSQL row lock; SQLite has one writer anyway), so two processes
moving the same organisation, or a rebuild racing a refresh, can not count it twice.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, F, Q, QuerySet, Sum, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from api.planner import counts_add, key_filters, planner_statistics_refresh
from registry.models import Organisation, OrganisationField
from registry.models.facets import WORD_MAX_LENGTH, FacetCell, FacetMember, FacetState, FacetWord, FacetWordCell
from registry.models.reports import latest_due_report_year, reporting_status_expression

# The facets a cell holds besides the field (held as `fields`), in FacetCell's column names.
FACET_DIMENSIONS = ("region", "legal_form", "status", "territorial_level", "reporting")
BATCH = 5000

# (fields, region, legal_form, status, territorial_level, reporting, has_bin, words): where one organisation is
# counted; words: the ids of the FacetWords its search text contains, as ",id,id," ("" for none)
Position = tuple[str, str, str, str, str, str, bool, str]
# The cells of organisations working in all of 1, 2 and 3 given fields: a filter on up to three fields is
# their sum by inclusion-exclusion (_holding).
INTERSECTIONS = {1: FacetCell.Kind.FIELD, 2: FacetCell.Kind.PAIR, 3: FacetCell.Kind.TRIPLE}
CellKey = tuple[str, ...]  # (kind, fields, *the dimensions)


def _fieldset(codes: Iterable[str]) -> str:
    return "," + ",".join(sorted(codes)) + ","


def _words_in(text: str, words: Mapping[int, str]) -> str:
    """The ids of the FacetWords `text` contains as a substring (as a search for each of them matches it)."""
    ids = [str(pk) for pk, word in words.items() if word in text]
    return f",{','.join(ids)}," if ids else ""


def _positions(organisations: QuerySet[Organisation], year: int, words: Mapping[int, str]) -> dict[int, Position]:
    """Where each of these organisations belongs now (those merged into another belong nowhere)."""
    rows = (
        organisations.filter(merged_into__isnull=True)
        .annotate(reporting=reporting_status_expression(year))
        .values_list(
            "id", "region_id", "legal_form_id", "status", "territorial_level", "bin", "reporting", "search_text"
        )
        .order_by()
    )
    links = OrganisationField.objects.filter(organisation__in=organisations.values("id")).values_list(
        "organisation_id", "field_id"
    )
    fields: dict[int, list[str]] = {}
    for organisation_id, code in links.iterator(chunk_size=BATCH):
        fields.setdefault(organisation_id, []).append(code)
    return {
        pk: (
            _fieldset(fields.get(pk, ())),
            region or "",
            form,
            status,
            level or "",
            reporting,
            bool(bin_),
            _words_in(text, words) if words else "",
        )
        for pk, region, form, status, level, bin_, reporting, text in rows.iterator(chunk_size=BATCH)
    }


def _cells(position: Position) -> list[CellKey]:
    """The cells one organisation is counted in: the whole cube, its set of fields, each field of it and each
    two and three of them."""
    fieldset, region, legal_form, status, level, reporting, has_bin, _words = position
    dims = (region, legal_form, status, level, reporting)
    codes = [code for code in fieldset.strip(",").split(",") if code]
    # Only the home page asks about BINs, and only of the whole cube: the field cells leave it out (fewer cells).
    keys: list[CellKey] = [(FacetCell.Kind.ALL.value, "", *dims, "1" if has_bin else "")]
    keys.append((FacetCell.Kind.FIELDS.value, fieldset, *dims, "1"))
    keys += [(FacetCell.Kind.FIELD.value, code, *dims, "1") for code in codes]
    for size in (2, 3):
        kind = INTERSECTIONS[size].value
        keys += [(kind, _fieldset(some), *dims, "1") for some in itertools.combinations(codes, size)]
    return keys


WordCellKey = tuple[int, str, str, str, str, str, str, str]  # (word id, kind, fields, *the dimensions)


# The kinds of cell a word keeps: what the directory reads under no field filter or one. Its other kinds (for
# filters on two or more fields) would hold three times as many cells; such a search counts its matches.
WORD_KINDS = (FacetCell.Kind.ALL.value, FacetCell.Kind.FIELD.value)


def _word_cells(position: Position) -> list[WordCellKey]:
    """The FacetWordCells one organisation is counted in: its FacetCells of WORD_KINDS (BINs not told apart),
    for each word."""
    if not position[-1]:
        return []
    cells = [key[:-1] for key in _cells(position) if key[0] in WORD_KINDS]
    words = [int(word) for word in position[-1].strip(",").split(",")]
    return [cast(WordCellKey, (word, *key)) for word in words for key in cells]


def _cell_values(key: CellKey) -> dict:
    kind, fields, region, legal_form, status, level, reporting, has_bin = key
    return {
        "kind": kind,
        "fields": fields,
        "region": region,
        "legal_form": legal_form,
        "status": status,
        "territorial_level": level,
        "reporting": reporting,
        "has_bin": bool(has_bin),
    }


def _member(pk: int, position: Position, cell_id: int) -> FacetMember:
    fieldset, region, legal_form, status, level, reporting, has_bin, words = position
    return FacetMember(
        organisation_id=pk,
        fields=fieldset,
        region=region,
        legal_form=legal_form,
        status=status,
        territorial_level=level,
        reporting=reporting,
        has_bin=has_bin,
        cell_id=cell_id,
        words=words,
    )


def _own_cell(position: Position) -> tuple[str, ...]:
    """The key of an organisation's cell of kind "fields" (its set of fields and the five facets), which its
    FacetMember points at: (fields, region, legal_form, status, territorial_level, reporting)."""
    return position[:6]


def _own_cell_ids(keys: set[tuple[str, ...]] | None = None) -> dict[tuple[str, ...], int]:
    """The ids of these cells of kind "fields" (all of them for None), by _own_cell key."""
    names = ("fields", *FACET_DIMENSIONS)
    cells = FacetCell.objects.filter(kind=FacetCell.Kind.FIELDS)
    wheres = [Q()] if keys is None else list(key_filters(keys, names))
    return {
        tuple(row[1:]): row[0]
        for where in wheres
        for row in cells.filter(where).values_list("id", *names).iterator(chunk_size=BATCH)
    }


def _lock() -> FacetState:
    """The state row, locked for the rest of the transaction; created (for no year: year 0) when there is none,
    so that two first builds wait for each other instead of both inserting the same cells."""
    state, _created = FacetState.objects.select_for_update().get_or_create(
        pk=1, defaults={"year": 0, "built_at": timezone.now()}
    )
    return state


def _insert(model, rows: Iterable[tuple]) -> None:
    """Plain INSERTs in batches: bulk_create's per-value work took most of a rebuild's time."""
    columns = [f.column for f in model._meta.concrete_fields if not (f.primary_key and f.auto_created)]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 - identifiers from the model, quoted
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, BATCH)):
            cursor.executemany(sql, batch)


def _common_words() -> list[str]:
    """The words (3+ letters) of the listed organisations' search texts that at least
    settings.FACET_WORD_MIN_MATCHES of them contain, the commonest first, at most FACET_WORDS_AT_MOST."""
    listed: Counter[str] = Counter()
    texts = Organisation.objects.filter(merged_into__isnull=True).values_list("search_text", flat=True).order_by()
    for text in texts.iterator(chunk_size=BATCH):
        listed.update({word for word in text.split() if len(word) >= 3})
    at_least = settings.FACET_WORD_MIN_MATCHES
    common = [word for word, n in listed.most_common(settings.FACET_WORDS_AT_MOST) if n >= at_least]
    return [word for word in common if len(word) <= WORD_MAX_LENGTH]


@transaction.atomic
def facet_cube_rebuild() -> int:
    """Count every listed organisation afresh, and choose the common words again; returns the number of cells."""
    year = latest_due_report_year()
    _lock()
    common = _common_words()
    FacetWordCell.objects.all().delete()
    FacetWord.objects.exclude(word__in=common).delete()  # the others keep their ids, which members hold
    kept = set(FacetWord.objects.values_list("word", flat=True))
    FacetWord.objects.bulk_create(FacetWord(word=word) for word in common if word not in kept)
    words = dict(FacetWord.objects.values_list("id", "word"))
    counts: Counter[CellKey] = Counter()
    word_counts: Counter[WordCellKey] = Counter()
    positions = _positions(Organisation.objects.all(), year, words)
    for position in positions.values():
        counts.update(_cells(position))
        word_counts.update(_word_cells(position))
    FacetCell.objects.all().delete()
    _insert(FacetCell, ((*key[:-1], key[-1] == "1", n) for key, n in counts.items()))
    _insert(FacetWordCell, ((*key, True, n) for key, n in word_counts.items()))
    cell_ids = _own_cell_ids()
    FacetMember.objects.all().delete()
    _insert(
        FacetMember,
        ((pk, *position[:7], cell_ids[_own_cell(position)], position[7]) for pk, position in positions.items()),
    )
    FacetState.objects.filter(pk=1).update(year=year, built_at=timezone.now())
    # filled in bulk: the planner learns their sizes
    planner_statistics_refresh([FacetCell, FacetMember, FacetWord, FacetWordCell])
    return len(counts)


@transaction.atomic
def facet_cube_refresh(organisation_ids: Iterable[int]) -> None:
    """Move these organisations to the cells they belong in now. Without a cube for this year nothing is
    moved: the next read rebuilds it whole."""
    ids = sorted(set(organisation_ids))
    year = latest_due_report_year()
    state = _lock()
    if not ids or state.year != year:
        return
    before = {
        m.organisation_id: (
            m.fields,
            m.region,
            m.legal_form,
            m.status,
            m.territorial_level,
            m.reporting,
            m.has_bin,
            m.words,
        )
        for m in FacetMember.objects.filter(organisation_id__in=ids)
    }
    now = _positions(Organisation.objects.filter(pk__in=ids), year, dict(FacetWord.objects.values_list("id", "word")))
    delta: Counter[CellKey] = Counter()
    word_delta: Counter[WordCellKey] = Counter()
    moved = [pk for pk in ids if before.get(pk) != now.get(pk)]
    for pk in moved:
        if pk in before:
            delta.subtract(_cells(before[pk]))
            word_delta.subtract(_word_cells(before[pk]))
        if pk in now:
            delta.update(_cells(now[pk]))
            word_delta.update(_word_cells(now[pk]))
    _add_word_counts({key: change for key, change in word_delta.items() if change})
    for key, change in delta.items():
        if not change:
            continue
        values = _cell_values(key)
        cell, created = FacetCell.objects.get_or_create(**values, defaults={"n": change})
        if not created:
            FacetCell.objects.filter(pk=cell.pk).update(n=cell.n + change)
    # After the cells: a member points at its own cell, which the loop above may just have created.
    cell_ids = _own_cell_ids({_own_cell(now[pk]) for pk in moved if pk in now})
    FacetMember.objects.filter(organisation_id__in=moved).delete()
    FacetMember.objects.bulk_create(_member(pk, now[pk], cell_ids[_own_cell(now[pk])]) for pk in moved if pk in now)


def _add_word_counts(delta: Mapping[WordCellKey, int]) -> None:
    """Add each change to its FacetWordCell, creating the cells a change is the first to reach: one upsert per
    batch, as a change moves one organisation in a cell per word its name holds."""
    counts_add(FacetWordCell, ("word_id", "kind", "fields", *FACET_DIMENSIONS), "n", delta, {"has_bin": True})


def facet_cube_ready() -> None:
    """Rebuild the cube when there is none, or when it counts the reports of a year no longer the latest due."""
    year = FacetState.objects.filter(pk=1).values_list("year", flat=True).first()
    if year != latest_due_report_year():
        facet_cube_rebuild()


def _holding(fields: list[str], cube: QuerySet) -> QuerySet:
    """The organisations working in any of `fields` (all of them for none), summed by the other five facets.

    Up to three fields, by inclusion-exclusion over the cells of each field, each two and each three of them
    (a + b - ab for two; a + b + c - ab - ac - bc + abc for three): cells that grow with the combinations in
    use, not with the registry. Four or more: the cells of every whole set of fields holding one of them."""
    if not fields:
        cells = cube.filter(kind=FacetCell.Kind.ALL)
    elif len(fields) <= len(INTERSECTIONS):
        some = Q()
        for size in range(1, len(fields) + 1):
            kind = INTERSECTIONS[size]
            keys = [codes[0] if size == 1 else _fieldset(codes) for codes in itertools.combinations(fields, size)]
            some |= Q(kind=kind, fields__in=keys)
        signed = Sum(Case(When(kind=INTERSECTIONS[2], then=-F("n")), default=F("n")))
        return cube.filter(some).values_list(*FACET_DIMENSIONS).annotate(total=signed).order_by()
    else:
        any_of = Q()
        for code in fields:  # its whole set of fields holds one of them
            any_of |= Q(fields__contains=f",{code},")
        cells = cube.filter(any_of, kind=FacetCell.Kind.FIELDS)
    return cells.values_list(*FACET_DIMENSIONS).annotate(total=Sum("n")).order_by()


def facet_cube_facets(
    filters: Mapping[str, Iterable[str]], word: int | None = None
) -> tuple[dict[str, dict[str, int]], int]:
    """Every facet's counts, each under all the other filters of `filters` ({facet: chosen values}), and the
    number of organisations under all of them; with `word` (a FacetWord's id), of the organisations a search
    for that word matches. Two reads of the cube: the cells holding the chosen fields
    summed by the other five facets (a few thousand rows at most, whatever the registry's size), tallied here,
    and the field facet's cells under the other filters."""
    cube = FacetCell.objects.all() if word is None else FacetWordCell.objects.filter(word_id=word)
    chosen = {key: {str(v) for v in values} for key, values in filters.items() if values}
    fields = sorted(chosen.pop("field", ()))
    counts: dict[str, Counter[str]] = {key: Counter() for key in (*FACET_DIMENSIONS, "field")}
    total = 0
    for *values, n in _holding(fields, cube):
        missed = [i for i, key in enumerate(FACET_DIMENSIONS) if key in chosen and values[i] not in chosen[key]]
        if not missed:
            total += n
            for key, value in zip(FACET_DIMENSIONS, values, strict=True):
                counts[key][value] += n
        elif len(missed) == 1:  # outside one facet's filter only: what choosing that value would add
            counts[FACET_DIMENSIONS[missed[0]]][values[missed[0]]] += n
    by_field = cube.filter(kind=FacetCell.Kind.FIELD, **{f"{k}__in": sorted(v) for k, v in chosen.items()})
    counts["field"].update(dict(by_field.values_list("fields").annotate(total=Sum("n")).order_by()))
    return {key: {v: n for v, n in c.items() if v and n} for key, c in counts.items()}, total


def facet_word(terms: list[str], fields: Iterable[str] = ()) -> int | None:
    """The id of the FacetWord a search for these words (registry.search.search_terms) is, if it is one and
    its cells answer a filter on these fields (one at most: WORD_KINDS)."""
    if len(terms) != 1 or len(set(fields)) > 1:
        return None
    return FacetWord.objects.filter(word=terms[0]).values_list("id", flat=True).first()


def _tally(rows: Iterable[tuple], chosen: Mapping[str, set[str]]) -> tuple[dict[str, dict[str, int]], int]:
    """Every facet's counts and the total from rows of (set of fields, the five facets' values, n), as a
    facet counts: under every filter but its own. A broad search brings tens of thousands of rows: each set of
    fields is split once, and the dimensions' counts are summed per value tuple before they are spread."""
    wanted_fields = chosen.get("field") or set()
    dimensions = [(i, chosen[key]) for i, key in enumerate(FACET_DIMENSIONS) if key in chosen]
    field_counts: Counter[str] = Counter()
    inside: Counter[tuple] = Counter()  # the rows under every filter, by their five values
    outside: list[Counter[str]] = [Counter() for _key in FACET_DIMENSIONS]  # outside one facet's filter only
    fieldsets: dict[str, tuple[list[str], bool]] = {}
    for fieldset, *values, n in rows:
        if fieldset not in fieldsets:
            codes = [code for code in fieldset.strip(",").split(",") if code]
            fieldsets[fieldset] = (codes, not wanted_fields or any(code in wanted_fields for code in codes))
        codes, in_fields = fieldsets[fieldset]
        missed = [i for i, wanted in dimensions if values[i] not in wanted]
        if not missed:
            for code in codes:
                field_counts[code] += n
            if in_fields:
                inside[tuple(values)] += n
        elif len(missed) == 1 and in_fields:
            outside[missed[0]][values[missed[0]]] += n
    counts: dict[str, Counter[str]] = {key: outside[i] for i, key in enumerate(FACET_DIMENSIONS)}
    counts["field"] = field_counts
    for values, n in inside.items():
        for key, value in zip(FACET_DIMENSIONS, values, strict=True):
            counts[key][value] += n
    total = sum(inside.values())
    return {key: {v: n for v, n in c.items() if v and n} for key, c in counts.items()}, total


def facet_counts_among(
    organisations: QuerySet[Organisation] | RawSQL, filters: Mapping[str, Iterable[str]], *, healed: bool = False
) -> tuple[dict[str, dict[str, int]], int]:
    """What facet_cube_facets answers, over some organisations only (a text search's matches, as organisations
    or as a subquery of their ids, merged ones among them or not): their cube positions
    (FacetMember) grouped in one query and tallied here, instead of one COUNT per facet, each running the
    search again."""
    chosen = {key: {str(v) for v in values} for key, values in filters.items() if values}
    ids = organisations.order_by().values("id") if isinstance(organisations, QuerySet) else organisations
    # The matches grouped by their own cell's id (one integer), then each group's values read from its cell:
    # grouping by the six text columns sorted them all (548 -> about 300 ms for 99,641 matches at 223,000).
    # Merged organisations leave the cube with their merge's event; excluded here too (their few ids, through
    # the partial index on merged_into), so a lost event can not count one beside the rows a search lists.
    merged = Organisation.objects.filter(merged_into__isnull=False).values("id")
    groups = (
        FacetMember.objects.filter(organisation_id__in=ids)
        .exclude(organisation_id__in=merged)
        .values("cell_id")
        .annotate(n=Count("organisation_id"))
    )
    groups_sql, params = groups.order_by().query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(f"c.{quote(name)}" for name in ("fields", *FACET_DIMENSIONS))
    sql = (
        f"SELECT {columns}, g.n FROM ({groups_sql}) g "  # noqa: S608 - identifiers from the models, quoted
        f"LEFT JOIN {quote(FacetCell._meta.db_table)} c ON c.{quote('id')} = g.{quote('cell_id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not healed and any(row[0] is None for row in rows):
        # Members without their cell (written by a process of an earlier release after migration 0025):
        # recounted whole once, rather than left out of every search's counts until the nightly rebuild.
        facet_cube_rebuild()
        return facet_counts_among(organisations, filters, healed=True)
    return _tally((row for row in rows if row[0] is not None), chosen)


def facet_cube_listed_by_form() -> dict[str, int]:
    """Every legal form's listed organisations, under no filter."""
    rows = FacetCell.objects.filter(kind=FacetCell.Kind.ALL).values_list("legal_form").annotate(total=Sum("n"))
    return dict(rows.order_by())


def facet_cube_sector() -> tuple[dict[str, int], dict[str, list[tuple[str, int, int]]]]:
    """The home page's figures: totals (registered, active, without_bin, liquidated), and for "legal_form",
    "region" and "field" each value's registered and active organisations."""
    registered = [str(s) for s in Organisation.REGISTERED_STATUSES]
    is_registered = Q(status__in=registered)
    is_active = Q(status=Organisation.Status.ACTIVE)
    totals = FacetCell.objects.filter(kind=FacetCell.Kind.ALL).aggregate(
        registered=Sum("n", filter=is_registered, default=0),
        active=Sum("n", filter=is_active, default=0),
        without_bin=Sum("n", filter=is_registered & Q(has_bin=False), default=0),
        liquidated=Sum("n", filter=Q(status=Organisation.Status.LIQUIDATED), default=0),
    )
    breakdown = {}
    for key, kind in (
        ("legal_form", FacetCell.Kind.ALL),
        ("region", FacetCell.Kind.ALL),
        ("field", FacetCell.Kind.FIELD),
    ):
        column = "fields" if key == "field" else key
        rows = (
            FacetCell.objects.filter(is_registered, kind=kind)
            .values_list(column)
            .annotate(r=Sum("n"), a=Sum("n", filter=is_active, default=0))
            .order_by()
        )
        breakdown[key] = [(code, r, a) for code, r, a in rows if code and r]
    return totals, breakdown
