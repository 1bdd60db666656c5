"""API v1 for scoring: sector summaries and an organisation's scores (read-only)."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api.caching import CachedAnonymousReads
from api.common import SEGMENT_PATTERN, ParameterError, query_year
from registry.api import organisation_or_moved
from scoring import indicators as ind
from scoring.filters import FlagFilter
from scoring.flags import RULES
from scoring.models import Concentration, Flag, SectorSummary
from scoring.selectors import organisation_scores_get, summary_run_current
from scoring.services import summaries_refresh_if_stale

SEGMENT = re.compile(SEGMENT_PATTERN)
CELL = inline_serializer(
    "IndicatorCell", {"value": serializers.FloatField(allow_null=True), "n": serializers.IntegerField()}
)
QUARTILES = inline_serializer(
    "Quartiles",
    {
        "q1": serializers.FloatField(),
        "median": serializers.FloatField(),
        "q3": serializers.FloatField(),
        "n": serializers.IntegerField(),
    },
)


class SummaryOut(serializers.Serializer):
    year = serializers.IntegerField()
    segment = serializers.CharField()
    n_organisations = serializers.IntegerField(help_text="organisations that filed the year's report")
    suppressed = serializers.BooleanField(help_text="fewer than 10: the figures below are null")
    generated_at = serializers.DateTimeField()
    methodology_version = serializers.CharField()
    registered = serializers.IntegerField()
    active = serializers.IntegerField()
    reporting_on_time = serializers.IntegerField()
    indicators = serializers.DictField(child=CELL, allow_null=True, help_text="CSI code -> percentage and n")
    subdimensions = serializers.DictField(child=serializers.FloatField(allow_null=True), allow_null=True)
    dimensions = serializers.DictField(child=serializers.FloatField(allow_null=True), allow_null=True)
    own = serializers.DictField(child=QUARTILES, allow_null=True, help_text="QG code -> median and quartiles")
    funding = serializers.DictField(
        child=inline_serializer(
            "MechanismTotal", {"amount": serializers.CharField(), "awards": serializers.IntegerField()}
        ),
        help_text="mechanism -> amount (KZT, as a string) and number of awards made in the year",
    )


class Summaries(CachedAnonymousReads, APIView):
    @extend_schema(
        summary="A sector summary: one reporting year, one segment",
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="reporting year; the latest when absent"),
            OpenApiParameter(
                "segment",
                OpenApiTypes.STR,
                description="all, region:KZ-71, legal_form:foundation, field:environment or size:<band>",
            ),
        ],
        responses=SummaryOut,
    )
    def get(self, request):
        segment = request.query_params.get("segment") or "all"
        if not SEGMENT.match(segment):
            raise exceptions.ValidationError(
                {"segment": ["one of all, region:<code>, legal_form:<code>, field:<code>, size:<band>."]}
            )
        year = query_year(request.query_params)
        summaries_refresh_if_stale()
        run = summary_run_current()
        if run is None:
            raise exceptions.NotFound("the summaries have not been computed yet.")
        summaries = SectorSummary.objects.filter(run=run, segment=segment)
        summary = (summaries.filter(year=year) if year else summaries.order_by("-year")).first()
        if summary is None:
            raise exceptions.NotFound(f"no summary for {segment} in {year or 'any year'}.")
        data = summary.data
        return Response(
            SummaryOut(
                {
                    "year": summary.year,
                    "segment": summary.segment,
                    "n_organisations": summary.n_organisations,
                    "suppressed": summary.suppressed,
                    "generated_at": run.finished_at,
                    "methodology_version": run.version,
                    "registered": data["registered"],
                    "active": data["active"],
                    "reporting_on_time": data["reporting_on_time"],
                    "indicators": data["indicators"],
                    "subdimensions": data["subdimensions"],
                    "dimensions": data["dimensions"],
                    "own": {k: v for k, v in data["own"].items() if v} if data["own"] else None,
                    "funding": data["funding"],
                }
            ).data
        )


class ScoreLineOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    value = serializers.CharField(allow_null=True, help_text="100, 0 or null for CSI items; exact figures for ours")
    rule = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField())
    sector = serializers.FloatField(allow_null=True, help_text="this year's sector value (percentage or median)")


class ScoresOut(serializers.Serializer):
    org_id = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    years = serializers.ListField(child=serializers.IntegerField())
    methodology_version = serializers.CharField()
    indicators = ScoreLineOut(many=True)
    own = ScoreLineOut(many=True)
    subdimensions = serializers.DictField(child=serializers.FloatField(allow_null=True))
    dimensions = serializers.DictField(child=serializers.FloatField(allow_null=True))


def _line(line) -> dict:
    return {
        "code": line.indicator.code,
        "name": line.indicator.name,
        "value": None if line.value is None else str(line.value),
        "rule": line.indicator.rule,
        "missing": line.missing,
        "sector": line.sector,
    }


class OrganisationScoresView(CachedAnonymousReads, APIView):
    @extend_schema(
        summary="An organisation's scores for a reporting year (its latest by default)",
        parameters=[OpenApiParameter("year", OpenApiTypes.INT)],
        responses=ScoresOut,
    )
    def get(self, request, org_id: str):
        organisation, moved = organisation_or_moved(org_id, "api:organisation_scores")
        if moved:
            return moved
        year = query_year(request.query_params)
        summaries_refresh_if_stale()
        scores = organisation_scores_get(organisation=organisation, year=year)
        if year and scores.year != year:
            raise exceptions.NotFound(f"no {year} report is filed for this organisation.")
        return Response(
            ScoresOut(
                {
                    "org_id": organisation.org_id,
                    "year": scores.year,
                    "years": scores.years,
                    "methodology_version": ind.METHODOLOGY_VERSION,
                    "indicators": [_line(line) for line in scores.csi],
                    "own": [_line(line) for line in scores.own],
                    "subdimensions": scores.subdimensions,
                    "dimensions": scores.dimensions,
                }
            ).data
        )


class FlagOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.SerializerMethodField()
    subject_type = serializers.CharField()
    subject_key = serializers.CharField()
    title = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    administrator = serializers.CharField()
    region = serializers.CharField()
    amount = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    values = serializers.DictField(help_text="the numbers that triggered the flag (fences and quartiles included)")
    records = serializers.ListField(child=serializers.DictField(), help_text="the records involved")
    rule_url = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_name(self, flag: Flag) -> str:
        return str(RULES[flag.code].name)

    def get_rule_url(self, flag: Flag) -> str:
        urls = self.context.setdefault(
            "rules_url", self.context["request"].build_absolute_uri(reverse("scoring:transparency"))
        )
        return f"{urls}#rule-{flag.code}"

    def get_url(self, flag: Flag) -> str:
        path = reverse("scoring:flag_detail", args=[flag.code, flag.subject_type, flag.subject_key])
        return self.context["request"].build_absolute_uri(path)


@extend_schema(summary="Red flags")
class FlagList(CachedAnonymousReads, generics.ListAPIView):
    """Red flags of the current run: signals worth a look, never verdicts (see /transparency/ for the rules)."""

    serializer_class = FlagOut
    filterset_class = FlagFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no database
            return Flag.objects.none()
        run = summary_run_current()
        return Flag.objects.filter(run=run) if run else Flag.objects.none()

    def get_cursor_ordering(self):
        return ("-id",)


class ConcentrationOut(serializers.Serializer):
    key = serializers.CharField(help_text="administrator code or region ISO code")
    year = serializers.IntegerField()
    total = serializers.DecimalField(max_digits=20, decimal_places=2)
    awards = serializers.IntegerField()
    recipients = serializers.IntegerField()
    hhi = serializers.DecimalField(max_digits=7, decimal_places=1, help_text="0-10,000")
    top1_share = serializers.DecimalField(max_digits=5, decimal_places=1)
    top5_share = serializers.DecimalField(max_digits=5, decimal_places=1)


class ConcentrationView(CachedAnonymousReads, APIView):
    @extend_schema(
        summary="Concentration of state money per administrator or region in a year",
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, required=True),
            OpenApiParameter("by", OpenApiTypes.STR, enum=["administrator", "region"]),
        ],
        responses=ConcentrationOut(many=True),
    )
    def get(self, request):
        by = request.query_params.get("by") or "administrator"
        if by not in ("administrator", "region"):
            raise exceptions.ValidationError({"by": ["administrator or region."]})
        year = query_year(request.query_params)
        if year is None:
            raise ParameterError("year", _("a year such as 2024 (1991 to 2100)."))
        run = summary_run_current()
        rows = Concentration.objects.filter(run=run, by=by, year=year).order_by("-hhi", "key") if run else []
        return Response(ConcentrationOut(rows, many=True).data)
