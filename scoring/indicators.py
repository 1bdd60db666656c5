"""The indicator catalogue and its scoring rules: pure functions of plain values (no ORM), each unit-tested.

CSI organisation indicators (DOMAIN §4) score 100 (positive), 0 (negative) or None (unknown: never read as
negative). Our own indicators are exact figures. Every function returns a Score: the value, the data it
used, and what is missing with how to supply it, so the profile can explain each figure.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from registry.models import REPORT_INCOME_FIELDS, REPORT_STATE_INCOME_FIELDS

METHODOLOGY_VERSION = "2026.1"
VERSION_HISTORY = [
    (
        "2026.1",
        "2026-11-22",
        _(
            "First version: the 15 CSI organisation indicators, reporting timeliness, income "
            "diversity, state dependency and the transparency tier."
        ),
    ),
]
RATIO = Decimal("0.0001")  # ratios are stored and summarised at four decimals


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    group: str  # CSI sub-dimension code, or "own"
    rule: str
    inputs: tuple[str, ...]
    benchmark: float | None = None  # Kazakhstan 2009-10 (CIVICUS CSI)
    column: str = ""  # the OrganisationScore column that holds it
    source: str = _("CIVICUS Civil Society Index, organisational survey; Kazakhstan 2009-10 report")


def _csi(code, name, sub, rule, inputs, benchmark) -> Indicator:
    return Indicator(code, name, sub, rule, inputs, benchmark, column="csi_" + code.replace(".", "_"))


CSI_INDICATORS = [
    _csi(
        "2.1.1",
        _("Management"),
        "2.1",
        _("Positive when the organisation has a board of directors or a formal steering committee."),
        ("has_board",),
        73.0,
    ),
    _csi(
        "2.2.1",
        _("Support organisations"),
        "2.2",
        _("Positive when it is a member of at least one association, umbrella group or network."),
        ("network_member",),
        50.9,
    ),
    _csi(
        "2.3.1",
        _("Peer communication 1"),
        "2.3",
        _("Positive when it held meetings with other CSOs working on similar issues."),
        ("met_other_csos",),
        68.7,
    ),
    _csi(
        "2.3.2",
        _("Peer communication 2"),
        "2.3",
        _("Positive when it exchanged documents, reports or data with other CSOs in the last 3 months."),
        ("exchanged_information",),
        71.5,
    ),
    _csi(
        "2.4.1",
        _("Sustainable human resources"),
        "2.4",
        _(
            # xgettext:no-python-format
            "Positive when volunteers are at most 25% of paid staff "
            "plus volunteers; unknown when either count is missing or both are 0."
        ),
        ("paid_staff", "volunteers"),
        14.4,
    ),
    _csi(
        "2.5.1",
        _("Financial sustainability"),
        "2.5",
        _("Positive when it reports a stable financial resource base."),
        ("stable_finances",),
        68.6,
    ),
    _csi(
        "2.5.2",
        _("Technological resources"),
        "2.5",
        _("Positive when it has regular access to computers, a phone and e-mail."),
        ("technology_access",),
        86.7,
    ),
    _csi(
        "3.1.1",
        _("Democratic decision-making"),
        "3.1",
        _(
            "Positive when decisions are taken by the members, an "
            "elected board, an elected leader or the staff; negative for appointed ones or another way."
        ),
        ("decision_making",),
        65.9,
    ),
    _csi(
        "3.2.1",
        _("Equal opportunities"),
        "3.2",
        _("Positive when it has a written policy on equal opportunities and/or equal pay for equal work for women."),
        ("equal_opportunity_policy",),
        51.9,
    ),
    _csi(
        "3.2.2",
        _("Labour unions"),
        "3.2",
        _("Positive when its staff are members of labour unions."),
        ("staff_in_unions",),
        26.6,
    ),
    _csi(
        "3.2.3",
        _("Labour-rights training"),
        "3.2",
        _("Positive when it trains new staff on labour rights."),
        ("labour_rights_training",),
        35.6,
    ),
    _csi(
        "3.2.4",
        _("Labour standards policy"),
        "3.2",
        _("Positive when it has a publicly available labour-standards policy."),
        ("labour_policy_public",),
        30.6,
    ),
    _csi(
        "3.3.1",
        _("Code of conduct"),
        "3.3",
        _("Positive when it has a publicly available code of conduct for its staff."),
        ("code_of_conduct_public",),
        52.6,
    ),
    _csi(
        "3.3.2",
        _("Financial transparency"),
        "3.3",
        _("Positive when it makes its financial information public."),
        ("financial_info_public",),
        59.0,
    ),
    _csi(
        "3.4.1",
        _("Environmental standards"),
        "3.4",
        _("Positive when it has a publicly available environmental policy."),
        ("environmental_policy_public",),
        21.5,
    ),
]
CSI_BY_CODE = {i.code: i for i in CSI_INDICATORS}

# Sub-dimensions scored per organisation (2.6 International linkages and 3.5 Perception of values are national
# figures, not per organisation: they are not recomputed, and are shown beside the benchmark for what they are).
SUBDIMENSIONS = {
    "2.1": (_("Internal governance"), ["2.1.1"]),
    "2.2": (_("Support infrastructure"), ["2.2.1"]),
    "2.3": (_("Sectoral communication"), ["2.3.1", "2.3.2"]),
    "2.4": (_("Human resources"), ["2.4.1"]),
    "2.5": (_("Financial and technological resources"), ["2.5.1", "2.5.2"]),
    "3.1": (_("Democratic decision-making"), ["3.1.1"]),
    "3.2": (_("Labour regulations"), ["3.2.1", "3.2.2", "3.2.3", "3.2.4"]),
    "3.3": (_("Code of conduct and transparency"), ["3.3.1", "3.3.2"]),
    "3.4": (_("Environmental standards"), ["3.4.1"]),
}
# Sub-dimensions the CSI scores from national sources, not from organisations (DOMAIN §4); None where the
# report's figure is not one we can quote.
NATIONAL_SUBDIMENSIONS = {
    "2": [("2.6", _("International linkages"), 4.4)],
    "3": [("3.5", _("Perception of values"), None)],
}
# The CSI report's published dimension scores for Kazakhstan 2009-10, over all their sub-dimensions (those
# above and the national ones). Our recomputation covers only the organisation-level sub-dimensions, so the
# like-for-like benchmark is `dimension_benchmark(code)`, and this one is shown beside it, named as published.
CSI_PUBLISHED = {"2": 48.4, "3": 47.6}
CSI_SOURCE = "CIVICUS Civil Society Index, Kazakhstan 2009-10 country report"
DIMENSIONS = {
    "2": (_("Level of Organisation"), ["2.1", "2.2", "2.3", "2.4", "2.5"]),
    "3": (_("Practice of Values"), ["3.1", "3.2", "3.3", "3.4"]),
}


def _one_decimal(values: list[float]) -> float:
    """The published way: the unweighted mean of one-decimal figures, rounded half up to one decimal."""
    total = sum((Decimal(str(v)) for v in values), Decimal(0)) / len(values)
    return float(total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def subdimension_benchmark(code: str) -> float:
    """The 2009-10 sub-dimension score that follows from the report's published indicator shares (DOMAIN §4)."""
    return _one_decimal([CSI_BY_CODE[c].benchmark for c in SUBDIMENSIONS[code][1]])


def dimension_benchmark(code: str) -> float:
    """The 2009-10 dimension score over the same organisation-level sub-dimensions as our recomputation."""
    return _one_decimal([subdimension_benchmark(s) for s in DIMENSIONS[code][1]])


@dataclass(frozen=True)
class DimensionBenchmark:
    """What the CSI report says of one dimension, for showing beside our recomputation."""

    code: str
    name: str
    subdimensions: list[tuple[str, str, float]]  # (code, name, 2009-10 score from the published indicators)
    comparable: float  # over the same sub-dimensions as ours
    published: float  # the report's own dimension score, over all its sub-dimensions
    national: list[tuple[str, str, float | None]]  # the national-only sub-dimensions the published score includes

    @property
    def national_text(self) -> str:
        """The national-only sub-dimensions as one phrase: "2.6 International linkages (4.4)"."""
        return ", ".join(
            f"{code} {name}" + (f" ({then})" if then is not None else "") for code, name, then in self.national
        )


def dimension_benchmarks() -> list[DimensionBenchmark]:
    return [
        DimensionBenchmark(
            code=code,
            name=name,
            subdimensions=[(s, SUBDIMENSIONS[s][0], subdimension_benchmark(s)) for s in subs],
            comparable=dimension_benchmark(code),
            published=CSI_PUBLISHED[code],
            national=NATIONAL_SUBDIMENSIONS[code],
        )
        for code, (name, subs) in DIMENSIONS.items()
    ]


OWN_INDICATORS = [
    Indicator(
        "QG.1",
        _("Reporting timeliness"),
        "own",
        _(
            "Days between the report's due date (31 March after the "
            "year) and its filing; 0 when filed on time, none when it is missing."
        ),
        ("submitted_on",),
        column="days_late",
        source=_("Qogam; the NGO database duty (Law on NCOs, art. 41-2)"),
    ),
    Indicator(
        "QG.2",
        _("Income diversity"),
        "own",
        _(
            "1 minus the Herfindahl-Hirschman index of the income shares "
            "by source: 0 when all income comes from one source, up to 0.889 when it is spread evenly over the "
            "nine sources. Unknown when no income is reported."
        ),
        ("income by source",),
        column="income_diversity",
        source=_("Qogam"),
    ),
    Indicator(
        "QG.3",
        _("State dependency"),
        "own",
        _(
            "State money (social order, state grants, state awards) as a "
            "share of total income. Unknown when no income is reported."
        ),
        ("income by source",),
        column="state_dependency",
        source=_("Qogam"),
    ),
    Indicator(
        "QG.4",
        _("Transparency tier"),
        "own",
        _(
            "Tiers earned in order, in the spirit of Candid's seals: 1 "
            "identity and contacts; 2 programmes and fields; 3 financials and governance; 4 at least one "
            "results figure. Every tier lapses while the yearly report is more than a year overdue."
        ),
        ("profile", "yearly report"),
        column="tier",
        source=_("Qogam, after Candid (GuideStar) seals"),
    ),
]
OWN_BY_CODE = {i.code: i for i in OWN_INDICATORS}
TIERS = {
    0: _("none"),
    1: _("identity and contacts"),
    2: _("programmes and fields"),
    3: _("financials and governance"),
    4: _("results"),
}
POSITIVE_DECISIONS = {"members", "elected_board", "elected_leader", "staff"}
INCOME_SOURCES = REPORT_INCOME_FIELDS  # the report's nine income sources (registry.models)
STATE_SOURCES = REPORT_STATE_INCOME_FIELDS
HOW_TO_SUPPLY = _("Answer it in the yearly report (My organisations › file or correct the report).")


@dataclass
class Score:
    value: int | Decimal | None
    used: dict = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def yes_no(answer: bool | None, name: str) -> Score:
    if answer is None:
        return Score(None, {}, [name])
    return Score(100 if answer else 0, {name: answer})


def human_resources(paid_staff: int | None, volunteers: int | None) -> Score:
    """2.4.1: volunteers / (paid staff + volunteers) <= 25%."""
    used = {"paid_staff": paid_staff, "volunteers": volunteers}
    missing = [name for name, value in used.items() if value is None]
    if missing:
        return Score(None, {k: v for k, v in used.items() if v is not None}, missing)
    if paid_staff + volunteers == 0:
        return Score(None, used, [])
    return Score(100 if volunteers * 4 <= paid_staff + volunteers else 0, used)


def democratic_decisions(decision_making: str) -> Score:
    if not decision_making:
        return Score(None, {}, ["decision_making"])
    return Score(100 if decision_making in POSITIVE_DECISIONS else 0, {"decision_making": decision_making})


def csi_scores(report: Mapping) -> dict[str, Score]:
    """Every CSI indicator for one report's answers (a mapping of the report's field names)."""
    scores = {}
    for indicator in CSI_INDICATORS:
        if indicator.code == "2.4.1":
            scores[indicator.code] = human_resources(report.get("paid_staff"), report.get("volunteers"))
        elif indicator.code == "3.1.1":
            scores[indicator.code] = democratic_decisions(report.get("decision_making") or "")
        else:
            name = indicator.inputs[0]
            scores[indicator.code] = yes_no(report.get(name), name)
    return scores


def _known_incomes(report: Mapping) -> dict[str, Decimal]:
    return {name: Decimal(report[name]) for name in INCOME_SOURCES if report.get(name) is not None}


def income_diversity(report: Mapping) -> Score:
    """1 - HHI of the shares of the known income sources (unknown sources are left out, and said so)."""
    known = _known_incomes(report)
    missing = [name for name in INCOME_SOURCES if name not in known]
    total = sum(known.values(), Decimal(0))
    if total <= 0:
        return Score(None, known, missing)
    hhi = sum(((value / total) ** 2 for value in known.values()), Decimal(0))
    return Score((1 - hhi).quantize(RATIO, ROUND_HALF_UP), known, missing)


def state_dependency(report: Mapping) -> Score:
    known = _known_incomes(report)
    missing = [name for name in INCOME_SOURCES if name not in known]
    total = sum(known.values(), Decimal(0))
    if total <= 0:
        return Score(None, known, missing)
    state = sum((known.get(name, Decimal(0)) for name in STATE_SOURCES), Decimal(0))
    return Score((state / total).quantize(RATIO, ROUND_HALF_UP), known, missing)


def timeliness(due_on: datetime.date, submitted_on: datetime.date | None, today: datetime.date) -> Score:
    """Days late (0 on time); None when not filed (and said missing once the due date has passed)."""
    if submitted_on is None:
        return Score(None, {"due_on": due_on}, ["submitted_on"] if today > due_on else [])
    return Score(max(0, (submitted_on - due_on).days), {"due_on": due_on, "submitted_on": submitted_on})


@dataclass(frozen=True)
class ProfileFacts:
    """What the transparency tier reads from the profile."""

    has_identity: bool  # a BIN or a registration date, a name and a legal form
    has_contact: bool  # an address and at least one of phone, e-mail, website
    has_fields: bool
    has_purpose: bool  # a mission or charter activities


def transparency_tier(profile: ProfileFacts, report: Mapping | None, overdue_days: int) -> Score:
    """Tiers earned in order; all lapse while the latest due report is more than a year overdue."""
    checks = [
        ("identity and contacts", profile.has_identity and profile.has_contact),
        ("programmes and fields", profile.has_fields and profile.has_purpose),
        (
            "financials and governance",
            report is not None
            and bool(_known_incomes(report))
            and report.get("expenses_total") is not None
            and report.get("has_board") is not None
            and bool(report.get("decision_making")),
        ),
        ("a results figure", report is not None and bool(report.get("beneficiaries"))),
    ]
    used = {"report more than a year overdue": overdue_days > 365}
    if overdue_days > 365:
        return Score(0, used, ["the overdue yearly report"])
    tier = 0
    for _name, met in checks:
        if not met:
            break
        tier += 1
    missing = [name for name, met in checks[tier:]][:1]
    return Score(tier, used | dict(checks), missing)


# ---------------------------------------------------------------- aggregation (sector summaries)


def one_decimal(value: Fraction | None) -> float | None:
    """Rounded half up to one decimal, as the CSI reports publish figures."""
    if value is None:
        return None
    return float((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def share(positive: int, known: int) -> Fraction | None:
    """An indicator's exact percentage of organisations with a known positive answer."""
    return Fraction(100 * positive, known) if known else None


def exact_mean(values: list[Fraction | None]) -> Fraction | None:
    """Unweighted mean of the known values, exact (rounding happens once, on output)."""
    known = [v for v in values if v is not None]
    return sum(known, Fraction(0)) / len(known) if known else None


def percentage(positive: int, known: int) -> float | None:
    return one_decimal(share(positive, known))


def mean(values: list[float | None]) -> float | None:
    """Mean of already-published one-decimal values (an organisation's 100/0 items)."""
    return one_decimal(exact_mean([Fraction(str(v)) if v is not None else None for v in values]))


def aggregate_csi(counts: Mapping[str, tuple[int, int]]) -> tuple[dict, dict, dict]:
    """(indicators, subdimensions, dimensions) from {code: (positive, known)}.

    CSI order: indicator percentages first, sub-dimensions as unweighted means of their indicators'
    percentages, dimensions of their sub-dimensions; all exact, rounded to one decimal only for output."""
    exact = {code: share(*counts.get(code, (0, 0))) for code in CSI_BY_CODE}
    subs = {code: exact_mean([exact[c] for c in members]) for code, (_name, members) in SUBDIMENSIONS.items()}
    dims = {code: exact_mean([subs[s] for s in members]) for code, (_name, members) in DIMENSIONS.items()}
    indicators = {code: {"value": one_decimal(exact[code]), "n": counts.get(code, (0, 0))[1]} for code in CSI_BY_CODE}
    return (
        indicators,
        {code: one_decimal(value) for code, value in subs.items()},
        {code: one_decimal(value) for code, value in dims.items()},
    )


def quartiles_from_histogram(histogram: list[tuple[Decimal, int]]) -> dict | None:
    """Median and quartiles (nearest-rank, lower) of values given as sorted (value, count) pairs.

    The summaries count values by their stored four-decimal figure in SQL, so memory is bounded by the
    number of distinct values, not by the number of organisations."""
    n = sum(count for _value, count in histogram)
    if not n:
        return None
    targets = {"q1": (n + 3) // 4, "median": (n + 1) // 2, "q3": (3 * n + 3) // 4}
    result, seen = {}, 0
    for value, count in histogram:
        seen += count
        for key, rank in targets.items():
            if key not in result and seen >= rank:
                result[key] = float(value)
    return {"q1": result["q1"], "median": result["median"], "q3": result["q3"], "n": n}
