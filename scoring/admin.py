from __future__ import annotations

from django.contrib import admin

from scoring.models import Concentration, Concern, Flag, OrganisationScore, SectorSummary, StaleSummary, SummaryRun


class DerivedAdmin(admin.ModelAdmin):
    """Rows a run computes: read here, rebuilt by regenerate_summaries, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SummaryRun)
class SummaryRunAdmin(DerivedAdmin):
    list_display = ["pk", "kind", "status", "current", "version", "started_at", "finished_at", "seconds"]
    list_filter = ["status", "current"]


@admin.register(SectorSummary)
class SectorSummaryAdmin(DerivedAdmin):
    list_display = ["run", "year", "segment", "n_organisations", "suppressed"]
    list_filter = ["year", "suppressed"]
    search_fields = ["segment"]


@admin.register(OrganisationScore)
class OrganisationScoreAdmin(DerivedAdmin):
    list_display = ["run", "organisation", "year", "tier", "days_late", "income_diversity", "state_dependency"]
    list_filter = ["year", "tier"]
    raw_id_fields = ["organisation"]


@admin.register(Flag)
class FlagAdmin(DerivedAdmin):
    list_display = ["run", "code", "subject_type", "subject_key", "title", "year", "administrator", "amount"]
    list_filter = ["code", "subject_type", "year"]
    search_fields = ["subject_key", "title", "administrator"]


@admin.register(Concentration)
class ConcentrationAdmin(DerivedAdmin):
    list_display = ["run", "by", "key", "year", "hhi", "top1_share", "top5_share", "recipients", "total"]
    list_filter = ["by", "year"]


@admin.register(StaleSummary)
class StaleSummaryAdmin(DerivedAdmin):
    list_display = ["organisation", "year", "marked_at"]


@admin.register(Concern)
class ConcernAdmin(admin.ModelAdmin):
    list_display = ["subject_type", "subject_key", "status", "filed_by", "filed_at", "decided_by"]
    list_filter = ["status", "subject_type"]
    search_fields = ["subject_key", "what", "resolution"]
    raw_id_fields = ["filed_by", "decided_by"]

    def has_delete_permission(self, request, obj=None):
        return False  # dismiss with a public note instead
