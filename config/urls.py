from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from registry.signin import PasswordSetView, SignInView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Django's sign-in and password-setting views with login protection (registry/signin.py)
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/reset/<uidb64>/<token>/", PasswordSetView.as_view(), name="password_reset_confirm"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("config.api_urls")),
    path("", include("opendata.urls")),
    path("", include("imports.urls")),
    path("", include("funding.urls")),
    path("", include("scoring.urls")),
    path("", include("registry.urls")),
]

# Errors: JSON under /api/ (in production too), a page elsewhere (api/errors.py).
handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"
