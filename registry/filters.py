"""One FilterSet per list, shared by the HTML directory, its CSV download and (later) the API."""

from __future__ import annotations

import copy

import django_filters
from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from registry.i18n import active_language, localized_column
from registry.models import Organisation, OrganisationField, registered_sort_key
from registry.search import relevance, search_filter
from registry.selectors import (
    REPORTING_CHOICES,
    directory_base,
    latest_due_report_year,
    reference_data,
    reporting_status_expression,
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


class SharedFormFilterSet(django_filters.FilterSet):
    """A FilterSet that does not rebuild itself for every request.

    django-filter deep-copies every filter and builds a new form class per request, which costs more than
    a 50-row API page's own SQL. Our filters hold no per-request state (their choices are callables, read
    at validation), so each request gets shallow copies of the filters, parented to it, and one form class
    per FilterSet class, built on first use, whose instances share its fields (see _SharedFields)."""

    # The filters whose result depends on more than their parameter (the database, the clock). Any other
    # filter combination is a pure function of its parameters and the code tables: see pure_key().
    reads_data: frozenset[str] = frozenset()

    @classmethod
    def pure_key(cls, data) -> tuple | None:
        """The filters given in `data`, as a key for what they compile to (api/statements.py), or None when
        one of them reads the data. The code tables' version and the language are part of it, as the form
        validates against the one and orders names by the other."""
        given = tuple(sorted((name, tuple(data.getlist(name))) for name in data if name in cls.base_filters))
        if any(name in cls.reads_data for name, _values in given):
            return None
        return reference_data().loaded_at, active_language(), given

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            copied = copy.copy(base)
            if base.method is not None:
                copied.method = base.method  # a FilterMethod of the copy's own, which reads its parent
            copied.model, copied.parent = queryset.model, self
            self.filters[name] = copied

    def get_form_class(self):
        cls = type(self)
        if "_shared_form_class" not in cls.__dict__:
            form_class = super().get_form_class()
            form_class.base_fields = _SharedFields(form_class.base_fields)
            cls._shared_form_class = form_class
        return cls._shared_form_class


class _SharedFields(dict):
    """A form's base fields that each form instance shares instead of deep-copying (Django copies them so
    an instance may change its own; filter forms never do: they validate, and the pages render their
    values by hand)."""

    def __deepcopy__(self, memo):
        return dict(self)


class OrganisationFilter(SharedFormFilterSet):
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

    reads_data = frozenset({"reporting"})  # which report is due depends on today's date

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

    def filter_field(self, queryset, name, value: str):  # the codes chosen; the hint names the type for OpenAPI
        if not value:
            return queryset
        # EXISTS rather than a join: an organisation in two chosen fields is listed once, without DISTINCT.
        return queryset.filter(Exists(OrganisationField.objects.filter(organisation=OuterRef("pk"), field__in=value)))

    def filter_reporting(self, queryset, name, values):
        if not values:
            return queryset
        expression = reporting_status_expression(latest_due_report_year())
        return queryset.alias(reporting=expression).filter(reporting__in=values)

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
