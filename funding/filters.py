"""The explorer's FilterSet, shared by the page, its CSV downloads and (later) the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from api.common import AmountFilter, FilterSet, WholeNumberFilter
from funding.models import Administrator, Award, Mechanism
from registry.filters import field_choices, region_choices
from registry.selectors import organisation_by_org_id, region_succession, regions_mapped_to

MSG_UNKNOWN_ADMINISTRATOR = _("no administrator has the code “%(code)s”.")
MSG_UNKNOWN_RECIPIENT = _("no organisation has the identifier “%(org_id)s”.")


def administrator_family(code: str) -> list[int] | None:
    """The administrator's id and every department below it (an akimat and its departments)."""
    pairs = list(Administrator.objects.values_list("id", "parent_id", "code"))
    root = next((pk for pk, _parent, c in pairs if c == code), None)
    if root is None:
        return None
    children: dict[int, list[int]] = {}
    for pk, parent, _code in pairs:
        children.setdefault(parent, []).append(pk)
    family, todo = [], [root]
    while todo:
        pk = todo.pop()
        family.append(pk)
        todo.extend(children.get(pk, []))
    return family


class AwardFilterForm(forms.Form):
    """Unknown codes are reported against their field (and the filter is not applied), never a 500."""

    def clean_administrator(self):
        code = (self.cleaned_data.get("administrator") or "").strip()
        if code and not Administrator.objects.filter(code=code).exists():
            raise forms.ValidationError(MSG_UNKNOWN_ADMINISTRATOR, params={"code": code})
        return code

    def clean_recipient(self):
        org_id = (self.cleaned_data.get("recipient") or "").strip()
        if not org_id:
            return None
        organisation = organisation_by_org_id(org_id)
        if organisation is None:
            raise forms.ValidationError(MSG_UNKNOWN_RECIPIENT, params={"org_id": org_id})
        return organisation


class AwardQueryForm(forms.Form):
    """The API's: a query for an identifier no record has finds no award (200, an empty list), as any other
    query that matches nothing; the page instead tells the person their identifier names nothing."""

    def clean_recipient(self):
        org_id = (self.cleaned_data.get("recipient") or "").strip()
        return (organisation_by_org_id(org_id) or NO_SUCH_RECORD) if org_id else None


NO_SUCH_RECORD = "no such record"

# Regions in time (docs/regions.md): each award is counted under its own region, the unit of its date, or
# under today's unit that continues it (REGION_TODAY, an annotation the filtered queryset then carries, so
# that every table and CSV made from it groups the same way).
REGIONS_AS_AWARDED = "as_awarded"
REGIONS_TODAY = "today"
REGION_VIEW_CHOICES = [
    (REGIONS_AS_AWARDED, _("as they were (each award's own region)")),
    (REGIONS_TODAY, _("today's regions (former units counted under their successor)")),
]
REGION_TODAY = "region_today"


def region_today_expression() -> Case:
    """Today's unit for each award's region, in SQL: a CASE over the few former units, the code itself
    otherwise (portable, and the region index still serves a filter on the award's own region)."""
    moved = [(old, new) for old, new in region_succession().today.items() if old != new]
    return Case(
        *[When(region_id=old, then=Value(new)) for old, new in moved],
        default=F("region_id"),
        output_field=CharField(),
    )


def regions_today(queryset: QuerySet) -> bool:
    """Was the queryset filtered for "today's regions"?"""
    return REGION_TODAY in queryset.query.annotations


class AwardFilter(FilterSet):
    mechanism = django_filters.MultipleChoiceFilter(choices=Mechanism.choices, label=_("Mechanism"), distinct=False)
    # The API reads and documents the code; the explorer's page offers the names (administrator_options).
    administrator = django_filters.CharFilter(method="filter_administrator", label=_("Administrator (code)"))
    budget = django_filters.MultipleChoiceFilter(
        field_name="administrator__budget_level",
        choices=Administrator.BudgetLevel.choices,
        label=_("Budget"),
        distinct=False,
    )
    region = django_filters.MultipleChoiceFilter(
        choices=region_choices, method="filter_region", label=_("Region of implementation"), distinct=False
    )
    region_view = django_filters.ChoiceFilter(
        choices=REGION_VIEW_CHOICES,
        method="filter_region_view",
        label=_("Regions: as they were, or today's"),
        empty_label=None,
    )
    field = django_filters.MultipleChoiceFilter(choices=field_choices, label=_("Field of activity"), distinct=False)
    year_from = WholeNumberFilter(
        field_name="awarded_on", lookup_expr="year__gte", label=_("Awarded from year"), min_value=1991, max_value=2100
    )
    year_to = WholeNumberFilter(
        field_name="awarded_on", lookup_expr="year__lte", label=_("Awarded to year"), min_value=1991, max_value=2100
    )
    active_from = django_filters.DateFilter(method="filter_active_from", label=_("Active on or after"))
    active_to = django_filters.DateFilter(method="filter_active_to", label=_("Active on or before"))
    recipient = django_filters.CharFilter(method="filter_recipient", label=_("Recipient (org-id)"))
    amount_min = AmountFilter(
        field_name="amount",
        lookup_expr="gte",
        label=_("Amount from, KZT"),
        min_value=0,
        max_digits=18,
        decimal_places=2,
    )
    amount_max = AmountFilter(
        field_name="amount", lookup_expr="lte", label=_("Amount to, KZT"), min_value=0, max_digits=18, decimal_places=2
    )

    class Meta:
        model = Award
        fields: list[str] = []
        form = AwardFilterForm

    def filter_administrator(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(administrator__in=administrator_family(value) or [])

    def _today(self) -> bool:
        return self.form.cleaned_data.get("region_view") == REGIONS_TODAY

    def filter_region(self, queryset, name, value):
        """In today's regions a unit stands for itself and the former units mapped to it (KZ-63 takes in
        KZ-VOS's awards); as they were, for its own awards only."""
        if not value:
            return queryset
        return queryset.filter(region__in=regions_mapped_to(value) if self._today() else value)

    def filter_region_view(self, queryset, name, value):
        if value != REGIONS_TODAY:
            return queryset
        return queryset.annotate(**{REGION_TODAY: region_today_expression()})

    def filter_active_from(self, queryset, name, value):
        # Active during a period: started by its end and not ended before its start (open ends count as active).
        return queryset.filter(Q(ends_on__gte=value) | Q(ends_on__isnull=True, awarded_on__gte=value))

    def filter_active_to(self, queryset, name, value):
        return queryset.filter(Q(starts_on__lte=value) | Q(starts_on__isnull=True, awarded_on__lte=value))

    def filter_recipient(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.none() if value is NO_SUCH_RECORD else queryset.filter(recipient=value)


class AwardQueryFilter(AwardFilter):
    """The explorer's filters as the API reads them (AwardQueryForm)."""

    class Meta(AwardFilter.Meta):
        form = AwardQueryForm
