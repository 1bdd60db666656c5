"""HTTP caching for anonymous reads: every anonymous GET carries an ETag of the data version (and the language
and the day, which some filters and labels read), answers 304 to a matching If-None-Match, and is kept whole in
the shared cache under that version, so a change anywhere (any process) retires every cached page at once.

Only anonymous GETs: what a signed-in person reads may depend on who they are. DRF runs authentication,
permissions and throttles first (`initial()`), so a page served from the cache is still throttled. The cache
accelerates, never gates: a cache that is down costs only the saved work.
"""

from __future__ import annotations

import hashlib
import re
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language
from rest_framework.response import Response
from rest_framework.views import APIView

from api.changes import data_version

ANONYMOUS_MAX_AGE = 60  # seconds a client or proxy may reuse a page without asking again
CACHED_FOR = 3600  # a cached page is keyed by the data version; the timeout only bounds memory


class _Served(Exception):
    """Carries a response found before the view ran (a 304, or a page from the cache) past DRF's handler."""

    def __init__(self, response: HttpResponse):
        super().__init__()
        self.response = response


class CachedAnonymousReads(APIView):
    # A DRF view mixin (listed before the view class). A view that also carries a record's own ETag for
    # If-Match (record_etag) answers "<record version>.<data tag>"; api.common.expected_version reads the first
    # part. (A comment, not a docstring: the schema would take it as every view's description.)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles, as DRF runs them
        self._data_tag = None
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return
        self._data_tag = data_tag()
        if self._data_tag in _client_tags(request):
            raise _Served(self._not_modified())
        cached = _cache_get(self._cache_key(request))
        if cached is not None:
            raise _Served(self._stamp(_from_cache(cached)))

    def handle_exception(self, exc):
        if isinstance(exc, _Served):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        tag = getattr(self, "_data_tag", None)
        if tag is None or not isinstance(response, Response) or response.status_code != 200:
            return response  # not an anonymous read, an error, or a page served from the cache already
        self._stamp(response)
        key = self._cache_key(request)
        response.add_post_render_callback(lambda rendered: _cache_set(key, rendered))
        return response

    # ---------------------------------------------------------------- helpers

    def _cache_key(self, request) -> str:
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        return f"api:page:{self._data_tag}:{digest}"

    def _stamp(self, response: HttpResponse) -> HttpResponse:
        if "ETag" not in response:
            response["ETag"] = f'"{self._data_tag}"'
        response["Cache-Control"] = f"public, max-age={ANONYMOUS_MAX_AGE}"
        patch_vary_headers(response, ("Accept-Language", "Cookie", "Authorization"))
        return response

    def _not_modified(self) -> HttpResponse:
        response = HttpResponseNotModified()
        return self._stamp(response)


def data_tag() -> str:
    """The data version, the language and the day: what an anonymous page's content depends on besides its URL."""
    return f"v{data_version()}-{get_language()}-{timezone.localdate():%Y%m%d}"


def record_etag(version: int, tag: str | None) -> str:
    """A record's ETag: its own version (for If-Match) and, for anonymous reads, the data tag."""
    return f'"{version}.{tag}"' if tag else f'"{version}"'


def _client_tags(request) -> set[str]:
    """The data tags the client already holds (If-None-Match), with a record version part stripped."""
    header = request.headers.get("If-None-Match")
    if not header:
        return set()
    return {tag.removeprefix("W/").strip('"').split(".", 1)[-1] for tag in parse_etags(header)}


def _cache_get(key: str):
    return cache.get(key)  # None while the cache (Redis) is down: the page is computed


def _cache_set(key: str, response: HttpResponse) -> None:
    cache.set(key, (response.content, response["Content-Type"], response["ETag"]), CACHED_FOR)


def _from_cache(cached: tuple[bytes, str, str]) -> HttpResponse:
    content, content_type, etag = cached
    response = HttpResponse(content, content_type=content_type)
    response["ETag"] = etag  # a record's own tag (for If-Match) comes back with its page
    return response


# ---------------------------------------------------------------- whole HTML pages

_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_HOLE = rb"\g<1>__csrf__\g<2>"
_CSRF_FILLED = b'name="csrfmiddlewaretoken" value="__csrf__"'


def cached_anonymous_page(view):
    """The same for HTML pages: an anonymous GET is answered from the shared cache, keyed by the data tag and
    the full URL, or computed and kept there; a client holding the page gets a 304.

    What differs between anonymous readers is taken out: the CSRF token of the page's forms (the language
    switcher) is stored as a hole and filled per request with the reader's own; a request with messages to
    show (after signing out, say) is neither served from nor stored in the cache. Only 200s are kept, and the
    headers ask browsers to revalidate (private: the page holds the reader's token)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if (
            not settings.QOGAM_PAGE_CACHE
            or request.method not in ("GET", "HEAD")
            or request.user.is_authenticated
            or len(get_messages(request))
        ):
            return view(request, *args, **kwargs)
        tag = data_tag()
        if tag in _client_tags(request):
            return _stamp_page(HttpResponseNotModified(), tag)
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        key = f"page:{tag}:{digest}"
        cached = _cache_get(key)
        if cached is not None:
            content, content_type = cached
            filled = _CSRF_FILLED.replace(b"__csrf__", get_token(request).encode())
            return _stamp_page(HttpResponse(content.replace(_CSRF_FILLED, filled), content_type=content_type), tag)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            cache.set(key, (_CSRF_INPUT.sub(_CSRF_HOLE, response.content), response["Content-Type"]), CACHED_FOR)
        return _stamp_page(response, tag)

    return wrapped


def _stamp_page(response: HttpResponse, tag: str) -> HttpResponse:
    response["ETag"] = f'"{tag}"'
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
