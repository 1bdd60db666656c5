"""Red flags for watchdogs (DOMAIN §5): each a signal worth a look, never a verdict.

The catalogue (catalogue.py) says for every flag what it looks at and why; each finder returns (or yields)
every hit with the numbers that triggered it and the records involved. Outlier fences (Q1 - 1.5 IQR,
Q3 + 1.5 IQR) are computed over a stated peer group and shown with the quartiles used (statistics.py).
One module per subject (awards, competitions, administrators, organisations, people) and concentration; figures.py
formats a hit's figures with their labels for the pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from scoring.flags.administrators import year_end_rush_find
from scoring.flags.awards import (
    charter_mismatch_find,
    double_funding_find,
    ineligible_recipient_find,
    new_born_find,
    not_reporting_find,
    overdue_reporting_find,
    price_dumping_find,
    price_outlier_find,
    threshold_splitting_find,
)
from scoring.flags.catalogue import CATALOGUE, RULES, SUBJECT_LABELS, FlagRule, Hit
from scoring.flags.competitions import single_applicant_find
from scoring.flags.concentration import concentration_applicants, concentration_find, concentration_rows
from scoring.flags.figures import flag_figures
from scoring.flags.organisations import (
    captive_recipient_find,
    self_report_mismatch_find,
    shared_contacts_find,
    state_dependency_find,
)
from scoring.flags.people import (
    collusion_find,
    conflict_of_interest_find,
    not_best_scored_find,
    one_person_many_recipients_find,
    revolving_door_find,
)

# Every flag's finder, by code: `finder(today=...)` returns or yields its hits.
FLAG_FINDERS: dict[str, Callable[..., Iterable[Hit]]] = {
    "concentration": concentration_find,
    "single_applicant": single_applicant_find,
    "captive_recipient": captive_recipient_find,
    "new_born": new_born_find,
    "not_reporting": not_reporting_find,
    "shared_contacts": shared_contacts_find,
    "threshold_splitting": threshold_splitting_find,
    "price_outlier": price_outlier_find,
    "price_dumping": price_dumping_find,
    "charter_mismatch": charter_mismatch_find,
    "year_end_rush": year_end_rush_find,
    "state_dependency": state_dependency_find,
    "double_funding": double_funding_find,
    "overdue_reporting": overdue_reporting_find,
    "ineligible_recipient": ineligible_recipient_find,
    "self_report_mismatch": self_report_mismatch_find,
    "conflict_of_interest": conflict_of_interest_find,
    "collusion": collusion_find,
    "one_person_many_recipients": one_person_many_recipients_find,
    "revolving_door": revolving_door_find,
    "not_best_scored": not_best_scored_find,
}

__all__ = [
    "CATALOGUE",
    "FLAG_FINDERS",
    "RULES",
    "SUBJECT_LABELS",
    "FlagRule",
    "Hit",
    "concentration_applicants",
    "concentration_find",
    "concentration_rows",
    "flag_figures",
]
