from __future__ import annotations

from django.urls import path

from scoring import views

app_name = "scoring"

urlpatterns = [
    path("sector/", views.sector, name="sector"),
    path("methodology/", views.methodology, name="methodology"),
    path("transparency/", views.transparency, name="transparency"),
    path(
        "transparency/<slug:code>/<slug:subject_type>/<str:subject_key>/",
        views.flag_detail,
        name="flag_detail",
    ),
    path("concerns/new/<slug:subject_type>/<str:subject_key>/", views.concern_new, name="concern_new"),
    path("moderation/concerns/", views.concern_queue, name="concern_queue"),
    path("moderation/concerns/<int:pk>/", views.concern_triage, name="concern_triage"),
    # The scores tab of an organisation's profile, served by this app under the shared profile path.
    path("organisations/<str:org_id>/scores/", views.organisation_scores_tab, name="organisation_scores"),
]
