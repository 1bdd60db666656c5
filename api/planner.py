"""What the database's planner and parser need from bulk code: statistics after bulk writes (without them the
planner guesses, and on SQLite picks the wrong index for a freshly filled table: a flag lookup took 48 ms
instead of 0.03 ms at 10x, issue 18), filters on many composite keys cut into statements it can parse, and
counts kept by adding each change to them in one statement per batch."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping

from django.db import connection, models
from django.db.models import Q


def planner_statistics_refresh(model_classes: Iterable[type[models.Model]]) -> None:
    """ANALYZE the models' tables (both databases accept `ANALYZE <table>`); inside a transaction too."""
    with connection.cursor() as cursor:
        for model in model_classes:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# SQLite parses `a OR b OR c ...` into a tree as deep as its terms and refuses one deeper than 1,000
# (SQLITE_MAX_EXPR_DEPTH): a filter on the keys of one big recipient's cells can have more.
KEYS_PER_QUERY = 200


def key_filters(keys: Iterable[tuple], names: tuple[str, ...]) -> Iterator[Q]:
    """Filters matching rows whose columns `names` equal one of `keys` (None matches IS NULL), at most
    KEYS_PER_QUERY keys each."""
    keys = iter(keys)
    while chunk := list(itertools.islice(keys, KEYS_PER_QUERY)):
        where = Q()
        for key in chunk:
            where |= Q(**dict(zip(names, key, strict=True)))
        yield where


def counts_add(
    model: type[models.Model],
    key: tuple[str, ...],
    count: str,
    delta: Mapping[tuple, int],
    constants: Mapping[str, object] | None = None,
) -> None:
    """Add each change in `delta` ({values of the columns `key`: change}) to the column `count` of the row with
    that key, creating the rows a change is the first to reach (with `constants` for the other columns): an
    upsert per batch of 500 (INSERT ... ON CONFLICT (key) DO UPDATE SET count = count + excluded.count, on
    both databases), which needs a unique constraint on exactly `key`."""
    changes = iter((cell, change) for cell, change in delta.items() if change)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fixed = dict(constants or {})
    columns = ", ".join(quote(c) for c in (*key, *fixed, count))
    row = f"({', '.join(['%s'] * (len(key) + len(fixed) + 1))})"
    unique = ", ".join(quote(c) for c in key)
    add = f"{quote(count)} = {table}.{quote(count)} + excluded.{quote(count)}"
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(changes, 500)):
            values = ", ".join([row] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT ({unique}) DO UPDATE SET {add}",  # noqa: S608 - quoted identifiers
                [value for cell, change in batch for value in (*cell, *fixed.values(), change)],
            )
