"""API v1 for the registry: the directory and profiles (read), profile edits and yearly reports (write).

Reads use the directory's FilterSet and the profile's selectors; writes go through the same forms (one set of
rules and messages) and services as the pages, with the same permissions (registry/rules.py).
"""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.db.models import Count, Prefetch, Sum
from django.forms.models import model_to_dict
from django.shortcuts import redirect
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.caching import CachedAnonymousReads, record_etag
from api.common import (
    IF_MATCH_PATTERN,
    PreconditionFailed,
    bound_form,
    choice_label,
    expected_version,
    form_errors,
    form_serializer,
    page_urls,
)
from registry import services
from registry.filters import OrganisationFilter
from registry.forms import ModeratorProfileForm, ProfileForm, YearlyReportForm
from registry.i18n import active_language, localized_column
from registry.models import (
    REPORT_ANSWER_FIELDS,
    REPORT_COUNT_FIELDS,
    REPORT_INCOME_FIELDS,
    ChangeRecord,
    OrganisationField,
    Person,
    StatusEvent,
    YearlyReport,
    registered_sort_key,
    report_year_problems,
)
from registry.rules import is_moderator
from registry.selectors import (
    organisation_by_org_id,
    organisation_for_path,
    organisation_profile,
    organisation_reports,
    people_matching,
    person_page,
    reference_data,
)


class CodeLabel(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


def coded(code: str | None, label) -> dict | None:
    return None if code is None else {"code": code, "label": str(label)}


def reference_labels(table: str) -> dict[str, str]:
    """{code: name in the reader's language} of a code table ("legal_form", "region", "field"), worked out
    once per language."""
    return reference_data().labels(active_language())[table]


class Choice(serializers.Field):
    """A model choice as its code with its label ({"code", "label"}; null when blank)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, instance):
        code = getattr(instance, self.field_name)
        return coded(code, choice_label(instance._meta.get_field(self.field_name), code)) if code else None


extend_schema_field(CodeLabel)(Choice)


class OrganisationSummary(serializers.Serializer):
    """One directory row: identifiers, names, codes with their labels."""

    org_id = serializers.CharField()
    bin = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    name_kk = serializers.CharField()
    name_ru = serializers.CharField()
    name_en = serializers.CharField()
    legal_form = serializers.SerializerMethodField()
    region = serializers.SerializerMethodField()
    territorial_level = Choice(allow_null=True)
    status = Choice()
    registered_on = serializers.DateField(allow_null=True)
    fields = serializers.SerializerMethodField(method_name="fields_of_activity")
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    @extend_schema_field(CodeLabel)
    def get_legal_form(self, obj) -> dict:
        return coded(obj.legal_form_id, reference_labels("legal_form")[obj.legal_form_id])

    @extend_schema_field(CodeLabel(allow_null=True))
    def get_region(self, obj) -> dict | None:
        return coded(obj.region_id, reference_labels("region")[obj.region_id]) if obj.region_id else None

    @extend_schema_field(CodeLabel(many=True))
    def fields_of_activity(self, obj) -> list[dict]:
        labels = reference_labels("field")
        codes = {link.field_id for link in obj.organisationfield_set.all()}  # prefetched by the list and profile
        return [coded(code, label) for code, label in labels.items() if code in codes]  # the table's order

    def get_url(self, obj) -> str:
        return page_urls(self)("registry:organisation_detail", obj.org_id)

    def get_api_url(self, obj) -> str:
        return page_urls(self)("api:organisation", obj.org_id)


class StatusEventOut(serializers.ModelSerializer):
    kind = Choice()

    class Meta:
        model = StatusEvent
        fields = ["kind", "occurred_on", "ends_on", "legal_basis", "note"]


REPORT_PUBLIC_FIELDS = [*REPORT_INCOME_FIELDS, "expenses_total", *REPORT_COUNT_FIELDS, *REPORT_ANSWER_FIELDS]


class YearlyReportOut(serializers.ModelSerializer):
    """A filed report's public fields: figures (blank means unknown) and the governance answers."""

    class Meta:
        model = YearlyReport
        fields = ["year", "submitted_on", *REPORT_PUBLIC_FIELDS, "decision_making"]


class ReportYear(serializers.Serializer):
    year = serializers.IntegerField()
    due_on = serializers.DateField()
    status = CodeLabel()
    report = YearlyReportOut(allow_null=True)


class FundingTotals(serializers.Serializer):
    awards = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=20, decimal_places=2)
    by_mechanism = serializers.DictField(child=serializers.DecimalField(max_digits=20, decimal_places=2))
    awards_url = serializers.CharField()


class PersonSummary(serializers.Serializer):
    """A person as published: the name in the reader's language, each published spelling, and the matching key
    (Latin, folded, words sorted) that finds the same person across scripts. No personal identification number."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    name_kk = serializers.CharField()
    name_ru = serializers.CharField()
    name_en = serializers.CharField()
    name_key = serializers.CharField()
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    # reverse() per row, not page_urls: the routes take a number, which page_urls' marker is not
    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(reverse("registry:person_detail", args=[obj.pk]))

    def get_api_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:person", args=[obj.pk]))


class RoleFields(serializers.Serializer):
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    source = Choice()
    source_note = serializers.CharField()


class OrganisationRoleOfPerson(RoleFields):
    """One role in an organisation, as the organisation's profile lists it: who, which role, when, from where."""

    person = serializers.SerializerMethodField()
    kind = Choice()
    title = serializers.CharField()

    @extend_schema_field(PersonSummary)
    def get_person(self, obj) -> dict:
        return PersonSummary(obj.person, context=self.context).data


class OrganisationOut(OrganisationSummary):
    """The profile: identity, contacts, status history, yearly reports and funding totals."""

    fallback_org_id = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    website = serializers.CharField()
    mission = serializers.CharField()
    charter_activities = serializers.CharField()
    parent = serializers.SerializerMethodField()
    former_names = serializers.SerializerMethodField()
    status_events = StatusEventOut(many=True)
    reports = serializers.SerializerMethodField()
    funding = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    version = serializers.IntegerField()

    def get_parent(self, obj) -> str | None:
        return obj.parent.org_id if obj.parent_id else None

    @extend_schema_field(
        inline_serializer(
            "FormerName",
            {"name": serializers.CharField(), "language": serializers.CharField(), "kind": serializers.CharField()},
            many=True,
        )
    )
    def get_former_names(self, obj) -> list[dict]:
        return [{"name": n.name, "language": n.language, "kind": n.kind} for n in obj.other_names.all()]

    @extend_schema_field(ReportYear(many=True))
    def get_reports(self, obj) -> list[dict]:
        return [
            {
                "year": row.year,
                "due_on": row.due_on,
                "status": coded(row.status, row.label),
                "report": YearlyReportOut(row.report).data if row.report else None,
            }
            for row in organisation_reports(obj)
        ]

    @extend_schema_field(FundingTotals)
    def get_funding(self, obj) -> dict:
        rows = obj.awards.values("mechanism").annotate(n=Count("id"), total=Sum("amount")).order_by("mechanism")
        by_mechanism = {row["mechanism"]: row["total"] for row in rows}
        return FundingTotals(
            {
                "awards": sum(row["n"] for row in rows),
                "total": sum(by_mechanism.values(), 0),
                "by_mechanism": by_mechanism,
                "awards_url": self.context["request"].build_absolute_uri(
                    reverse("api:awards") + f"?recipient={obj.org_id}"
                ),
            }
        ).data

    @extend_schema_field(OrganisationRoleOfPerson(many=True))
    def get_roles(self, obj) -> list[dict]:
        """Head, founders and board, past and present (the profile's prefetched roles, in its order)."""
        return OrganisationRoleOfPerson(obj.roles.all(), many=True, context=self.context).data


def organisation_or_moved(org_id: str, url_name: str, **kwargs):
    """(organisation, None), or (None, a 301 to the canonical API URL); a 404 when nothing has that id.

    A bare 12-digit BIN is looked up as KZ-BIN-<BIN>."""
    if org_id.isdigit() and len(org_id) == 12:
        found = organisation_by_org_id(f"KZ-BIN-{org_id}")
        if found is None:
            raise exceptions.NotFound(f"no organisation has the BIN {org_id}.")
        organisation, survivor = None, found
    else:
        organisation, survivor = organisation_for_path(org_id)
    if survivor is not None:
        return None, redirect(reverse(url_name, kwargs={"org_id": survivor.org_id, **kwargs}), permanent=True)
    if organisation is None:
        raise exceptions.NotFound(f"no organisation has the identifier {org_id}.")
    return organisation, None


LIST_FIELDS = ("bin", "local_id", "name_kk", "name_ru", "name_en", "legal_form_id", "region_id")
LIST_FIELDS += ("territorial_level", "status", "registered_on")
SORTS = {
    "name": lambda: (localized_column("name"), "id"),
    "-name": lambda: (f"-{localized_column('name')}", "-id"),
    "registered": lambda: ("registered_key", "id"),
    "-registered": lambda: ("-registered_key", "-id"),
}


@extend_schema(
    summary="The directory",
    description="The directory's filters (as on /organisations/). `sort`: name, -name, registered, -registered; "
    "by default the order is stable by id (`relevance` is the HTML page's, and lists by id here). "
    "Pages are cursors: follow `next`.",
)
class OrganisationList(CachedAnonymousReads, generics.ListAPIView):
    serializer_class = OrganisationSummary
    filterset_class = OrganisationFilter

    def get_queryset(self):
        # What a row shows, no more: labels come from the code tables, so no joins; fields by their codes.
        return (
            OrganisationFilter.base_queryset()
            .only(*LIST_FIELDS)
            .prefetch_related(
                Prefetch("organisationfield_set", queryset=OrganisationField.objects.only("organisation", "field"))
            )
            .annotate(registered_key=registered_sort_key())
        )

    def get_cursor_ordering(self):
        sort = self.request.query_params.get("sort", "")
        return SORTS[sort]() if sort in SORTS else ("-id",)


PROFILE_WRITE = form_serializer(ModeratorProfileForm, "ProfileWrite", exclude=("version",))


@extend_schema(
    parameters=[
        OpenApiParameter("org_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="KZ-BIN-… or a bare BIN")
    ]
)
class OrganisationDetail(CachedAnonymousReads, APIView):
    """GET the profile (with an ETag); PATCH it with If-Match: a stale write is a 412 and changes nothing."""

    def _organisation(self, org_id):
        return organisation_or_moved(org_id, "api:organisation")

    @extend_schema(summary="An organisation's profile", responses=OrganisationOut)
    def get(self, request, org_id: str):
        organisation, moved = self._organisation(org_id)
        if moved:
            return moved
        profile = organisation_profile(organisation.pk)
        return Response(
            OrganisationOut(profile, context={"request": request}).data,
            headers={"ETag": record_etag(profile.version, self._data_tag)},
        )

    @extend_schema(
        summary="Edit the profile (managers: contacts, mission, fields; moderators also identity fields)",
        request=PROFILE_WRITE,
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                pattern=IF_MATCH_PATTERN,
                description="the ETag of your last GET of this record",
            )
        ],
        responses={200: OrganisationOut},
    )
    def patch(self, request, org_id: str):
        organisation, moved = self._organisation(org_id)
        if moved:
            return moved
        if not request.user.has_perm("registry.edit_organisation", organisation):
            raise exceptions.PermissionDenied("only this organisation's managers and moderators edit it.")
        version = expected_version(request)
        moderator = is_moderator(request.user)
        form_class = ModeratorProfileForm if moderator else ProfileForm
        unknown = set(request.data) - set(form_class.base_fields) if hasattr(request.data, "keys") else set()
        if unknown - {"version"}:
            raise exceptions.ValidationError(
                {name: ["this field can not be changed here."] for name in sorted(unknown)}
            )
        current = model_to_dict(organisation, fields=[f for f in form_class.base_fields if f != "version"])
        current["fields"] = [f.pk for f in current.get("fields", [])]
        form = bound_form(form_class, request.data, initial={**current, "version": version}, instance=organisation)
        if not form.is_valid():
            raise form_errors(form)
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "fields")}
        try:
            services.organisation_profile_update(
                organisation=organisation,
                acting_user=request.user,
                expected_version=version,
                source=ChangeRecord.Source.MODERATOR if moderator else ChangeRecord.Source.MANAGER,
                values=values,
                fields=form.cleaned_data["fields"],
            )
        except services.ProfileConflict as conflict:
            raise PreconditionFailed from conflict
        profile = organisation_profile(organisation.pk)
        return Response(
            OrganisationOut(profile, context={"request": request}).data,
            headers={"ETag": record_etag(profile.version, None)},
        )


REPORT_WRITE = form_serializer(YearlyReportForm, "YearlyReportWrite", exclude=("financial_statements",))


class OrganisationReport(CachedAnonymousReads, APIView):
    """A year's report: GET it; PUT files it or corrects it (managers and moderators)."""

    @extend_schema(summary="One year's report", responses=YearlyReportOut)
    def get(self, request, org_id: str, year: int):
        organisation, moved = organisation_or_moved(org_id, "api:organisation_report", year=year)
        if moved:
            return moved
        report = organisation.reports.filter(year=year).first()
        if report is None:
            raise exceptions.NotFound(f"no {year} report is filed for this organisation.")
        return Response(YearlyReportOut(report).data)

    @extend_schema(
        summary="File or correct a year's report",
        request=REPORT_WRITE,
        responses={200: YearlyReportOut, 201: YearlyReportOut},
    )
    def put(self, request, org_id: str, year: int):
        organisation, moved = organisation_or_moved(org_id, "api:organisation_report", year=year)
        if moved:
            return moved
        if not request.user.has_perm("registry.edit_organisation", organisation):
            raise exceptions.PermissionDenied("only this organisation's managers and moderators file its reports.")
        if problems := report_year_problems(year=year, registered_on=organisation.registered_on):
            raise exceptions.ValidationError({"year": problems["year"].messages})
        report = organisation.reports.filter(year=year).first()
        form = bound_form(YearlyReportForm, request.data, instance=report)
        if not form.is_valid():
            raise form_errors(form)
        values = {k: v for k, v in form.cleaned_data.items() if k != "financial_statements"}
        saved = services.report_submit(organisation=organisation, year=year, acting_user=request.user, values=values)
        return Response(YearlyReportOut(saved).data, status=200 if report else 201)


# ---------------------------------------------------------------- people in public roles (issue 17)


class OrganisationRoleOut(RoleFields):
    """One role in an organisation, as a person's page lists it."""

    organisation = serializers.CharField(source="organisation.org_id")
    organisation_name = serializers.CharField(source="organisation.name")
    kind = Choice()
    title = serializers.CharField()


class OfficialPostOut(RoleFields):
    administrator = serializers.CharField(source="administrator.code")
    administrator_name = serializers.CharField(source="administrator.name")
    position = serializers.CharField()


class CommissionSeatOut(serializers.Serializer):
    competition = serializers.CharField(source="competition.public_id")
    competition_title = serializers.CharField(source="competition.title")
    administrator = serializers.CharField(source="competition.administrator.code")
    role = Choice()
    stage = serializers.IntegerField()
    affiliation = serializers.CharField()
    source = Choice()
    source_note = serializers.CharField()


class MoneyWhileHeadOut(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.org_id")
    organisation_name = serializers.CharField(source="organisation.name")
    awards = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=20, decimal_places=2)


class PersonOut(PersonSummary):
    """A person's public page: roles in organisations, posts at administrators, commission seats, and the money
    the organisations they headed received while they did (awards dated within a head period)."""

    organisation_roles = serializers.SerializerMethodField()
    official_posts = serializers.SerializerMethodField()
    commission_seats = serializers.SerializerMethodField()
    money_while_head = serializers.SerializerMethodField()

    @extend_schema_field(OrganisationRoleOut(many=True))
    def get_organisation_roles(self, obj) -> list[dict]:
        return OrganisationRoleOut(self.context["page"].organisation_roles, many=True).data

    @extend_schema_field(OfficialPostOut(many=True))
    def get_official_posts(self, obj) -> list[dict]:
        return OfficialPostOut(self.context["page"].official_posts, many=True).data

    @extend_schema_field(CommissionSeatOut(many=True))
    def get_commission_seats(self, obj) -> list[dict]:
        return CommissionSeatOut(self.context["page"].commission_seats, many=True).data

    @extend_schema_field(MoneyWhileHeadOut(many=True))
    def get_money_while_head(self, obj) -> list[dict]:
        return MoneyWhileHeadOut(self.context["page"].money_while_head, many=True).data


@extend_schema(
    summary="People in public roles",
    description="`q`: a name, or the beginning of each of its words, in any script or spelling (Kazakh, Russian "
    "or Latin letters; the order of the words does not matter). Ordered by the matching key; pages are cursors.",
    parameters=[OpenApiParameter("q", OpenApiTypes.STR, OpenApiParameter.QUERY, description="a name in any script")],
)
class PersonList(CachedAnonymousReads, generics.ListAPIView):
    serializer_class = PersonSummary

    def get_queryset(self):
        return people_matching(self.request.query_params.get("q", "")[:200])

    def get_cursor_ordering(self):
        return ("name_key", "id")


class PersonDetail(CachedAnonymousReads, APIView):
    @extend_schema(
        summary="A person with their roles, posts, commission seats and money while head", responses=PersonOut
    )
    def get(self, request, pk: int):
        try:
            page = person_page(pk)
        except Person.DoesNotExist as exc:
            raise exceptions.NotFound(f"no person has the number {pk}.") from exc
        return Response(PersonOut(page.person, context={"request": request, "page": page}).data)


# ---------------------------------------------------------------- the schema

REFERENCE_PARAMETERS = {"region": "region", "legal_form": "legal_form", "field": "field"}
log = logging.getLogger("qogam")


def reference_code_enums(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: the code tables' codes as the enums of the query parameters
    that take them (the filters read their choices when a request comes, so the generator can not see them)."""
    try:
        labels = reference_data().labels("en")
    except DatabaseError:  # no database (a deploy check before migrate): the schema without the codes
        log.warning("the reference codes are not in the schema: the database is unreachable")
        return result
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                table = REFERENCE_PARAMETERS.get(parameter["name"])
                if parameter.get("in") != "query" or table is None:
                    continue
                schema = parameter.setdefault("schema", {})
                target = schema.get("items", schema) if schema.get("type") == "array" else schema
                target["enum"] = list(labels[table])
    return result
