"""The site's URLs plus what the harness needs of a served database (config.settings.bench only): the floor, the
least a Django view can do through the same middleware, and a data change as the site announces one."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from api.changes import data_version_bump
from config.urls import urlpatterns as site_urlpatterns


def minimal(request):
    return HttpResponse("ok")


@csrf_exempt
@require_POST
def data_changed(request):
    """The data version moved on, as after any change: every cached page is cold again (bench/http_pages.py).
    Served only by the bench's settings, on a database of the bench's own."""
    data_version_bump()
    return HttpResponse(status=204)


urlpatterns = [path("bench/minimal/", minimal), path("bench/data-changed/", data_changed), *site_urlpatterns]
