from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from api.caching import cached_anonymous_page
from api.common import filters_status, query_int
from funding.filters import field_choices
from funding.models import Administrator, Award, Competition, Mechanism
from funding.selectors import (
    EXPLORER_TABLES,
    award_detail,
    competition_detail,
    funder_page,
    funding_explorer,
    organisation_funding,
    record_history,
)
from registry.http import organisation_or_redirect


@require_GET
@cached_anonymous_page
def explorer(request: HttpRequest) -> HttpResponse:
    result = funding_explorer(request.GET, query_int(request.GET, "page", minimum=1))
    query = request.GET.copy()
    query.pop("page", None)
    top = max((row.total for row in result.by_year), default=0)
    return render(
        request,
        "funding/explorer.html",
        {
            "result": result,
            "filterset": result.filterset,
            "page": result.page,
            "querystring": query.urlencode(),
            "year_top": top,
            "csv_views": EXPLORER_TABLES,
            "field_choices": field_choices(),
            "mechanism_choices": Mechanism.choices,
            "budget_choices": Administrator.BudgetLevel.choices,
        },
        status=filters_status(result.filterset),
    )


@require_GET
@cached_anonymous_page
def award_page(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        award = award_detail(public_id)
    except Award.DoesNotExist as exc:
        raise Http404(_("No award has the identifier %(id)s.") % {"id": public_id}) from exc
    paid = sum((p.amount for p in award.payments.all()), 0)
    return render(
        request,
        "funding/award_detail.html",
        {"award": award, "paid": paid, "unpaid": award.amount - paid, "history": record_history(award=award)},
    )


@require_GET
@cached_anonymous_page
def competition_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """A competition: its lots, every applicant and outcome, the winners, and the public history of entries."""
    try:
        competition = competition_detail(public_id)
    except Competition.DoesNotExist as exc:
        raise Http404(_("No competition has the identifier %(id)s.") % {"id": public_id}) from exc
    return render(
        request,
        "funding/competition_detail.html",
        {"competition": competition, "history": record_history(competition=competition)},
    )


@require_GET
@cached_anonymous_page
def funder(request: HttpRequest, code: str) -> HttpResponse:
    try:
        page = funder_page(code)
    except Administrator.DoesNotExist as exc:
        raise Http404(_("No administrator has the code %(code)s.") % {"code": code}) from exc
    top = max((row.total for row in page.by_year), default=0)
    return render(
        request, "funding/funder_detail.html", {"page": page, "administrator": page.administrator, "year_top": top}
    )


@require_GET
@cached_anonymous_page
def organisation_funding_tab(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, moved = organisation_or_redirect(org_id, "funding:organisation_funding")
    if moved:
        return moved
    return render(
        request,
        "funding/organisation_funding.html",
        {"organisation": organisation, "funding": organisation_funding(organisation)},
    )
