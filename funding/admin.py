from __future__ import annotations

from django.contrib import admin

from funding.models import (
    Administrator,
    Amendment,
    Application,
    Award,
    AwardStatusEvent,
    Competition,
    Evaluation,
    FundingChange,
    Lot,
    OfficerMembership,
    Payment,
    Programme,
    PublishedTotal,
)


class NoDelete:
    def has_delete_permission(self, request, obj=None):
        return False  # public money records are corrected by amendment, never deleted


class ThroughServices(NoDelete):
    """Records whose every write leaves a public history row (funding.services): read here, entered and
    corrected on the site's entry pages (which site administrators may use for any administrator)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Administrator)
class AdministratorAdmin(NoDelete, admin.ModelAdmin):
    list_display = ["code", "name_en", "kind", "budget_level", "region", "parent"]
    list_filter = ["kind", "budget_level", "region"]
    list_select_related = ["region", "parent"]
    search_fields = ["code", "bin", "name_en", "name_ru", "name_kk"]
    raw_id_fields = ["parent"]


@admin.register(Programme)
class ProgrammeAdmin(ThroughServices, admin.ModelAdmin):
    list_display = ["title", "administrator", "year", "mechanism", "field", "budget"]
    list_filter = ["mechanism", "year", "field"]
    list_select_related = ["administrator", "field"]
    search_fields = ["title", "administrator__code", "administrator__name_en"]
    raw_id_fields = ["administrator"]


class LotInline(admin.TabularInline):
    model = Lot
    extra = 0
    can_delete = False


@admin.register(Competition)
class CompetitionAdmin(ThroughServices, admin.ModelAdmin):
    list_display = ["reference", "title", "administrator", "mechanism", "announced_on", "decided_on"]
    list_filter = ["mechanism"]
    list_select_related = ["administrator"]
    search_fields = ["reference", "public_id", "title", "administrator__code"]
    raw_id_fields = ["administrator", "programme"]
    readonly_fields = ["public_id"]
    date_hierarchy = "announced_on"
    inlines = [LotInline]
    show_full_result_count = False


@admin.register(Lot)
class LotAdmin(ThroughServices, admin.ModelAdmin):
    list_display = ["__str__", "competition", "planned_amount", "field", "region"]
    list_filter = ["field", "region"]
    list_select_related = ["competition", "field", "region"]
    search_fields = ["title", "competition__reference"]
    raw_id_fields = ["competition"]
    show_full_result_count = False


@admin.register(Application)
class ApplicationAdmin(ThroughServices, admin.ModelAdmin):
    list_display = ["applicant", "lot", "outcome", "amount_requested", "submitted_on"]
    list_filter = ["outcome"]
    list_select_related = ["applicant", "lot"]
    search_fields = ["applicant__bin", "applicant__name_ru", "lot__competition__reference"]
    raw_id_fields = ["applicant", "lot"]
    show_full_result_count = False


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False


class AwardStatusInline(admin.TabularInline):
    model = AwardStatusEvent
    extra = 0
    can_delete = False


@admin.register(Award)
class AwardAdmin(ThroughServices, admin.ModelAdmin):
    list_display = ["public_id", "title", "mechanism", "recipient", "administrator", "amount", "awarded_on", "status"]
    list_filter = ["mechanism", "status", "administrator__budget_level", "region", "field"]
    list_select_related = ["recipient", "administrator"]
    search_fields = ["public_id", "reference", "title", "recipient__bin", "recipient__name_ru", "administrator__code"]
    raw_id_fields = ["recipient", "administrator", "competition", "lot"]
    readonly_fields = ["public_id", "amount_awarded", "status", "created_at", "updated_at"]
    date_hierarchy = "awarded_on"
    inlines = [AwardStatusInline, PaymentInline]
    show_full_result_count = False


@admin.register(AwardStatusEvent)
class AwardStatusEventAdmin(ThroughServices, admin.ModelAdmin):
    list_display = ["award", "kind", "occurred_on", "reason"]
    list_filter = ["kind"]
    list_select_related = ["award"]
    search_fields = ["award__public_id", "reason"]
    raw_id_fields = ["award"]
    show_full_result_count = False


@admin.register(Payment)
class PaymentAdmin(ThroughServices, admin.ModelAdmin):
    list_display = ["award", "paid_on", "amount", "kind"]
    list_filter = ["kind"]
    list_select_related = ["award"]
    search_fields = ["award__public_id"]
    raw_id_fields = ["award"]
    date_hierarchy = "paid_on"
    show_full_result_count = False


@admin.register(Amendment)
class AmendmentAdmin(ThroughServices, admin.ModelAdmin):
    list_display = ["award", "amended_on", "field_name", "old_value", "new_value"]
    list_filter = ["field_name"]
    list_select_related = ["award"]
    search_fields = ["award__public_id", "reason"]
    raw_id_fields = ["award"]


@admin.register(Evaluation)
class EvaluationAdmin(ThroughServices, admin.ModelAdmin):
    list_display = ["award", "report_due_on", "report_received_on", "result"]
    list_filter = ["result"]
    list_select_related = ["award"]
    search_fields = ["award__public_id", "evaluator"]
    raw_id_fields = ["award"]
    show_full_result_count = False


@admin.register(FundingChange)
class FundingChangeAdmin(ThroughServices, admin.ModelAdmin):
    list_display = ["changed_at", "record", "record_id", "field", "old_value", "new_value", "source", "user"]
    list_filter = ["record", "source"]
    list_select_related = ["user"]
    search_fields = ["award__public_id", "competition__public_id", "user__username"]
    show_full_result_count = False


@admin.register(PublishedTotal)
class PublishedTotalAdmin(admin.ModelAdmin):
    list_display = ["year", "mechanism", "budget_level", "amount", "source"]
    list_filter = ["mechanism", "budget_level"]
    search_fields = ["source"]


@admin.register(OfficerMembership)
class OfficerMembershipAdmin(NoDelete, admin.ModelAdmin):
    list_display = ["user", "administrator", "include_children", "created_at", "ended_at"]
    list_filter = ["include_children", ("ended_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "administrator"]
    search_fields = ["user__username", "user__email", "administrator__code"]
    raw_id_fields = ["user", "administrator"]
