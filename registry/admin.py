from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry import services
from registry.models import (
    ChangeRecord,
    DemoDataset,
    Document,
    EmailConfirmation,
    FieldOfActivity,
    Invitation,
    LegalForm,
    Membership,
    Merge,
    Organisation,
    OrganisationField,
    OrganisationName,
    OrganisationRole,
    OwnershipClaim,
    Person,
    Region,
    StatusEvent,
)

admin.site.site_header = _("Qogam administration")
admin.site.site_title = _("Qogam")


@admin.register(LegalForm)
class LegalFormAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_ru", "npo", "ngo_eligible", "tax_npo", "has_territorial_level"]
    list_filter = ["npo", "ngo_eligible", "tax_npo", "has_territorial_level"]
    search_fields = ["code", "name_en", "name_ru", "name_kk"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "kato_prefix", "name_en", "name_ru", "kind", "valid_from", "valid_to"]
    list_filter = ["kind", ("valid_to", admin.EmptyFieldListFilter)]
    list_select_related = ["parent"]
    search_fields = ["code", "kato_prefix", "name_en", "name_ru", "name_kk"]
    filter_horizontal = ["succeeded_by"]


@admin.register(FieldOfActivity)
class FieldOfActivityAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_ru", "name_kk", "sort_order"]
    search_fields = ["code", "name_en", "name_ru", "name_kk"]


class StatusEventInline(admin.TabularInline):
    model = StatusEvent
    extra = 0
    fields = ["kind", "occurred_on", "ends_on", "legal_basis", "note"]
    can_delete = False  # status history is public record


class OrganisationNameInline(admin.TabularInline):
    model = OrganisationName
    extra = 0


class OrganisationFieldInline(admin.TabularInline):
    model = OrganisationField
    extra = 0
    autocomplete_fields = ["field"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["org_id", "name_ru", "legal_form", "region", "status", "registered_on"]
    list_filter = ["status", "legal_form", "region", "territorial_level"]
    list_select_related = ["legal_form", "region"]
    search_fields = ["bin", "local_id", "name_ru", "name_kk", "name_en"]
    readonly_fields = ["local_id", "status", "created_at", "updated_at", "search_text"]
    raw_id_fields = ["parent", "merged_into"]
    date_hierarchy = "registered_on"
    inlines = [OrganisationFieldInline, OrganisationNameInline, StatusEventInline]
    show_full_result_count = False  # COUNT(*) over the whole registry on every admin page is wasted work
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        if not obj.local_id:
            obj.local_id = services.new_local_id()
        obj.search_text = services.organisation_search_text(obj)
        self._keys_before = services.organisation_keys(obj.pk) if obj.pk else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.organisation_search_text_refresh(organisation=form.instance)
        services.organisation_status_refresh(organisation=form.instance)
        services.organisation_admin_saved(organisation=form.instance, before=self._keys_before)

    def has_delete_permission(self, request, obj=None):
        return False  # nothing the public has seen is hard-deleted: liquidate or merge instead


@admin.register(StatusEvent)
class StatusEventAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind", "occurred_on", "ends_on", "legal_basis"]
    list_filter = ["kind"]
    list_select_related = ["organisation"]
    search_fields = ["organisation__bin", "organisation__name_ru", "legal_basis"]
    raw_id_fields = ["organisation"]
    date_hierarchy = "occurred_on"

    def has_add_permission(self, request):
        return False  # recorded on the organisation's page, which keeps the order rules and four eyes

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrganisationName)
class OrganisationNameAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "language", "valid_from", "valid_to"]
    list_filter = ["kind", "language"]
    list_select_related = ["organisation"]
    search_fields = ["name", "organisation__bin"]
    raw_id_fields = ["organisation"]


@admin.register(DemoDataset)
class DemoDatasetAdmin(admin.ModelAdmin):
    list_display = ["seed", "organisations", "created_at"]
    readonly_fields = ["seed", "organisations", "created_at"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at", "ended_at"]
    list_filter = ["role", ("ended_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__username", "user__email", "organisation__bin", "organisation__name_ru"]
    raw_id_fields = ["user", "organisation", "granted_by"]
    readonly_fields = ["user", "organisation", "role", "granted_by", "created_at"]

    def has_add_permission(self, request):
        return False  # managers come in by an approved claim or an accepted invitation, both proving the mailbox

    def has_delete_permission(self, request, obj=None):
        return False  # end a membership (ended_at) instead


@admin.register(EmailConfirmation)
class EmailConfirmationAdmin(admin.ModelAdmin):
    """Read-only: to see whether and when a person confirmed their address (support questions)."""

    list_display = ["email", "user", "created_at", "expires_at", "confirmed_at"]
    list_select_related = ["user"]
    search_fields = ["email", "user__username", "user__email"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "invited_by", "created_at", "accepted_at", "revoked_at"]
    list_select_related = ["organisation", "invited_by"]
    search_fields = ["email", "organisation__bin", "organisation__name_ru"]
    readonly_fields = [
        "organisation",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
    ]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False  # invitations are sent from the organisation's managers page, which e-mails the link

    def has_delete_permission(self, request, obj=None):
        return False  # withdraw (revoked_at) instead


@admin.register(OwnershipClaim)
class OwnershipClaimAdmin(admin.ModelAdmin):
    list_display = ["organisation", "user", "position", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__username", "user__email", "organisation__bin", "organisation__name_ru"]
    raw_id_fields = ["user", "organisation", "decided_by"]
    readonly_fields = ["status", "decided_by", "decided_at", "created_at"]


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ["organisation", "field", "old_value", "new_value", "source", "user", "changed_at"]
    list_filter = ["source", "field"]
    list_select_related = ["organisation", "user"]
    search_fields = ["organisation__bin", "organisation__name_ru", "field"]
    date_hierarchy = "changed_at"

    def has_change_permission(self, request, obj=None):
        return False  # the history is a record, not a draft

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "kind", "uploaded_at", "hidden_at"]
    list_filter = ["kind", ("hidden_at", admin.EmptyFieldListFilter)]
    list_select_related = ["organisation"]
    search_fields = ["title", "organisation__bin", "organisation__name_ru"]
    raw_id_fields = ["organisation", "replaces", "uploaded_by", "hidden_by"]

    def has_delete_permission(self, request, obj=None):
        return False  # hide with a reason instead


@admin.register(Merge)
class MergeAdmin(admin.ModelAdmin):
    list_display = ["merged", "survivor", "moderator", "merged_at", "undone_at"]
    list_select_related = ["merged", "survivor", "moderator"]
    search_fields = ["merged__bin", "survivor__bin", "reason"]
    readonly_fields = ["survivor", "merged", "moderator", "moved", "merged_at", "undone_at", "undone_by"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Correcting a name as published (a person's correction request, docs/privacy.md); the matching key follows.
    Roles are kept on the organisation's People page and the funding pages, with their history."""

    list_display = ["__str__", "name_ru", "name_kk", "name_en", "name_key"]
    search_fields = ["name_kk", "name_ru", "name_en", "name_key"]
    readonly_fields = ["name_key", "created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # nothing people have seen is deleted


@admin.register(OrganisationRole)
class OrganisationRoleAdmin(admin.ModelAdmin):
    """Read-only: roles change through the People page, which keeps the profile's history."""

    list_display = ["person", "organisation", "kind", "started_on", "ended_on", "source"]
    list_filter = ["kind", "source"]
    search_fields = ["person__name_key", "organisation__name_ru", "organisation__bin"]
    raw_id_fields = ["person", "organisation"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
