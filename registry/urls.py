from __future__ import annotations

from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/download.csv", views.organisation_list_csv, name="organisation_list_csv"),
    path("organisations/<str:org_id>/", views.organisation_detail, name="organisation_detail"),
]
