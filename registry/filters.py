"""One FilterSet per list, shared by the HTML directory, its CSV download and (later) the API."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from api.common import FilterSet
from registry.i18n import active_language, localized_column
from registry.models import Organisation, OrganisationField, registered_sort_key
from registry.search import relevance, search_filter, search_index_ids
from registry.selectors import (
    REPORTING_CHOICES,
    directory_base,
    latest_due_report_year,
    reference_data,
    reporting_status_q,
)

SORT_CHOICES = [
    ("relevance", _("Best match")),
    ("name", _("Name A-Z")),
    ("-name", _("Name Z-A")),
    ("-registered", _("Newest registration")),
    ("registered", _("Oldest registration")),
]


def reference_choices(kind: str):
    """The choices of one code table ("legal_form", "region" or "field"), as a callable the form reads at
    validation: the table's order, names in the active language, worked out once per language."""

    def choices() -> list[tuple[str, str]]:
        return list(reference_data().labels(active_language())[kind].items())

    return choices


region_choices, legal_form_choices, field_choices = map(reference_choices, ("region", "legal_form", "field"))


class OrganisationFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Name or BIN"), max_length=200)
    region = django_filters.MultipleChoiceFilter(choices=region_choices, label=_("Region"), distinct=False)
    legal_form = django_filters.MultipleChoiceFilter(choices=legal_form_choices, label=_("Legal form"), distinct=False)
    field = django_filters.MultipleChoiceFilter(
        choices=field_choices, method="filter_field", label=_("Field of activity")
    )
    status = django_filters.MultipleChoiceFilter(choices=Organisation.Status.choices, label=_("Status"), distinct=False)
    territorial_level = django_filters.MultipleChoiceFilter(
        choices=Organisation.TerritorialLevel.choices, label=_("Territorial level"), distinct=False
    )
    reporting = django_filters.MultipleChoiceFilter(
        choices=REPORTING_CHOICES, method="filter_reporting", label=_("Yearly report")
    )
    sort = django_filters.ChoiceFilter(choices=SORT_CHOICES, method="filter_sort", label=_("Sort by"), empty_label=None)

    class Meta:
        model = Organisation
        fields: list[str] = []

    @staticmethod
    def base_queryset():
        return directory_base()

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if value.isdigit() and len(value) == 12:
            return queryset.filter(bin=value)
        return search_filter(queryset, value)

    def match_ids(self, value: str):
        """The ids `filter_q` selects, as a subquery, for tables that hold only listed organisations (merged
        ones may be among them): from the full-text index alone where it can answer (search_index_ids)."""
        value = value.strip()
        ids = None if value.isdigit() and len(value) == 12 else search_index_ids(value)
        return ids if ids is not None else self.filter_q(Organisation.objects.all(), "q", value).values("id")

    def filter_field(self, queryset, name, value: str):  # the codes chosen; the hint names the type for OpenAPI
        if not value:
            return queryset
        # EXISTS rather than a join: an organisation in two chosen fields is listed once, without DISTINCT.
        return queryset.filter(Exists(OrganisationField.objects.filter(organisation=OuterRef("pk"), field__in=value)))

    def filter_reporting(self, queryset, name, values):
        if not values:
            return queryset
        return queryset.filter(reporting_status_q(latest_due_report_year(), values))

    def filter_sort(self, queryset, name, value):
        return queryset  # ordering is applied in filter_queryset, after every filter, whatever the value

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return self.order(queryset)

    def order(self, queryset):
        data = getattr(self.form, "cleaned_data", {}) or {}
        query = (data.get("q") or "").strip()
        sort = data.get("sort") or ("relevance" if query else "name")
        name = localized_column("name")
        if sort == "relevance" and query:
            return queryset.alias(relevance=relevance(query)).order_by("relevance", name, "id")
        if sort == "-name":
            return queryset.order_by(f"-{name}", "-id")
        if sort == "registered":
            return queryset.order_by(registered_sort_key(), "id")
        if sort == "-registered":
            return queryset.order_by(registered_sort_key().desc(), "-id")
        return queryset.order_by(name, "id")
