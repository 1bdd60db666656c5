from __future__ import annotations

from django.urls import path

from funding import views

app_name = "funding"

urlpatterns = [
    path("funding/", views.explorer, name="explorer"),
    path("funding/download.csv", views.explorer_csv, name="explorer_csv"),
    path("funding/awards/<str:public_id>/", views.award_page, name="award_detail"),
    path("funders/<slug:code>/", views.funder, name="funder_detail"),
    # The funding tab of an organisation's profile is served by this app under the shared profile path.
    path("organisations/<str:org_id>/funding/", views.organisation_funding_tab, name="organisation_funding"),
]
