"""How well each flag does on a data set whose irregular cases are known: the demo's manifest of planted cases
(DemoDataset.planted). Per flag: hits, planted cases, planted cases found, hits on planted cases, hits
explained, and the share of hits planted or explained.

A hit is *planted* when its subject (and, where both give one, its year) is listed for that flag. A hit is
*explained* when its subject is listed for another flag that produces it by definition (EXPLAINED_BY): an
award planted as price dumping at 55-79% of its plan is often also outside its peer group's price fences, and
an award planted as a price outlier at 40% of plan is, from 2016, also price dumping. Nothing else counts.

The flags are computed as of the demo's own date (the manifest's "as_of", the day its records stop), not today:
the manifest lists what was overdue on that day, and the table must not drift as real time passes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from scoring.flags.catalogue import Hit

# flag code -> the other flags whose planted cases explain its hits, with the reason stated in the docs.
EXPLAINED_BY: dict[str, tuple[str, ...]] = {
    "price_outlier": ("price_dumping",),
    "price_dumping": ("price_outlier",),
}


def manifest_as_of(planted: dict) -> datetime.date | None:
    """The day the demo's records stop, as its manifest states it (None for a manifest written before it did)."""
    value = planted.get("as_of")
    return datetime.date.fromisoformat(value) if value else None


@dataclass
class Precision:
    code: str
    hits: int
    planted: int
    planted_found: int
    hits_planted: int
    hits_explained: int

    @property
    def missed(self) -> int:
        return self.planted - self.planted_found

    @property
    def share_planted_or_explained(self) -> float | None:
        return (self.hits_planted + self.hits_explained) / self.hits if self.hits else None


def _key(entry: dict) -> tuple[str, str]:
    return entry["subject_type"], str(entry["subject_key"])


def _matches(hit: Hit, entries: dict[tuple[str, str], list[int | None]]) -> bool:
    years = entries.get((hit.subject_type, hit.subject_key))
    if years is None:
        return False
    return any(year is None or hit.year is None or year == hit.year for year in years)


def _index(entries: Iterable[dict]) -> dict[tuple[str, str], list[int | None]]:
    index: dict[tuple[str, str], list[int | None]] = {}
    for entry in entries:
        index.setdefault(_key(entry), []).append(entry.get("year"))
    return index


def flag_precision(*, code: str, hits: list[Hit], planted: dict[str, list[dict]]) -> Precision:
    """`hits`: the flag's hits as its finder returns them (organisations by database id, as the manifest keys
    them); `planted`: the manifest, every flag's cases."""
    own = planted.get(code, [])
    index = _index(own)
    hit_years: dict[tuple[str, str], list[int | None]] = {}
    for h in hits:
        hit_years.setdefault((h.subject_type, h.subject_key), []).append(h.year)
    found = sum(
        1
        for entry in own
        if any(
            entry.get("year") is None or year is None or year == entry["year"]
            for year in hit_years.get(_key(entry), [])
        )
    )
    explaining = _index(entry for other in EXPLAINED_BY.get(code, ()) for entry in planted.get(other, []))
    on_planted = [h for h in hits if _matches(h, index)]
    explained = [h for h in hits if not _matches(h, index) and _matches(h, explaining)]
    return Precision(
        code=code,
        hits=len(hits),
        planted=len(own),
        planted_found=found,
        hits_planted=len(on_planted),
        hits_explained=len(explained),
    )


def precision_table(*, planted: dict, today: datetime.date | None = None) -> list[Precision]:
    """Every flag's precision on the current data against the manifest, as of `today` (by default the
    manifest's own date)."""
    from scoring.flags import FLAG_FINDERS

    today = today or manifest_as_of(planted)
    if today is None:
        raise ValueError("The manifest gives no as-of date: pass today, or seed the demo again.")

    return [
        flag_precision(code=code, hits=list(finder(today=today)), planted=planted)
        for code, finder in FLAG_FINDERS.items()
    ]
