from __future__ import annotations

from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.http import require_GET

from registry.signin import PasswordSetView, SignInView


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever a page links: send them to the one icon (base.html links it too).
    Temporary, as the static URL carries a content hash in production."""
    return redirect(static("favicon.svg"))


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", favicon),
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
