from __future__ import annotations

from django.urls import path

from registry import manage_views, views

app_name = "registry"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/download.csv", views.organisation_list_csv, name="organisation_list_csv"),
    path("organisations/<str:org_id>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<str:org_id>/history/", manage_views.organisation_history, name="organisation_history"),
    path("organisations/<str:org_id>/claim/", manage_views.organisation_claim, name="organisation_claim"),
    path("organisations/<str:org_id>/edit/", manage_views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<str:org_id>/reports/<int:year>/", manage_views.organisation_report, name="organisation_report"
    ),
    path("organisations/<str:org_id>/documents/", manage_views.organisation_documents, name="organisation_documents"),
    path(
        "organisations/<str:org_id>/documents/<int:pk>/download/",
        manage_views.document_download,
        name="document_download",
    ),
    path(
        "organisations/<str:org_id>/status/new/",
        manage_views.organisation_status_event,
        name="organisation_status_event",
    ),
    path("organisations/<str:org_id>/merge/", manage_views.organisation_merge, name="organisation_merge"),
    path("organisations/<str:org_id>/managers/", manage_views.organisation_managers, name="organisation_managers"),
    path("exports/", views.exports, name="exports"),
    path("exports/<str:filename>", views.export_download, name="export_download"),
    path("imports/", manage_views.imports, name="imports"),
    path("imports/<int:pk>/", manage_views.import_detail, name="import_detail"),
    path("imports/templates/<slug:kind>.csv", manage_views.import_template, name="import_template"),
    path("accounts/sign-up/", manage_views.sign_up, name="sign_up"),
    path("invitations/<str:token>/", manage_views.invitation, name="invitation"),
    path("accounts/organisations/", manage_views.my_organisations, name="my_organisations"),
    path("accounts/api-token/", manage_views.api_token, name="api_token"),
    path("moderation/claims/", manage_views.moderation_claims, name="moderation_claims"),
    path("moderation/claims/<int:pk>/decide/", manage_views.claim_decide, name="claim_decide"),
    path("moderation/claims/<int:pk>/document/", manage_views.claim_document, name="claim_document"),
]
