from __future__ import annotations

from django.urls import path

from funding import manage_views, views

app_name = "funding"

urlpatterns = [
    path("funding/", views.explorer, name="explorer"),
    path("funding/awards/<str:public_id>/", views.award_page, name="award_detail"),
    path("funding/competitions/<str:public_id>/", views.competition_page, name="competition_detail"),
    path("funders/<slug:code>/", views.funder, name="funder_detail"),
    path("funders/<slug:code>/awards/new/", manage_views.award_new, name="award_new"),
    path("funders/<slug:code>/programmes/new/", manage_views.programme_new, name="programme_new"),
    path("funders/<slug:code>/competitions/new/", manage_views.competition_new, name="competition_new"),
    path("funding/competitions/<str:public_id>/lots/new/", manage_views.lot_new, name="lot_new"),
    path(
        "funding/competitions/<str:public_id>/applications/new/", manage_views.application_new, name="application_new"
    ),
    path(
        "funding/competitions/<str:public_id>/commission/", manage_views.commission_members, name="commission_members"
    ),
    path("funding/competitions/<str:public_id>/scores/", manage_views.commission_scores, name="commission_scores"),
    path("funders/<slug:code>/officials/", manage_views.administrator_officials, name="administrator_officials"),
    path("funding/awards/<str:public_id>/payments/new/", manage_views.award_payment, name="award_payment"),
    path("funding/awards/<str:public_id>/status/new/", manage_views.award_status, name="award_status"),
    path("funding/awards/<str:public_id>/amendments/new/", manage_views.award_amendment, name="award_amendment"),
    path("funding/awards/<str:public_id>/evaluations/new/", manage_views.award_evaluation, name="award_evaluation"),
    # The funding tab of an organisation's profile is served by this app under the shared profile path.
    path("organisations/<str:org_id>/funding/", views.organisation_funding_tab, name="organisation_funding"),
]
