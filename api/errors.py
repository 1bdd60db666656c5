"""The site's error responses (config/urls.py names them): JSON in the API's one error shape under /api/,
whatever the status and whether DEBUG is on or off, and a page elsewhere that says what went wrong."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from api.common import ParameterError, error_body


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(status: int, detail: str, errors: dict | None = None) -> JsonResponse:
    return JsonResponse(error_body(detail, errors), status=status, json_dumps_params={"ensure_ascii": False})


@requires_csrf_token
def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if isinstance(exception, ParameterError):
        detail, errors = f"{exception.name}: {exception.message}", {exception.name: [exception.message]}
    else:
        detail, errors = _("the request could not be understood."), None
    if _api(request):
        return _json(400, detail, errors)
    return render(request, "400.html", {"detail": detail}, status=400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    detail = str(exception) if exception and str(exception) else _("you may not do this.")
    if _api(request):
        return _json(403, detail)
    return render(request, "403.html", {"detail": detail}, status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _api(request):
        return _json(404, _("no such resource; the API's paths are listed at /api/docs/."))
    return render(request, "404.html", {"path": request.path}, status=404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the site's context (whatever failed may fail again): a page of its own, no database."""
    if _api(request):
        return _json(500, _("the server failed on this request; it is logged and we look at every one."))
    return HttpResponse(loader.get_template("500.html").render(), status=500)
