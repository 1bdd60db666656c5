from __future__ import annotations

from django.contrib import admin

from imports.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "dry_run", "status", "rows", "created", "updated", "problem_count", "created_by"]
    list_display += ["created_at"]
    list_filter = ["kind", "dry_run", "status"]
    list_select_related = ["created_by"]
    search_fields = ["file"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False
