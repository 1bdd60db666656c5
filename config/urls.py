from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("config.api_urls")),
    path("", include("opendata.urls")),
    path("", include("imports.urls")),
    path("", include("funding.urls")),
    path("", include("scoring.urls")),
    path("", include("registry.urls")),
]
