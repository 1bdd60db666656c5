from __future__ import annotations

from django.urls import path

from scoring import concerns, transparency, views

app_name = "scoring"

urlpatterns = [
    path("sector/", views.sector, name="sector"),
    path("sector/download.csv", views.sector_csv, name="sector_csv"),
    path("methodology/", views.methodology, name="methodology"),
    path("transparency/", transparency.transparency, name="transparency"),
    path("transparency/download.csv", transparency.transparency_csv, name="transparency_csv"),
    path(
        "transparency/<slug:code>/<slug:subject_type>/<str:subject_key>/",
        transparency.flag_detail,
        name="flag_detail",
    ),
    path("concerns/new/<slug:subject_type>/<str:subject_key>/", concerns.concern_new, name="concern_new"),
    path("moderation/concerns/", concerns.concern_queue, name="concern_queue"),
    path("moderation/concerns/<int:pk>/", concerns.concern_triage, name="concern_triage"),
    # The scores tab of an organisation's profile, served by this app under the shared profile path.
    path("organisations/<str:org_id>/scores/", views.organisation_scores_tab, name="organisation_scores"),
]
