"""/api/v1/ and its OpenAPI schema and documentation (docs/api.md): each app's endpoints, composed here so that
api/ (the conventions every endpoint shares) imports no app."""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.common import not_found
from funding import api as funding_api
from registry import api as registry_api
from scoring import api as scoring_api

app_name = "api"

urlpatterns = [
    path("v1/organisations/", registry_api.OrganisationList.as_view(), name="organisations"),
    path("v1/organisations/<str:org_id>/", registry_api.OrganisationDetail.as_view(), name="organisation"),
    path(
        "v1/organisations/<str:org_id>/reports/<int:year>/",
        registry_api.OrganisationReport.as_view(),
        name="organisation_report",
    ),
    path(
        "v1/organisations/<str:org_id>/scores/",
        scoring_api.OrganisationScoresView.as_view(),
        name="organisation_scores",
    ),
    path("v1/people/", registry_api.PersonList.as_view(), name="people"),
    path("v1/people/<int:pk>/", registry_api.PersonDetail.as_view(), name="person"),
    path("v1/summaries/", scoring_api.Summaries.as_view(), name="summaries"),
    path("v1/flags/", scoring_api.FlagList.as_view(), name="flags"),
    path("v1/concentration/", scoring_api.ConcentrationView.as_view(), name="concentration"),
    path("v1/administrators/", funding_api.AdministratorList.as_view(), name="administrators"),
    path("v1/administrators/<str:code>/awards/", funding_api.AwardCreate.as_view(), name="award_create"),
    path("v1/competitions/", funding_api.CompetitionList.as_view(), name="competitions"),
    path("v1/awards/", funding_api.AwardList.as_view(), name="awards"),
    path("v1/awards/<str:public_id>/", funding_api.AwardDetail.as_view(), name="award"),
    path("v1/awards/<str:public_id>/payments/", funding_api.AwardPayments.as_view(), name="award_payments"),
    path("v1/awards/<str:public_id>/evaluations/", funding_api.AwardEvaluations.as_view(), name="award_evaluations"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^[\s\S]*$", not_found),  # anything else under /api/ is a JSON 404, not the site's HTML page
]
