from __future__ import annotations

from django.urls import path

from opendata import views

app_name = "opendata"

urlpatterns = [
    path("exports/", views.exports, name="exports"),
    path("exports/<str:filename>", views.export_download, name="export_download"),
    # Each page's download, under the page's own path (the pages link to these by name).
    path("organisations/download.csv", views.organisation_list_csv, name="organisation_list_csv"),
    path("funding/download.csv", views.explorer_csv, name="explorer_csv"),
    path("transparency/download.csv", views.transparency_csv, name="transparency_csv"),
    path("sector/download.csv", views.sector_csv, name="sector_csv"),
    path("imports/templates/<slug:kind>.csv", views.import_template, name="import_template"),
]
