"""What the database's planner and parser need from bulk code: statistics after bulk writes (without them the
planner guesses, and on SQLite picks the wrong index for a freshly filled table: a flag lookup took 48 ms
instead of 0.03 ms at 10x, issue 18), and filters on many composite keys cut into statements it can parse."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

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
