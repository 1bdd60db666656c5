"""What every API v1 endpoint shares: cursor pages, JSON errors, throttling, If-Match, form-backed input."""

from __future__ import annotations

import functools
import logging
import re
from urllib.parse import quote

import django_filters
from django import forms
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import BadRequest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.throttling import AnonRateThrottle

NON_FIELD = "non_field_errors"
log = logging.getLogger("qogam")


# ---------------------------------------------------------------- numbers in query strings

# ASCII digits only: str.isdigit() is true for "²" and int() reads "١٢٣" (Arabic-Indic digits), so neither
# is a test of a number a person typed into a URL. No leading zeros, at most 10 digits: one way to write each
# number. The OpenAPI schema states the same patterns (api/schema.py), so what it admits is what we read.
WHOLE_PATTERN = r"0|[1-9][0-9]{0,9}"
AMOUNT_PATTERN = r"(0|[1-9][0-9]{0,15})(\.[0-9]{1,2})?"  # tenge, and tiyn after a point
_WHOLE = re.compile(WHOLE_PATTERN)
_AMOUNT = re.compile(AMOUNT_PATTERN)
YEAR_RANGE = (1991, 2100)  # registry.models.limits.YEARS (api/ imports no app)
# An ETag as the API gives it out (api.caching.record_etag), weak or strong: "<version>.<data tag>".
IF_MATCH_PATTERN = r'^(W/)?"?(0|[1-9][0-9]{0,9})(\.[^"]*)?"?$'
# A sector summary's segment (/api/v1/summaries/?segment=): all, or a dimension and one of its codes.
SEGMENT_PATTERN = r"^(all|(region|legal_form|field|size):[A-Za-z0-9_-]{1,40})$"
PAGE_SIZE_LIMIT = 1_000_000  # the largest page_size accepted (a page holds at most Cursor.max_page_size rows)


class ParameterError(BadRequest):
    """A query parameter that is not what it must be: a 400 naming it, as JSON in the API (exception_handler)
    and as a page elsewhere (api.errors.bad_request)."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name, self.message = name, message


def query_int(params, name: str, *, minimum: int = 0, maximum: int | None = None, message: str = "") -> int | None:
    """The parameter `name` as a whole number written in ASCII digits, None when absent or empty."""
    raw = params.get(name) or ""
    if not raw:
        return None
    value = int(raw) if _WHOLE.fullmatch(raw) else None
    if value is None or value < minimum or (maximum is not None and value > maximum):
        default = _("a whole number from %(min)s to %(max)s, in the digits 0-9.") % {
            "min": minimum,
            "max": maximum if maximum is not None else 10**10 - 1,
        }
        raise ParameterError(name, message or default)
    return value


def query_year(params, name: str = "year") -> int | None:
    return query_int(
        params, name, minimum=YEAR_RANGE[0], maximum=YEAR_RANGE[1], message=_("a year such as 2024 (1991 to 2100).")
    )


class AsciiIntegerField(forms.IntegerField):
    """A form's whole number in ASCII digits only (Django's IntegerField reads any script's digits)."""

    def to_python(self, value):
        if value not in self.empty_values and not _WHOLE.fullmatch(str(value)):
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class AsciiDecimalField(forms.DecimalField):
    """A form's amount of zero or more in ASCII digits, with at most two decimals."""

    def to_python(self, value):
        if value not in self.empty_values and not _AMOUNT.fullmatch(str(value)):
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class WholeNumberFilter(django_filters.NumberFilter):
    """django-filter's number, in ASCII digits and whole (a year, a count)."""

    field_class = AsciiIntegerField


class AmountFilter(django_filters.NumberFilter):
    """django-filter's number as an amount in ASCII digits."""

    field_class = AsciiDecimalField


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet reading an empty value as the parameter left out (`?region=`, a form's blank
    field), for every list: pages, downloads and the API alike."""

    def __init__(self, data=None, *args, **kwargs):
        if hasattr(data, "getlist"):
            data = data.copy()
            for key in list(data.keys()):
                values = [value for value in data.getlist(key) if value != ""]
                if values:
                    data.setlist(key, values)
                else:
                    del data[key]
        elif data is not None:
            data = {key: value for key, value in data.items() if value != ""}
        super().__init__(data, *args, **kwargs)


def filters_status(filterset) -> int:
    """A page's status for its filters: 400 when a parameter is not what it must be (the page still shows
    the form with each field's message), 200 otherwise."""
    return 400 if filterset.is_bound and not filterset.is_valid() else 200


# ---------------------------------------------------------------- errors


def error_body(detail: str, errors: dict[str, list[str]] | None = None) -> dict:
    """Every error: a plain `detail`, and `errors` naming each field with its messages."""
    return {"detail": detail, "errors": errors or {}}


def _messages(value) -> dict[str, list[str]]:
    if isinstance(value, dict):
        return {
            key: [str(m) for m in (item if isinstance(item, list) else [item])]
            for key, item in value.items()
            if not isinstance(item, dict)
        } | {
            f"{key}.{sub}": msgs
            for key, item in value.items()
            if isinstance(item, dict)
            for sub, msgs in _messages(item).items()
        }
    if isinstance(value, list):
        return {NON_FIELD: [str(m) for m in value]}
    return {NON_FIELD: [str(value)]}


def exception_handler(exc, context):
    """DRF's handler, with Django's ValidationError as a 400 and every body in the one error shape."""
    # Imported here: rest_framework.views reads the settings that name this module's throttle at import.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, ParameterError):
        exc = exceptions.ValidationError({exc.name: [exc.message]})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _messages(response.data)
        first = next(iter(errors.items()), (NON_FIELD, [_("invalid input.")]))
        label = "" if first[0] == NON_FIELD else f"{first[0]}: "
        response.data = error_body(f"{label}{first[1][0]}", errors)
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else str(response.data)
        response.data = error_body(str(detail))
    return response


def form_errors(form: forms.BaseForm) -> exceptions.ValidationError:
    """A Django form's errors as the API's 400: the same messages the pages show, on the same field names."""
    return exceptions.ValidationError(
        {
            (NON_FIELD if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in form.errors.items()
        }
    )


# ---------------------------------------------------------------- pages


class Cursor(CursorPagination):
    """Opaque cursors over a stable order: deep pages cost what the first does. A bad cursor is a 400."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (exceptions.NotFound, ValueError, TypeError, DjangoValidationError) as exc:
            # A cursor is opaque: it names a page, as a path names a record. One edited by hand, or taken from
            # another list, names no page of this list: a 404, as for any address that names nothing.
            raise exceptions.NotFound(_("no such page: this cursor is not one this list gave out.")) from exc

    def get_page_size(self, request):
        size = query_int(
            request.query_params,
            self.page_size_query_param,
            minimum=1,
            maximum=PAGE_SIZE_LIMIT,
            message=_("a whole number from 1 to %(max)s (more than %(max_rows)s gives %(max_rows)s).")
            % {"max": PAGE_SIZE_LIMIT, "max_rows": self.max_page_size},
        )
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_ordering(self, request, queryset, view):
        """The view's own order (`get_cursor_ordering()`, which may read the request's `sort`), else -id."""
        if hasattr(view, "get_cursor_ordering"):
            return tuple(view.get_cursor_ordering())
        return super().get_ordering(request, queryset, view)


# ---------------------------------------------------------------- throttling


def client_address(request) -> str:
    """The address of the person making the request, as far as it can be trusted.

    Behind TRUSTED_PROXIES reverse proxies (settings; 0 when the site faces the internet directly), the client
    is the address the outermost trusted proxy appended to X-Forwarded-For: the entry TRUSTED_PROXIES places
    from its end. Anything to its left was written by the client and proves nothing. Without trusted proxies
    the header is ignored. Used by the API throttle and by login protection alike."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if not proxies:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote  # fewer hops than the proxies we run: the request did not come through them
    return forwarded[-proxies]


# Where anonymous requests are counted while the shared cache (Redis) is unreachable: this process alone.
_LOCAL_COUNTS = LocMemCache("qogam-throttle-fallback", {})


class AnonymousThrottle(AnonRateThrottle):
    """Anonymous requests per address, counted in the shared cache (Redis when REDIS_URL is set), or in this
    process while that is down: the API keeps answering, a little more leniently. Rate from settings at
    request time, so a deployment tunes it with API_ANONYMOUS_RATE."""

    def __init__(self):
        self.cache = caches["counters"]  # raises while Redis is down, so counting moves here rather than stops
        super().__init__()

    def get_rate(self):
        return settings.API_ANONYMOUS_RATE

    def get_ident(self, request):
        return client_address(request)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # the shared cache is down
            log.warning("throttle counting in this process: the shared cache is unreachable")
            self.cache = _LOCAL_COUNTS
            return super().allow_request(request, view)


# ---------------------------------------------------------------- conditional writes


def expected_version(request) -> int:
    """The record version named by If-Match (the part of the ETag before any "."): required (428) and
    well-formed (400) for a conditional write."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired
    if not re.fullmatch(IF_MATCH_PATTERN, header):
        raise exceptions.ValidationError({"If-Match": [_("the ETag of the record, as the GET returned it.")]})
    value = header.removeprefix("W/").strip('"').split(".", 1)[0]
    if not _WHOLE.fullmatch(value):
        raise exceptions.ValidationError({"If-Match": [_("the ETag of the record, as the GET returned it.")]})
    return int(value)


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "send If-Match with the ETag of your last GET, so a change made since is not overwritten."
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "the record changed since your GET; fetch it again, then send your change with its new ETag."
    default_code = "precondition_failed"


# ---------------------------------------------------------------- form-backed input


def form_serializer(form_class: type[forms.BaseForm], name: str, *, exclude: tuple[str, ...] = ()):
    """A serializer that documents a Django form's fields (for the OpenAPI schema).

    Input is validated by the form itself, so the API and the pages share one set of rules and messages.
    """
    attrs = {key: _serializer_field(field) for key, field in form_class.base_fields.items() if key not in exclude}
    return type(name, (serializers.Serializer,), attrs)


def _serializer_field(field: forms.Field) -> serializers.Field:
    common = {"required": field.required, "help_text": str(field.help_text or field.label or "")}
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.CharField(), **common)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.CharField(allow_null=not field.required, **common)
    if isinstance(field, forms.NullBooleanField):
        return serializers.BooleanField(allow_null=True, **common)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(**common)
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(
            choices=[c for c in field.choices if c[0] != ""], allow_null=not field.required, **common
        )
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=field.max_digits or 18,
            decimal_places=field.decimal_places or 2,
            allow_null=not field.required,
            **common,
        )
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(allow_null=not field.required, **common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(allow_null=not field.required, **common)
    if isinstance(field, forms.FileField):
        return serializers.FileField(allow_null=True, **common)
    if isinstance(field, forms.EmailField):
        return serializers.EmailField(allow_blank=not field.required, **common)
    if isinstance(field, forms.URLField):
        return serializers.URLField(allow_blank=not field.required, **common)
    return serializers.CharField(allow_blank=not field.required, **common)


def bound_form(form_class, data, *, files=None, initial: dict | None = None, **kwargs):
    """The form bound to a JSON object (or form-encoded input); `initial` fills what a PATCH leaves out.

    Each value must be of its field's JSON type (a boolean for a yes/no, a number for a count, text for a
    date or a code, a list of codes for a list); the form then reads it as text, as from a browser. Anything
    else (a body that is not an object, a list where one value goes) is a 400 naming the field, never a crash
    inside the form. Fields the form does not have are ignored, as a form ignores them."""
    if hasattr(data, "lists"):
        list_fields = _list_fields(form_class)
        sent = {key: items if key in list_fields else items[-1] for key, items in data.lists()}
    elif isinstance(data, dict):
        sent = dict(data)
    else:
        raise exceptions.ValidationError({NON_FIELD: [_("the body must be a JSON object of fields.")]})
    problems: dict[str, list[str]] = {}
    values = {key: ("" if value is None else value) for key, value in (initial or {}).items()}
    for key, value in sent.items():
        field = form_class.base_fields.get(key)
        if field is None:
            continue
        if problem := _json_type_problem(field, value):
            problems[key] = [problem]
        elif isinstance(value, list):
            values[key] = [_as_text(item) for item in value]
        else:
            values[key] = _as_text(value)
    if problems:
        raise exceptions.ValidationError(problems)
    return form_class(data=_Data(values), files=files, **kwargs)


def _json_type_problem(field: forms.Field, value) -> str | None:
    """Why `value` is not of the JSON type the schema gives `field` (form_serializer), or None."""
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        return None if ok else str(_("a list of codes."))
    if value is None:
        return None
    if isinstance(value, list | dict):
        return str(_("one value, not a list or an object."))
    if isinstance(field, forms.BooleanField):  # NullBooleanField too
        return None if isinstance(value, bool) else str(_("true, false or null."))
    if isinstance(field, forms.DecimalField | forms.FloatField):  # before IntegerField, their base class
        # Text, as the API writes amounts (exact; a JSON number is a float to most clients).
        return None if isinstance(value, str) else str(_('an amount as text, such as "1000.50".'))
    if isinstance(field, forms.IntegerField):
        return None if isinstance(value, int) and not isinstance(value, bool) else str(_("a whole number or null."))
    return None if isinstance(value, str) else str(_("text or null."))


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _list_fields(form_class) -> set[str]:
    return {
        name
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
    }


class _Data(dict):
    """A dict the form widgets can read lists from (as from a QueryDict)."""

    def getlist(self, key, default=None):
        value = self.get(key, default if default is not None else [])
        return value if isinstance(value, list) else [value]


@csrf_exempt  # writes nothing; a CSRF refusal would answer an unknown path with an HTML 403
def not_found(request, *args, **kwargs):
    """Unknown /api/ paths answer in the API's error shape."""
    return JsonResponse(error_body(_("no such API endpoint; see /api/docs/.")), status=404)


# ---------------------------------------------------------------- many rows on one page


class PageUrls:
    """Absolute URLs of the records on one page: each route is reversed once per page and each row's key put
    in its place (a reverse() costs about as much as the rest of a row's serialisation). Serializers find it
    in their context as "urls" (CachedAnonymousReads and the list views put it there)."""

    MARKER = "__qogam_key__"

    def __init__(self, request):
        self.request = request
        self._templates: dict[str, list[str]] = {}

    def __call__(self, route: str, key: object) -> str:
        template = self._templates.get(route)
        if template is None:
            absolute = self.request.build_absolute_uri(reverse(route, args=[self.MARKER]))
            template = self._templates[route] = absolute.split(self.MARKER)
        return quote(str(key), safe="-_.~").join(template)


def page_urls(serializer) -> PageUrls:
    """The page's URL builder from a serializer's context (one made for the request when the view gave none)."""
    context = serializer.context
    if "urls" not in context:
        context["urls"] = PageUrls(context["request"])
    return context["urls"]


@functools.cache
def _labels(field, language: str | None) -> dict[str, str]:
    return {value: str(label) for value, label in field.flatchoices}


def choice_label(field, code: str) -> str:
    """A model field's choice label in the active language, from a table worked out once per field and
    language (get_FOO_display translates the label anew on every call)."""
    return _labels(field, get_language()).get(code, code)
