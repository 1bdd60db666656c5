"""Name and BIN search backed by an index suited to each database.

Both databases search one denormalised column, Organisation.search_text: every name and alias in every
language, case-folded, with the Kazakh-only letters folded to their Russian look-alikes (people type
"камкор" for "Қамқор"), plus two Latin transliterations (one with q/gh/ng for the Kazakh Latin alphabet)
and the BIN. A query matches when every word of it occurs somewhere in that column, as a substring.

- SQLite: an FTS5 table with the trigram tokenizer over that column (substring MATCH through the index for
  words of 3+ characters), kept in step by triggers. Django rebuilds a SQLite table when a later migration
  alters it, which drops triggers, so `ensure_search_index` runs after every migrate and re-creates and
  rebuilds whatever is missing.
- PostgreSQL: a GIN index with pg_trgm's gin_trgm_ops on the same column serves LIKE '%word%'.
Words shorter than 3 characters can not use a trigram index on either database; they narrow the rows
the other words found, or scan when they are alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.db import connections
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

FTS_TABLE = "registry_organisation_fts"
MAX_TERMS = 8

_FOLD_KAZAKH = str.maketrans(
    {
        "қ": "к",
        "ғ": "г",
        "ң": "н",
        "ә": "а",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "ё": "е",
        "й": "и",
    }
)
_LATIN_RU = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
}
_TO_LATIN = str.maketrans(_LATIN_RU)
# Kazakh Latin (2021) style: the letters Russian lacks keep their own Latin spelling.
_TO_KAZAKH_LATIN = str.maketrans(
    {
        **_LATIN_RU,
        "қ": "q",
        "ғ": "gh",
        "ң": "ng",
        "ә": "a",
        "ө": "o",
        "ұ": "u",
        "ү": "u",
        "һ": "h",
        "і": "i",
        "ё": "e",
        "й": "i",
    }
)
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)


def _base(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    # Strip accents from Latin letters (ä -> a) without touching Cyrillic, whose NFD forms (й) we fold above.
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c) or c == "\u0306")
    text = unicodedata.normalize("NFC", text)
    return _NOT_WORD.sub(" ", text).replace("_", " ")


def normalise(text: str) -> str:
    """Case-folded, punctuation-free, with Kazakh-only letters folded to Russian ones."""
    return " ".join(_base(text).translate(_FOLD_KAZAKH).split())


def search_text_for(names: Iterable[str], bin_value: str | None = None) -> str:
    words: dict[str, None] = {}
    for name in names:
        if not name:
            continue
        base = _base(name)
        for variant in (
            base.translate(_FOLD_KAZAKH),
            base.translate(_TO_KAZAKH_LATIN),
            base.translate(_FOLD_KAZAKH).translate(_TO_LATIN),
        ):
            words.update(dict.fromkeys(variant.split()))
    if bin_value:
        words[bin_value] = None
    return " ".join(words)


def search_terms(query: str) -> list[str]:
    terms = list(dict.fromkeys(normalise(query).split()))
    return terms[:MAX_TERMS]


def _is_sqlite(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "sqlite"


def search_filter(queryset: QuerySet, query: str) -> QuerySet:
    """Organisations whose names, aliases or BIN contain every word of `query`."""
    terms = search_terms(query)
    if not terms:
        return queryset
    long_terms = [t for t in terms if len(t) >= 3]
    short_terms = [t for t in terms if len(t) < 3]
    if _is_sqlite(queryset) and long_terms:
        queryset = queryset.filter(id__in=_fts_matches(long_terms))
    else:
        short_terms = terms
    for term in short_terms:
        queryset = queryset.filter(search_text__contains=term)
    return queryset


def _fts_matches(terms: list[str]) -> RawSQL:
    """The rowids (organisation ids) the SQLite full-text index finds for every one of these 3+ letter words."""
    match = " AND ".join('"{}"'.format(t.replace('"', '""')) for t in terms)
    return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])  # noqa: S611


def search_index_ids(query: str, using: str = "default") -> RawSQL | None:
    """The ids of the organisations matching `query`, merged ones included, straight from the full-text index
    without reading an organisation's row: on SQLite when every word has 3+ letters; None otherwise (the
    caller filters the organisations instead). For what holds only listed organisations anyway (the count
    cube's members): 99,641 matches at 223,000 organisations were looked up in the organisations' table
    first, a third of the facet count's time."""
    terms = search_terms(query)
    if connections[using].vendor != "sqlite" or not terms or any(len(t) < 3 for t in terms):
        return None
    return _fts_matches(terms)


def relevance(query: str) -> Case:
    """0 when a word starts with the first search word, 1 otherwise: word-prefix hits come first."""
    terms = search_terms(query)
    if not terms:
        return Value(1, output_field=IntegerField())
    first = terms[0]
    return Case(
        When(Q(search_text__startswith=first) | Q(search_text__contains=f" {first}"), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


_SQLITE_INDEX = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_text, content='registry_organisation', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON registry_organisation BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON registry_organisation BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF search_text ON registry_organisation BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
]
_POSTGRES_INDEX = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS registry_organisation_search_trgm "
    "ON registry_organisation USING gin (search_text gin_trgm_ops)",
]


def ensure_search_index(using: str = "default") -> bool:
    """Create whatever part of the search index is missing. Returns True when it had to rebuild."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            names = [FTS_TABLE, f"{FTS_TABLE}_ai", f"{FTS_TABLE}_ad", f"{FTS_TABLE}_au"]
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name IN (%s, %s, %s, %s)", names)
            complete = cursor.fetchone()[0] == len(names)
            for statement in _SQLITE_INDEX:
                cursor.execute(statement)
            if not complete:
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
                return True
        elif connection.vendor == "postgresql":
            for statement in _POSTGRES_INDEX:
                cursor.execute(statement)
    return False


def rebuild_search_index(using: str = "default") -> None:
    """After bulk writes that bypassed the triggers (none do today; kept for repair by hand)."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def person_name_key(name: str) -> str:
    """A person's name as one matching key: words case-folded, Kazakh letters folded to their Russian look-alikes,
    Cyrillic written in Latin, and the words sorted (registers write "Surname Name Patronymic", others "Name
    Surname"). "Нұрлан Әлиев", "Нурлан Алиев" and "Aliev Nurlan" share "aliev nurlan"."""
    latin = _base(name).translate(_FOLD_KAZAKH).translate(_TO_LATIN)
    return " ".join(sorted(_latin_variant(word) for word in latin.split()))


# Latin spellings that transliteration systems disagree on, folded to one (the passport "Kh"/"H", "J"/"Zh", "Y"/"I").
_LATIN_VARIANTS = (("kh", "h"), ("zh", "j"), ("ts", "c"), ("yu", "iu"), ("ya", "ia"), ("y", "i"))


def _latin_variant(word: str) -> str:
    for spelling, folded in _LATIN_VARIANTS:
        word = word.replace(spelling, folded)
    return word
