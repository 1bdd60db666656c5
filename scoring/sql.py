"""The scoring rules as SQL expressions, for the bulk path: one INSERT … SELECT per run instead of a Python
loop, so a full regeneration costs about what the aggregates themselves cost.

These mirror scoring/indicators.py rule for rule; a property-based test checks that both give the same
values on generated reports. Ratios are rounded to four decimals by the database: exact on PostgreSQL
(numeric), binary floating point on SQLite, where a value within about 1e-12 of a rounding boundary may
round the other way.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    SmallIntegerField,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual

from registry.models import OrganisationField, YearlyReport
from scoring import indicators as ind
from scoring.models import OrganisationScore

RATIO_FIELD = FloatField()


class DaysLate(Func):
    """max(0, submitted_on - 31 March of the year after `year`), in days."""

    output_field = IntegerField()
    arity = 2
    template = "GREATEST(0, %(expressions)s)"

    def as_postgresql(self, compiler, connection, **extra):
        submitted, year = (compiler.compile(e) for e in self.source_expressions)
        sql = f"GREATEST(0, {submitted[0]} - make_date(({year[0]})::int + 1, 3, 31))"
        return sql, (*submitted[1], *year[1])

    def as_sqlite(self, compiler, connection, **extra):
        submitted, year = (compiler.compile(e) for e in self.source_expressions)
        due = f"printf('%%04d-03-31', ({year[0]}) + 1)"
        sql = f"MAX(0, CAST(julianday({submitted[0]}) - julianday({due}) AS INTEGER))"
        return sql, (*submitted[1], *year[1])


class Ratio(Func):
    """a / b as a real number on SQLite (whose integer division would truncate), numeric on PostgreSQL."""

    arity = 2
    output_field = RATIO_FIELD

    def as_sqlite(self, compiler, connection, **extra):
        a, b = (compiler.compile(e) for e in self.source_expressions)
        return f"(CAST({a[0]} AS REAL) / {b[0]})", (*a[1], *b[1])

    def as_postgresql(self, compiler, connection, **extra):
        a, b = (compiler.compile(e) for e in self.source_expressions)
        return f"(({a[0]})::numeric / ({b[0]})::numeric)", (*a[1], *b[1])


class Round4(Func):
    function = "ROUND"
    output_field = RATIO_FIELD

    def as_sql(self, compiler, connection, **extra):
        inner, params = compiler.compile(self.source_expressions[0])
        return f"ROUND({inner}, 4)", params

    def as_postgresql(self, compiler, connection, **extra):
        inner, params = compiler.compile(self.source_expressions[0])
        return f"ROUND(({inner})::numeric, 4)", params


def _amount(name: str):
    """The income figure, 0 when unknown (an unknown source adds nothing to a total or a share)."""
    return Coalesce(F(name), Value(0), output_field=DecimalField(max_digits=18, decimal_places=2))


def _yes_no(name: str):
    return Case(
        When(**{name: True}, then=Value(100)),
        When(**{name: False}, then=Value(0)),
        default=Value(None),
        output_field=SmallIntegerField(),
    )


def _nonblank(*names: str) -> Q:
    q = Q()
    for name in names:
        q |= ~Q(**{name: ""}) & Q(**{f"{name}__isnull": False})
    return q


def last_lapsed_year(today: datetime.date) -> int:
    """The latest last-filed year whose next report is more than 365 days overdue today (tiers lapse)."""
    year = today.year
    while (today - datetime.date(year + 2, 3, 31)).days <= 365:
        year -= 1
    return year


def scored(reports, today: datetime.date):
    """The reports annotated with every OrganisationScore column (see indicators.py for each rule)."""
    incomes = ind.INCOME_SOURCES
    known = sum(
        (Case(When(**{f"{n}__isnull": False}, then=1), default=0) for n in incomes[1:]),
        Case(When(**{f"{incomes[0]}__isnull": False}, then=1), default=0),
    )
    total = sum((_amount(n) for n in incomes[1:]), _amount(incomes[0]))
    state = sum((_amount(n) for n in ind.STATE_SOURCES[1:]), _amount(ind.STATE_SOURCES[0]))
    organisation = "organisation__"
    reports = reports.alias(
        known_sources=known,
        income_total=total,
        state_total=state,
        staff_total=F("paid_staff") + F("volunteers"),
        last_filed=Subquery(
            YearlyReport.objects.filter(organisation=OuterRef("organisation"))
            .values("organisation")
            .annotate(last=Max("year"))
            .values("last")[:1]
        ),
        has_fields=Exists(OrganisationField.objects.filter(organisation=OuterRef("organisation"))),
    )
    has_income = Q(known_sources__gt=0) & Q(income_total__gt=0)
    hhi_terms = [  # each share squared (a product, not POWER: a Python function per row on SQLite)
        Ratio(_amount(n), F("income_total")) * Ratio(_amount(n), F("income_total")) for n in incomes
    ]
    hhi = sum(hhi_terms[1:], hhi_terms[0])
    identity = (
        Q(**{f"{organisation}bin__isnull": False}) | Q(**{f"{organisation}registered_on__isnull": False})
    ) & _nonblank(f"{organisation}name_kk", f"{organisation}name_ru", f"{organisation}name_en")
    contact = _nonblank(f"{organisation}address") & _nonblank(
        f"{organisation}phone", f"{organisation}email", f"{organisation}website"
    )
    purpose = _nonblank(f"{organisation}mission", f"{organisation}charter_activities")
    financials = Q(known_sources__gt=0) & Q(expenses_total__isnull=False) & Q(has_board__isnull=False)
    financials &= _nonblank("decision_making")
    columns = {
        "region": Coalesce(F(f"{organisation}region"), Value(""), output_field=CharField()),
        "legal_form": F(f"{organisation}legal_form"),
        "size": Case(
            When(~has_income, then=Value("none")),
            When(income_total__lt=Decimal(1_000_000), then=Value("under_1m")),
            When(income_total__lt=Decimal(10_000_000), then=Value("1m_10m")),
            When(income_total__lt=Decimal(100_000_000), then=Value("10m_100m")),
            default=Value("100m_plus"),
            output_field=CharField(),
        ),
        "days_late": DaysLate(F("submitted_on"), F("year")),
        "income_diversity": Case(
            When(has_income, then=Round4(Value(1.0) - hhi)), default=None, output_field=RATIO_FIELD
        ),
        "state_dependency": Case(
            When(has_income, then=Round4(Ratio(F("state_total"), F("income_total")))),
            default=None,
            output_field=RATIO_FIELD,
        ),
        "tier": Case(
            When(last_filed__lte=last_lapsed_year(today), then=Value(0)),
            When(~(identity & contact), then=Value(0)),
            When(~(Q(has_fields=True) & purpose), then=Value(1)),
            When(~financials, then=Value(2)),
            When(~Q(beneficiaries__gt=0), then=Value(3)),
            default=Value(4),
            output_field=SmallIntegerField(),
        ),
    }
    for indicator in ind.CSI_INDICATORS:
        if indicator.code == "2.4.1":
            columns[indicator.column] = Case(
                When(Q(paid_staff__isnull=True) | Q(volunteers__isnull=True), then=Value(None)),
                When(staff_total=0, then=Value(None)),
                When(LessThanOrEqual(F("volunteers") * 4, F("staff_total")), then=Value(100)),
                default=Value(0),
                output_field=SmallIntegerField(),
            )
        elif indicator.code == "3.1.1":
            columns[indicator.column] = Case(
                When(decision_making="", then=Value(None)),
                When(decision_making__in=sorted(ind.POSITIVE_DECISIONS), then=Value(100)),
                default=Value(0),
                output_field=SmallIntegerField(),
            )
        else:
            columns[indicator.column] = _yes_no(indicator.inputs[0])
    reports = reports.alias(**{f"s_{name}": expression for name, expression in columns.items()})
    return reports.alias(
        s_on_time=Case(When(s_days_late=0, then=Value(True)), default=Value(False), output_field=BooleanField())
    )


SCORE_COLUMNS = [
    "region",
    "legal_form",
    "size",
    "on_time",
    "days_late",
    "income_diversity",
    "state_dependency",
    "tier",
    *(i.column for i in ind.CSI_INDICATORS),
]


def scores_insert(*, run, reports, today: datetime.date) -> int:
    """INSERT … SELECT the scored reports into the run's OrganisationScore rows; returns the row count."""
    selected = {
        "c_run": Value(run.pk, output_field=IntegerField()),
        "c_organisation": F("organisation_id"),
        "c_year": F("year"),
        "c_version": Value(ind.METHODOLOGY_VERSION),
        **{f"c_{name}": F(f"s_{name}") for name in SCORE_COLUMNS},
    }
    rows = scored(reports, today).order_by().annotate(**selected).values_list(*selected)
    select, params = rows.query.sql_with_params()
    meta = OrganisationScore._meta
    names = ["run_id", "organisation_id", "year", "version", *SCORE_COLUMNS]
    columns = ", ".join(connection.ops.quote_name(meta.get_field(n.removesuffix("_id")).column) for n in names)
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(meta.db_table)
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
        return cursor.rowcount
