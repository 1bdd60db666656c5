"""Compiled page statements for the API lists' fast path.

A list page's SQL depends on the request's filters, the cursor's direction and offset, and the page size;
the cursor's position is the one value that changes from page to page. Building that SQL through the
ORM (validating the filter form, applying the filters, compiling) costs more than running it. So the fast
path keeps, per process, the statement compiled for each filter combination and page shape, and runs it
through the database cursor with the position as its last parameter.

It does so only where that is exactly what the ORM would run:
- every filter given is a pure function of its parameter (a FilterSet names in `reads_data` the filters
  that read the database or the clock, such as an administrator's departments; with one of those, the
  page is built by the ORM as before);
- the statement's parameters are the unpositioned statement's, plus the position, last (checked when a
  statement is compiled; a shape that fails the check is always built by the ORM);
- the key holds the language and the code tables' version the filter form was validated against.

Both memos are bounded (least recently used out): full, they hold 4.8 MB (measured with the awards'
and the organisations' statements), however many combinations a crawler tries.
tests/test_api_fast_lists.py runs every page both ways and compares them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, FullResultSet
from django.db import connections
from django.db.models import QuerySet

MAX_FILTER_COMBINATIONS = 128
MAX_SHAPES = 16


class _Lru:
    """A small, thread-safe map that forgets its least recently used entry past `size`."""

    def __init__(self, size: int):
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_filtered = _Lru(MAX_FILTER_COMBINATIONS)


def filtered_pages(key: tuple, build) -> Pages:
    """The pages of one filter combination: from the memo, or `build()`, whose Pages wrap the ORM's filtered
    queryset (bad input raises there, and nothing is kept)."""
    pages = _filtered.get(key)
    if pages is None:
        pages = build()
        _filtered.put(key, pages)
    return pages


def forget() -> None:
    """Drop every kept statement (tests; a deployment never needs to, as statements hold no data)."""
    _filtered.clear()


class Pages:
    """What DRF's CursorPagination asks of a queryset: `order_by()`, at most one `filter()` by the cursor's
    position, and a slice. Each is answered from a statement compiled once per shape from the filtered
    queryset, which is itself never run. With `rows_from`, each page is a deferred join: its ids are chosen
    from the filtered queryset, then its rows read from `rows_from` by id."""

    def __init__(self, queryset: QuerySet, ordering=(), position=None, shapes=None, rows_from=None):
        self.queryset, self.ordering, self.position, self.rows_from = queryset, ordering, position, rows_from
        self.shapes = shapes if shapes is not None else _Lru(MAX_SHAPES)

    def order_by(self, *ordering) -> Pages:
        return Pages(self.queryset, ordering, self.position, self.shapes, self.rows_from)

    def filter(self, **lookups) -> Pages:
        ((lookup, value),) = lookups.items()
        return Pages(self.queryset, self.ordering, (lookup, value), self.shapes, self.rows_from)

    def __getitem__(self, window: slice) -> list[dict]:
        lookup, value = self.position or (None, None)
        shape = (self.ordering, lookup, window.start, window.stop)
        statement = self.shapes.get(shape)
        if statement is None:
            ordered = self.queryset.order_by(*self.ordering)
            statement = _Statement.compile(ordered, lookup, value, window, self.rows_from)
            self.shapes.put(shape, statement)
        return statement.run(value)


class _Statement:
    """One page shape, kept as its SQL, every parameter but the position, and how to prepare the position."""

    def __init__(self, sql: str, params, names: list[str], db: str, position: _Position | None):
        self.sql, self.params, self.names, self.db, self.position = sql, tuple(params), names, db, position

    @classmethod
    def compile(cls, ordered: QuerySet, lookup: str | None, value, window: slice, rows_from=None):
        """The shape's statement, or an _OrmShape where its parameters cannot be placed with certainty."""
        query = ordered.query
        if query.group_by is not None or query.combinator or not all(isinstance(o, str) for o in query.order_by):
            return _OrmShape(ordered, window, lookup)  # parameters might follow the WHERE clause's
        try:
            position = _Position(ordered, lookup) if lookup else None
            sql, params = cls._sql(ordered.filter(**{lookup: value}) if lookup else ordered, window, rows_from)
            if position:
                _unpositioned, before = cls._sql(ordered, window, rows_from)
                if list(params) != [*before, position.prepare(value)]:
                    return _OrmShape(ordered, window, lookup)
                params = before
        except (EmptyResultSet, FullResultSet, FieldDoesNotExist):
            return _OrmShape(ordered, window, lookup)
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        return cls(sql, params, names, ordered.db, position)

    @staticmethod
    def _sql(queryset: QuerySet, window: slice, rows_from: QuerySet | None) -> tuple[str, tuple]:
        page = queryset[window]
        if rows_from is not None:  # the page's ids from the filtered rows, then its rows by id, in order
            page = rows_from.filter(pk__in=page.values("pk")).order_by(*queryset.query.order_by)
        return page.query.get_compiler(page.db).as_sql()

    def run(self, value) -> list[dict]:
        params = (*self.params, self.position.prepare(value)) if self.position else self.params
        names, width = self.names, len(self.names)
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, params)
            return [dict(zip(names, row[:width], strict=True)) for row in cursor.fetchall()]


class _OrmShape:
    """A page shape built by the ORM every time."""

    def __init__(self, ordered: QuerySet, window: slice, lookup: str | None):
        self.ordered, self.window, self.lookup, self.sql = ordered, window, lookup, None

    def run(self, value) -> list[dict]:
        queryset = self.ordered.filter(**{self.lookup: value}) if self.lookup else self.ordered
        return list(queryset[self.window])


class _Position:
    """How a cursor's position becomes a statement's last parameter: through the lookup the ORM would build
    (`registered_on__lt`, or on an annotation such as the organisations' registered_key), which prepares
    it (a date parsed and adapted, an id made a number). A value the field refuses raises, as in the ORM."""

    def __init__(self, queryset: QuerySet, lookup: str):
        name, _sep, kind = lookup.rpartition("__")
        annotation = queryset.query.annotations.get(name)
        if annotation is not None:
            field, self.lhs = annotation.output_field, annotation
        else:
            field = queryset.model._meta.get_field(name)
            self.lhs = field.get_col(queryset.model._meta.db_table)
        self.lookup_class, self.db = field.get_lookup(kind), queryset.db

    def prepare(self, value):
        condition = self.lookup_class(self.lhs, value)
        _sql, params = condition.get_db_prep_lookup(condition.rhs, connections[self.db])
        return params[0]
