"""API v1 for funding: administrators, competitions and awards (read); officers' award, payment and
evaluation entry (write), through the same forms, services and permission (funding.enter_records)."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.caching import CachedAnonymousReads
from api.common import FilterSet, WholeNumberFilter, bound_form, form_errors, form_serializer, page_urls
from funding import services
from funding.filters import AwardQueryFilter
from funding.forms import AwardForm, EvaluationForm, PaymentForm
from funding.models import (
    Administrator,
    Amendment,
    Application,
    Award,
    CommissionMember,
    CommissionScore,
    Competition,
    Evaluation,
    Lot,
    Mechanism,
    Payment,
)
from funding.selectors import award_detail, commission_seats
from registry.api import Choice, CodeLabel, PersonSummary, coded, reference_labels

MONEY = {"max_digits": 18, "decimal_places": 2}


def _region(code: str | None) -> dict | None:
    return coded(code, reference_labels("region")[code]) if code else None


def _field(code: str | None) -> dict | None:
    return coded(code, reference_labels("field")[code]) if code else None


class FieldAndRegion:
    """The field of activity and region of implementation, each as a code with its label."""

    @extend_schema_field(CodeLabel(allow_null=True))
    def get_field(self, obj) -> dict | None:
        return _field(obj.field_id)

    @extend_schema_field(CodeLabel(allow_null=True))
    def get_region(self, obj) -> dict | None:
        return _region(obj.region_id)


class AdministratorOut(serializers.ModelSerializer):
    name = serializers.CharField()
    kind = Choice()
    budget_level = serializers.SerializerMethodField()
    region = serializers.SerializerMethodField()
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    org_id = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Administrator
        fields = ["code", "name", "name_kk", "name_ru", "name_en", "kind", "budget_level", "region", "parent", "bin"]
        extra_kwargs = {"bin": {"allow_null": True}}
        fields += ["org_id", "url"]

    @extend_schema_field(CodeLabel)
    def get_budget_level(self, obj) -> dict:
        return coded(obj.budget_level, Administrator.BudgetLevel(obj.budget_level).label)

    @extend_schema_field(CodeLabel(allow_null=True))
    def get_region(self, obj) -> dict | None:
        return _region(obj.region_id)

    def get_org_id(self, obj) -> str | None:
        return f"KZ-BIN-{obj.bin}" if obj.bin else None

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class AdministratorList(CachedAnonymousReads, generics.ListAPIView):
    """Ministries, akimats and their departments that fund NGOs."""

    serializer_class = AdministratorOut

    def get_queryset(self):
        return Administrator.objects.select_related("parent")

    def get_cursor_ordering(self):
        return ("code",)


class CompetitionFilter(FilterSet):
    administrator = filters.CharFilter(field_name="administrator__code", label="administrator code")
    mechanism = filters.ChoiceFilter(choices=Mechanism.choices)
    year = WholeNumberFilter(field_name="announced_on", lookup_expr="year", min_value=1991, max_value=2100)

    class Meta:
        model = Competition
        fields: list[str] = []


class LotOut(FieldAndRegion, serializers.ModelSerializer):
    """A lot of a competition: its planned amount and how many applied."""

    field = serializers.SerializerMethodField()
    region = serializers.SerializerMethodField()
    planned_amount = serializers.DecimalField(**MONEY)
    applicants = serializers.IntegerField(source="applicant_count")

    class Meta:
        model = Lot
        fields = ["number", "title", "field", "region", "planned_amount", "reported_applicants", "applicants"]
        fields += ["specification"]


class CommissionSeatOfCompetition(serializers.ModelSerializer):
    """A member of the competition's evaluation commission, as its protocol names them."""

    person = PersonSummary()
    role = Choice()
    source = Choice()

    class Meta:
        model = CommissionMember
        fields = ["person", "role", "stage", "affiliation", "source", "source_note"]


class CompetitionOut(serializers.ModelSerializer):
    administrator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    mechanism = Choice()
    lots = LotOut(many=True)
    commission = CommissionSeatOfCompetition(many=True)

    class Meta:
        model = Competition
        fields = ["public_id", "reference", "title", "administrator", "mechanism", "announced_on", "deadline_on"]
        fields += ["decided_on", "lots", "commission"]


class CompetitionList(CachedAnonymousReads, generics.ListAPIView):
    """Competitions with their lots and the number of applications each lot received."""

    serializer_class = CompetitionOut
    filterset_class = CompetitionFilter

    def get_queryset(self):
        lots = Lot.objects.annotate(applicant_count=Count("applications")).order_by("number")
        return Competition.objects.select_related("administrator").prefetch_related(
            Prefetch("lots", queryset=lots), Prefetch("commission", queryset=commission_seats())
        )


AWARD_LIST_FIELDS = ("public_id", "reference", "mechanism", "status", "title", "field_id", "region_id", "amount")
AWARD_LIST_FIELDS += ("amount_awarded", "currency", "amount_original", "awarded_on", "starts_on", "ends_on")
AWARD_LIST_FIELDS += ("administrator_id", "recipient_id")


class RecipientOut(serializers.Serializer):
    org_id = serializers.CharField(help_text="the organisation's identifier (360Giving org-id)")
    bin = serializers.CharField(allow_null=True, help_text="its BIN; null while it has none")
    name = serializers.CharField(help_text="its name in the language asked for")


class AwardSummary(FieldAndRegion, serializers.ModelSerializer):
    """One award: who gave how much to whom, for what, when; amounts as strings."""

    id = serializers.CharField(source="public_id")
    mechanism = Choice()
    status = Choice()
    administrator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    recipient = serializers.SerializerMethodField()
    field = serializers.SerializerMethodField()
    region = serializers.SerializerMethodField()
    amount = serializers.DecimalField(**MONEY)
    amount_awarded = serializers.DecimalField(**MONEY)
    amount_original = serializers.DecimalField(**MONEY, allow_null=True)
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Award
        fields = ["id", "reference", "mechanism", "status", "administrator", "recipient", "title", "field", "region"]
        fields += ["amount", "amount_awarded", "currency", "amount_original", "awarded_on", "starts_on", "ends_on"]
        fields += ["url", "api_url"]

    @extend_schema_field(RecipientOut)
    def get_recipient(self, obj) -> dict:
        return {"org_id": obj.recipient.org_id, "bin": obj.recipient.bin, "name": obj.recipient.name}

    def get_url(self, obj) -> str:
        return page_urls(self)("funding:award_detail", obj.public_id)

    def get_api_url(self, obj) -> str:
        return page_urls(self)("api:award", obj.public_id)


class PaymentOut(serializers.ModelSerializer):
    amount = serializers.DecimalField(**MONEY)

    class Meta:
        model = Payment
        fields = ["paid_on", "amount", "kind"]


class AmendmentOut(serializers.ModelSerializer):
    class Meta:
        model = Amendment
        fields = ["amended_on", "field_name", "old_value", "new_value", "reason"]


class EvaluationOut(serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = ["report_due_on", "report_received_on", "evaluator", "result", "note"]


class ApplicantOut(serializers.ModelSerializer):
    lot = serializers.IntegerField(source="lot.number")
    applicant = serializers.CharField(source="applicant.org_id")
    name = serializers.CharField(source="applicant.name")
    amount_requested = serializers.DecimalField(**MONEY, allow_null=True)

    class Meta:
        model = Application
        fields = ["lot", "applicant", "name", "amount_requested", "submitted_on", "outcome", "rejection_reason"]


class ScoreOut(serializers.ModelSerializer):
    """One commission member's score of one application on one criterion."""

    lot = serializers.IntegerField(source="application.lot.number")
    applicant = serializers.CharField(source="application.applicant.org_id")
    member = serializers.IntegerField(source="member.person_id")
    member_name = serializers.CharField(source="member.person.name")
    stage = serializers.IntegerField(source="member.stage")
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    max_score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)

    class Meta:
        model = CommissionScore
        fields = ["lot", "applicant", "member", "member_name", "stage", "criterion", "score", "max_score"]


class AwardOut(AwardSummary):
    """The award with its money trail: payments, amendments, evaluations, and its competition's applicants."""

    description = serializers.CharField()
    competition = serializers.SlugRelatedField(slug_field="public_id", read_only=True, allow_null=True)
    lot = serializers.IntegerField(source="lot.number", allow_null=True)
    paid = serializers.SerializerMethodField()
    payments = PaymentOut(many=True)
    amendments = AmendmentOut(many=True)
    evaluations = EvaluationOut(many=True)
    applicants = serializers.SerializerMethodField()
    scores = serializers.SerializerMethodField()
    commission = serializers.SerializerMethodField()

    class Meta(AwardSummary.Meta):
        fields = [*AwardSummary.Meta.fields, "description", "competition", "lot", "paid", "payments", "amendments"]
        fields += ["evaluations", "applicants", "scores", "commission"]

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_paid(self, obj) -> str:
        return f"{sum((p.amount for p in obj.payments.all()), 0):.2f}"

    @extend_schema_field(ApplicantOut(many=True))
    def get_applicants(self, obj) -> list[dict]:
        if obj.competition_id is None:
            return []
        applications = [a for lot in obj.competition.lots.all() for a in lot.applications.all()]
        return ApplicantOut(applications, many=True).data

    @extend_schema_field(ScoreOut(many=True))
    def get_scores(self, obj) -> list[dict]:
        """Every score of every application of the competition's lots (the award page's "why the winner won")."""
        if obj.competition_id is None:
            return []
        scores = []
        for lot in obj.competition.lots.all():
            for application in lot.applications.all():
                application.lot = lot  # the prefetched lot, so that a score's lot number costs no query
                scores += list(application.scores.all())
        return ScoreOut(scores, many=True).data

    @extend_schema_field(CommissionSeatOfCompetition(many=True))
    def get_commission(self, obj) -> list[dict]:
        if obj.competition_id is None:
            return []
        return CommissionSeatOfCompetition(obj.competition.commission.all(), many=True, context=self.context).data


@extend_schema(
    summary="Awards",
    description="The funding explorer's filters (as on /funding/). Newest award first; pages are cursors.",
)
class AwardList(CachedAnonymousReads, generics.ListAPIView):
    serializer_class = AwardSummary
    filterset_class = AwardQueryFilter

    def get_queryset(self):
        # The recipient's names and identifiers only: its search text and charter are long and unused here.
        recipient = ("recipient__bin", "recipient__local_id", "recipient__name_kk", "recipient__name_ru")
        return Award.objects.select_related("administrator", "recipient").only(
            *AWARD_LIST_FIELDS, "administrator__code", *recipient, "recipient__name_en"
        )

    def get_cursor_ordering(self):
        return ("-awarded_on", "-id")


AWARD_WRITE = form_serializer(AwardForm, "AwardWrite")
PAYMENT_WRITE = form_serializer(PaymentForm, "PaymentWrite")
EVALUATION_WRITE = form_serializer(EvaluationForm, "EvaluationWrite")


def _officer_only(request, administrator) -> None:
    if not request.user.has_perm("funding.enter_records", administrator):
        raise exceptions.PermissionDenied("only the administrator's officers enter its records.")


class AwardCreate(APIView):
    """Officers record an award for their administrator (its code in the path)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Record an award", request=AWARD_WRITE, responses={201: AwardSummary})
    def post(self, request, code: str):
        administrator = get_object_or_404(Administrator, code=code)
        _officer_only(request, administrator)
        form = bound_form(AwardForm, request.data, administrator=administrator)
        if not form.is_valid():
            raise form_errors(form)
        award = services.award_create(administrator=administrator, acting_user=request.user, **form.cleaned_data)
        return Response(AwardSummary(award, context={"request": request}).data, status=201)


class AwardDetail(CachedAnonymousReads, APIView):
    @extend_schema(summary="An award with its payments, amendments, evaluations and applicants", responses=AwardOut)
    def get(self, request, public_id: str):
        try:
            award = award_detail(public_id)
        except Award.DoesNotExist as exc:
            raise exceptions.NotFound(f"no award has the identifier {public_id}.") from exc
        return Response(AwardOut(award, context={"request": request}).data)


def _award_entry(request, public_id: str, form_class, save, out):
    """Officers' entry on an award: permission, the page's form, the service, 201 with what was written."""
    award = get_object_or_404(Award.objects.select_related("administrator"), public_id=public_id)
    _officer_only(request, award)
    form = bound_form(form_class, request.data)
    if not form.is_valid():
        raise form_errors(form)
    return Response(out(save(award=award, acting_user=request.user, **form.cleaned_data)).data, status=201)


class AwardPayments(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Record a payment", request=PAYMENT_WRITE, responses={201: PaymentOut})
    def post(self, request, public_id: str):
        return _award_entry(request, public_id, PaymentForm, services.payment_create, PaymentOut)


class AwardEvaluations(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Record an evaluation", request=EVALUATION_WRITE, responses={201: EvaluationOut})
    def post(self, request, public_id: str):
        return _award_entry(request, public_id, EvaluationForm, services.evaluation_record, EvaluationOut)
