"""People in public roles (issue 17): the search by name in any script, and a person's public page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from api.caching import cached_anonymous_page
from registry.models import Person
from registry.selectors import people_search, person_page

MAX_QUERY = 200


@require_GET
@cached_anonymous_page
def people(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    page = people_search(query, request.GET.get("page"))
    return render(request, "registry/people.html", {"query": query, "page": page})


@require_GET
@cached_anonymous_page
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        page = person_page(pk)
    except Person.DoesNotExist as exc:
        raise Http404(_("No person has the number %(pk)s.") % {"pk": pk}) from exc
    return render(request, "registry/person_detail.html", {"page": page, "person": page.person})
