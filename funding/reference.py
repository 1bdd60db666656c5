"""Legal and reference figures of state funding, each once, with its source.

Flags, the demo and the pages read them from here; a figure written anywhere else is a bug.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext_noop

# The monthly calculation index (MCI, МРП / АЕК), in KZT, as set for each year by the Law on the republican
# budget for that year (art. 8 or 9, "размер месячного расчетного показателя"). Where the rate changed during
# the year, the rate in force for most of the year is given and the change noted. Every year from the first
# pilot tenders (2003) has a figure, so no rule that counts in MCI skips a year.
MCI: dict[int, int] = {
    2003: 872,
    2004: 919,
    2005: 971,
    2006: 1030,
    2007: 1092,
    2008: 1168,
    2009: 1273,
    2010: 1413,
    2011: 1512,
    2012: 1618,
    2013: 1731,
    2014: 1852,
    2015: 1982,
    2016: 2121,
    2017: 2269,
    2018: 2405,
    2019: 2525,
    2020: 2778,
    2021: 2917,
    2022: 3063,
    2023: 3450,
    2024: 3692,
    2025: 3932,
    2026: 4325,
}
# The law that set each year's figure. Before 2017 we give the law by its title only: its number and date were
# not confirmed against the official text (adilet.zan.kz), and a number we could not check is not written here.
MCI_LAWS: dict[int, str] = {
    **{year: f"Law on the republican budget for {year}" for year in range(2003, 2017)},
    2017: "Law No. 25-VI of 30 November 2016 on the republican budget for 2017-2019",
    2018: "Law No. 113-VI of 30 November 2017 on the republican budget for 2018-2020",
    2019: "Law No. 197-VI of 30 November 2018 on the republican budget for 2019-2021",
    2020: "Law No. 276-VI of 4 December 2019, as amended 13 May 2020 (2,651 until 31 March 2020)",
    2021: "Law No. 379-VI of 2 December 2020 on the republican budget for 2021-2023",
    2022: "Law No. 73-VII of 2 December 2021 (3,180 from 1 June 2022)",
    2023: "Law No. 162-VII of 30 November 2022 on the republican budget for 2023-2025",
    2024: "Law No. 44-VIII of 5 December 2023 on the republican budget for 2024-2026",
    2025: "Law No. 141-VIII of 21 November 2024 on the republican budget for 2025-2027",
    2026: "Law on the republican budget for 2026-2028",
}
MCI_SOURCE = "Laws on the republican budget (the MCI for each year; funding/reference.py names each law)"

# NGO awards (премии): each award is this many MCI of its year (Rules for NGO awards, 2017).
NGO_AWARD_MCI = 2000

# Threshold splitting: Qogam's own triage threshold, not a legal one (the texts here are marked for translation;
# the flags' catalogue translates them). No single legal threshold governs awards
# made outside competitions over 2003-2026. The public procurement laws' ceilings for the simplest competitive
# method (a request for price offers) are the nearest analogue, and they moved: 1,000 MCI under Law No. 163-I
# of 16 July 1997 "On Public Procurement" (art. 23 para 2), 8,000 MCI in the edition of Law No. 434-V of
# 4 December 2015 "On Public Procurement" that we could read (art. 10 para 4); we could not confirm the figure
# of every year in between. 4,000 MCI sits between those ceilings; the rule is stated as ours wherever it shows.
SPLIT_THRESHOLD_MCI = 4000
SPLIT_THRESHOLD_BASIS = gettext_noop(
    "Qogam's own triage threshold, not a legal one: the public procurement laws' ceilings for a request for price "
    "offers, the nearest legal analogue, moved from 1,000 MCI (Law No. 163-I of 16 July 1997, art. 23) to 8,000 MCI "
    "(Law No. 434-V of 4 December 2015, art. 10, in a later edition), and no single threshold governs awards made "
    "outside competitions over the years covered."
)


def mci_for(day: datetime.date | int) -> int | None:
    """The MCI of a date's (or a year's) budget year; None where the table has no figure."""
    year = day if isinstance(day, int) else day.year
    return MCI.get(year)


def split_threshold(day: datetime.date | int) -> Decimal | None:
    """The splitting threshold in KZT for an award made on `day`; None for years without an MCI figure."""
    mci = mci_for(day)
    return None if mci is None else Decimal(SPLIT_THRESHOLD_MCI * mci)


# The 2015 reform (Law No. 429-V of 2 December 2015, amending Law No. 36-III) limited price dumping in state social
# order: the ministry cites "up to 20%" below the planned amount (DOMAIN §3.1). Competitions announced from the
# reform's date are checked against it.
PRICE_DUMPING_CAP = Decimal("0.20")
PRICE_DUMPING_SINCE = datetime.date(2015, 12, 2)
PRICE_DUMPING_SOURCE = gettext_noop(
    "Law No. 429-V of 2 December 2015 amending the Law on State Social Order; the ministry cites a limit on price "
    "dumping of up to 20%"
)

# The law under which a competition was held, by its announcement date (DOMAIN §3): the pilot tenders of 2003-04
# came before any law; Law No. 36-III of 12 April 2005 governed state social order; Law No. 429-V of 2 December
# 2015 renamed and extended it to grants and awards. Each entry: (in force from, its title). Titles are
# given in English as data (marked lang="en" on pages).
LAWS: list[tuple[datetime.date, str]] = [
    (datetime.date(2003, 1, 1), "Pilot state social order tenders (before the Law on State Social Order)"),
    (
        datetime.date(2005, 4, 12),
        'Law of the Republic of Kazakhstan No. 36-III of 12 April 2005 "On State Social Order"',
    ),
    (
        datetime.date(2015, 12, 2),
        'Law of the Republic of Kazakhstan No. 36-III of 12 April 2005 "On State Social Order, Grants and Awards for '
        'Non-Governmental Organisations in the Republic of Kazakhstan" '
        "(as amended by Law No. 429-V of 2 December 2015)",
    ),
]


def law_in_force(day: datetime.date) -> str:
    """The title of the law (or the pilot scheme) in force on `day`; the earliest entry for anything before it."""
    title = LAWS[0][1]
    for since, name in LAWS:
        if day >= since:
            title = name
    return title
