from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from funding.exports import AWARD_COLUMNS, award_csv_rows
from funding.filters import AwardFilter, field_choices, region_choices
from funding.models import Administrator, Award, Mechanism
from funding.selectors import (
    award_detail,
    funder_page,
    funding_explorer,
    organisation_funding,
    top_recipients,
    totals_by,
    totals_by_administrator,
    totals_by_year,
)
from registry.csv_export import csv_response
from registry.http import organisation_or_redirect

CSV_VIEWS = ("awards", "by_year", "by_mechanism", "by_administrator", "by_region", "by_field", "recipients")


@require_GET
def explorer(request: HttpRequest) -> HttpResponse:
    result = funding_explorer(request.GET, request.GET.get("page"))
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
            "csv_views": CSV_VIEWS,
            "region_choices": region_choices(),
            "field_choices": field_choices(),
            "mechanism_choices": Mechanism.choices,
            "budget_choices": Administrator.BudgetLevel.choices,
        },
    )


@require_GET
def explorer_csv(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "awards")
    if view not in CSV_VIEWS:
        raise Http404(
            _("Unknown download “%(view)s”; choose one of: %(views)s.") % {"view": view, "views": ", ".join(CSV_VIEWS)}
        )
    queryset = AwardFilter(request.GET, queryset=Award.objects.all()).qs
    filename = f"qogam-funding-{view.replace('_', '-')}"
    if view == "awards":
        return csv_response(filename, AWARD_COLUMNS, award_csv_rows(queryset, request.build_absolute_uri("/")))
    if view == "by_year":
        header = ["year", "total_kzt", "republican_budget_kzt", "local_budgets_kzt", "awards", "recipients"]
        rows = ([r.year, r.total, r.republican, r.local, r.count, r.recipients] for r in totals_by_year(queryset))
        return csv_response(filename, header, rows)
    if view == "by_administrator":
        rows = totals_by_administrator(queryset, limit=None)
        return csv_response(
            filename,
            ["administrator", "administrator_label", "total_kzt", "awards"],
            ([r.key, r.label, r.total, r.count] for r in rows),
        )
    if view == "recipients":
        rows = top_recipients(queryset, limit=None)
        return csv_response(
            filename,
            ["recipient_org_id", "recipient_label", "total_kzt", "awards"],
            ([r.org_id, r.label, r.total, r.count] for r in rows),
        )
    key = view.removeprefix("by_")
    return csv_response(
        filename,
        [key, f"{key}_label", "total_kzt", "awards"],
        ([r.key, r.label, r.total, r.count] for r in totals_by(queryset, key)),
    )


@require_GET
def award_page(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        award = award_detail(public_id)
    except Award.DoesNotExist as exc:
        raise Http404(_("No award has the identifier %(id)s.") % {"id": public_id}) from exc
    paid = sum((p.amount for p in award.payments.all()), 0)
    return render(request, "funding/award_detail.html", {"award": award, "paid": paid, "unpaid": award.amount - paid})


@require_GET
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
def organisation_funding_tab(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, moved = organisation_or_redirect(org_id, "funding:organisation_funding")
    if moved:
        return moved
    return render(
        request,
        "funding/organisation_funding.html",
        {"organisation": organisation, "funding": organisation_funding(organisation)},
    )
