from __future__ import annotations

from django.urls import path

from registry.views import accounts, directory, manage_people, moderation, people, profile

app_name = "registry"

urlpatterns = [
    path("", directory.home, name="home"),
    path("organisations/", directory.organisation_list, name="organisation_list"),
    path("organisations/<str:org_id>/", directory.organisation_detail, name="organisation_detail"),
    path("organisations/<str:org_id>/history/", profile.organisation_history, name="organisation_history"),
    path("organisations/<str:org_id>/edit/", profile.organisation_edit, name="organisation_edit"),
    path("organisations/<str:org_id>/reports/<int:year>/", profile.organisation_report, name="organisation_report"),
    path("organisations/<str:org_id>/documents/", profile.organisation_documents, name="organisation_documents"),
    path(
        "organisations/<str:org_id>/documents/<int:pk>/download/", profile.document_download, name="document_download"
    ),
    path(
        "organisations/<str:org_id>/people/edit/",
        manage_people.organisation_people_edit,
        name="organisation_people_edit",
    ),
    path("organisations/<str:org_id>/claim/", accounts.organisation_claim, name="organisation_claim"),
    path("organisations/<str:org_id>/managers/", accounts.organisation_managers, name="organisation_managers"),
    path(
        "organisations/<str:org_id>/status/new/",
        moderation.organisation_status_event,
        name="organisation_status_event",
    ),
    path("organisations/<str:org_id>/merge/", moderation.organisation_merge, name="organisation_merge"),
    path("people/", people.people, name="people"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("accounts/sign-up/", accounts.sign_up, name="sign_up"),
    path("accounts/confirm/<str:token>/", accounts.email_confirm, name="email_confirm"),
    path("accounts/verify/", accounts.email_verify, name="email_verify"),
    path("invitations/<str:token>/", accounts.invitation, name="invitation"),
    path("accounts/organisations/", accounts.my_organisations, name="my_organisations"),
    path("accounts/api-token/", accounts.api_token, name="api_token"),
    path("moderation/claims/", moderation.moderation_claims, name="moderation_claims"),
    path("moderation/claims/<int:pk>/decide/", moderation.claim_decide, name="claim_decide"),
    path("moderation/claims/<int:pk>/document/", moderation.claim_document, name="claim_document"),
]
