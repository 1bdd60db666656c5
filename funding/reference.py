"""Legal and reference figures of state funding, each once, with its source.

Flags, the demo and the pages read them from here; a figure written anywhere else is a bug.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

# The monthly calculation index (MCI, МРП / АЕК), in KZT, as set for each year by the Law on the republican
# budget for that year (art. 8 or 9, "размер месячного расчетного показателя"). Where the rate changed during
# the year, the rate in force for most of the year is given and the change noted.
MCI: dict[int, int] = {
    2017: 2269,  # Law No. 25-VI of 30 November 2016 on the republican budget for 2017-2019
    2018: 2405,  # Law No. 113-VI of 30 November 2017 on the republican budget for 2018-2020
    2019: 2525,  # Law No. 197-VI of 30 November 2018 on the republican budget for 2019-2021
    2020: 2778,  # Law No. 276-VI of 4 December 2019, as amended 13 May 2020 (2,651 until 31 March 2020)
    2021: 2917,  # Law No. 379-VI of 2 December 2020 on the republican budget for 2021-2023
    2022: 3063,  # Law No. 73-VII of 2 December 2021 (3,180 from 1 June 2022)
    2023: 3450,  # Law No. 162-VII of 30 November 2022 on the republican budget for 2023-2025
    2024: 3692,  # Law No. 44-VIII of 5 December 2023 on the republican budget for 2024-2026
    2025: 3932,  # Law No. 141-VIII of 21 November 2024 on the republican budget for 2025-2027
    2026: 4325,  # Law on the republican budget for 2026-2028
}
MCI_SOURCE = "Laws on the republican budget (the MCI for each year; funding/reference.py names each law)"

# NGO awards (премии): each award is this many MCI of its year (Rules for NGO awards, 2017).
NGO_AWARD_MCI = 2000

# The demo's procedural threshold under which awards outside competitions may be split (threshold splitting).
SPLIT_THRESHOLD_MCI = 4000


def mci_for(day: datetime.date | int) -> int | None:
    """The MCI of a date's (or a year's) budget year; None where the table has no figure."""
    year = day if isinstance(day, int) else day.year
    return MCI.get(year)


def split_threshold(day: datetime.date | int) -> Decimal | None:
    """The procedural threshold in KZT for an award made on `day`; None for years without an MCI figure."""
    mci = mci_for(day)
    return None if mci is None else Decimal(SPLIT_THRESHOLD_MCI * mci)


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
