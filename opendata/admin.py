from __future__ import annotations

from django.contrib import admin

from opendata.models import ExportFile


@admin.register(ExportFile)
class ExportFileAdmin(admin.ModelAdmin):
    list_display = ["kind", "filename", "generated_at", "rows", "size", "seconds", "stale_since"]
    readonly_fields = [f.name for f in ExportFile._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
