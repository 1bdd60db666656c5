"""The directory's count cube: how many organisations sit in each combination of the facet values.

The directory shows six facets, each counted under every other active filter; the home page shows the same
counts without filters. Counting the organisations for every request grows with the registry (7.9x slower at
ten times the data); summing the cube's cells does not, because the number of combinations that occur stops
growing long before the registry does. The cube is kept current by the registry's change events
(registry/cube.py), never recounted per request.

Each organisation the directory lists (not merged into another) is counted in one FacetCell of kind "all",
in one of kind "fields" (its whole set of fields, for filters on four or more fields), in one of kind
"field" per field it works in (for the field facet, and for a filter on one field) and in one of kind "pair" or
"triple" per two or three of its fields (a filter on two or three fields sums the cells of each field, pair and
triple of them by inclusion-exclusion). FacetMember remembers where
each organisation was last counted, so a change moves it from its old cells to its new ones.
"""

from __future__ import annotations

from django.db import models


class FacetCell(models.Model):
    class Kind(models.TextChoices):
        ALL = "all"
        FIELD = "field"
        FIELDS = "fields"
        PAIR = "pair"
        TRIPLE = "triple"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    # kind "field": one field's code; kind "fields": every field's code, sorted, as ",a,b," (",," for none);
    # kinds "pair" and "triple": two or three of an organisation's fields, sorted, as ",a,b," or ",a,b,c,"
    fields = models.CharField(max_length=400, default="", blank=True)
    region = models.CharField(max_length=10, default="", blank=True)
    legal_form = models.CharField(max_length=40, default="", blank=True)
    status = models.CharField(max_length=12, default="", blank=True)
    territorial_level = models.CharField(max_length=12, default="", blank=True)
    reporting = models.CharField(max_length=12, default="", blank=True)  # for FacetState.year
    has_bin = models.BooleanField(default=True)  # counted apart in cells of kind "all" only
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "kind",
                    "fields",
                    "region",
                    "legal_form",
                    "status",
                    "territorial_level",
                    "reporting",
                    "has_bin",
                ],
                name="facet_cell_once",
            )
        ]
        # What the pages read, count included, so SQLite answers from the index without visiting the rows.
        indexes = [
            models.Index(
                fields=["kind", "fields", "status", "region", "legal_form", "territorial_level", "reporting", "n"],
                name="facet_cells_read",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.fields} {self.region} {self.legal_form} {self.status}: {self.n}"


class FacetMember(models.Model):
    """Where one organisation was last counted (its cell in the cube), so that a change can move it."""

    organisation_id = models.BigIntegerField(primary_key=True)
    fields = models.CharField(max_length=400, default="", blank=True)
    region = models.CharField(max_length=10, default="", blank=True)
    legal_form = models.CharField(max_length=40, default="", blank=True)
    status = models.CharField(max_length=12, default="", blank=True)
    territorial_level = models.CharField(max_length=12, default="", blank=True)
    reporting = models.CharField(max_length=12, default="", blank=True)
    has_bin = models.BooleanField(default=True)
    # The id of its FacetCell of kind "fields" (its set of fields and the five other facets' values): a text
    # search groups its matches by this one integer, then reads each group's values from the cell, instead of
    # grouping by six text columns (registry.cube.facet_counts_among). Null only until the next rebuild.
    cell_id = models.BigIntegerField(null=True)
    # The FacetWords its search text contains, as ",id,id," ("" for none): what a change takes out of their cells.
    # With a database default, so that a process of an earlier release can still write members.
    words = models.CharField(max_length=400, default="", db_default="", blank=True)

    def __str__(self) -> str:
        return str(self.organisation_id)


WORD_MAX_LENGTH = 100


class FacetWord(models.Model):
    """A word so common in the registry's names that a search for it matches a large share of all organisations
    (the legal forms' words: "объединение" names 99,641 of 223,000). Counting such a search's matches by
    their cells grows with the registry; their counts are kept in FacetWordCell instead. Chosen at every
    rebuild (registry.cube.facet_cube_rebuild) from the words of the search column."""

    word = models.CharField(max_length=WORD_MAX_LENGTH, unique=True)

    def __str__(self) -> str:
        return self.word


class FacetWordCell(models.Model):
    """FacetCell's counts (same columns; kinds "all" and "field" only) over the organisations whose search text
    contains one FacetWord: a search for that word alone, under no field filter or one, sums these as the
    directory without a search sums FacetCell. BINs are not told apart (has_bin is always true)."""

    word = models.ForeignKey(FacetWord, on_delete=models.CASCADE, db_constraint=False)
    kind = models.CharField(max_length=6, choices=FacetCell.Kind.choices)
    fields = models.CharField(max_length=400, default="", blank=True)
    region = models.CharField(max_length=10, default="", blank=True)
    legal_form = models.CharField(max_length=40, default="", blank=True)
    status = models.CharField(max_length=12, default="", blank=True)
    territorial_level = models.CharField(max_length=12, default="", blank=True)
    reporting = models.CharField(max_length=12, default="", blank=True)
    has_bin = models.BooleanField(default=True)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["word", "kind", "fields", "region", "legal_form", "status", "territorial_level", "reporting"],
                name="facet_word_cell_once",
            )
        ]
        indexes = [
            models.Index(
                fields=[
                    "word",
                    "kind",
                    "fields",
                    "status",
                    "region",
                    "legal_form",
                    "territorial_level",
                    "reporting",
                    "n",
                ],
                name="facet_word_cells_read",
            )
        ]

    def __str__(self) -> str:
        return f"{self.word_id} {self.kind} {self.fields}: {self.n}"


class FacetState(models.Model):
    """One row: the report year the cube's `reporting` values are for. A cube for another year (the due date
    passed) or no row at all means the cube is rebuilt before it is read."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    year = models.PositiveSmallIntegerField()
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"facets for {self.year}"
