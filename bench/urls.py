"""The site's URLs plus the floor: the least a Django view can do through the same middleware."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def minimal(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/minimal/", minimal), *site_urlpatterns]
