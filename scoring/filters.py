"""The red flags' filters, shared by /transparency/, its CSV and the flags API (django-filter)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from api.common import FilterSet, WholeNumberFilter
from funding.selectors import administrator_options
from registry.filters import region_choices
from registry.selectors import organisation_by_org_id
from scoring.flags import CATALOGUE
from scoring.models import Flag

SUBJECT_TYPES = [
    ("award", _("award")),
    ("competition", _("competition")),
    ("administrator", _("administrator")),
    ("organisation", _("organisation")),
]


def _administrator_choices() -> list:
    return [("", _("any administrator")), *administrator_options()]


class FlagFilter(FilterSet):
    code = django_filters.ChoiceFilter(choices=[(rule.code, rule.name) for rule in CATALOGUE], label=_("Flag"))
    subject_type = django_filters.ChoiceFilter(choices=SUBJECT_TYPES, label=_("Record type"))
    # Chosen by name (grouped by kind); the value, the URL and the API keep the code. The choices are read
    # only when the form is drawn, so the API and the CSV pay no query for them.
    administrator = django_filters.CharFilter(
        max_length=80, label=_("Administrator"), widget=forms.Select(choices=_administrator_choices)
    )
    region = django_filters.ChoiceFilter(choices=region_choices, label=_("Region"))
    year = WholeNumberFilter(min_value=1991, max_value=2100, label=_("Year"))
    organisation = django_filters.CharFilter(
        method="filter_organisation", max_length=40, label=_("Organisation"), help_text=_("org-id")
    )

    class Meta:
        model = Flag
        fields: list[str] = []

    def filter_organisation(self, queryset, name, value: str):
        """Flags on the organisation itself, and flags on its awards."""
        if not value:
            return queryset
        organisation = organisation_by_org_id(value)
        return queryset.filter(subject_type="organisation", subject_key=value) | queryset.filter(
            organisation__in=[organisation.pk] if organisation else []
        )
