"""The limits of the numbers people enter, the same on SQLite and PostgreSQL.

PostgreSQL's integer columns hold at most 2,147,483,647 (smallint 32,767) and SQLite stores anything, so a
value one database accepts the other would refuse with a DataError. Django adds a column's range as a validator
only where the database has one; these make every form, import and API read the same bounds on both.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator

COUNT_MAX = 2_147_483_647
SMALL_MAX = 32_767
YEARS = (1991, 2100)  # Kazakhstan's registrations begin with independence; later than 2100 is a typing error

COUNT = [MaxValueValidator(COUNT_MAX)]
SMALL = [MaxValueValidator(SMALL_MAX)]
YEAR = [MinValueValidator(YEARS[0]), MaxValueValidator(YEARS[1])]
