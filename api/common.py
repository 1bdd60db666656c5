"""What every API v1 endpoint shares: cursor pages, JSON errors, throttling, If-Match, form-backed input."""

from __future__ import annotations

import decimal
import functools
import re
from urllib.parse import quote

import orjson
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import Choices
from django.db.models.query import ValuesIterable
from django.db.models.sql.constants import MULTI
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle

from api.statements import Pages, filtered_pages

NON_FIELD = "non_field_errors"


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

    if isinstance(exc, DjangoValidationError):
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
            # A cursor is opaque but not signed: one edited by hand, or taken from another list, names a
            # position of the wrong type. Either way it is the client's parameter that is wrong.
            raise exceptions.ValidationError({"cursor": [_("this cursor is not one this API gave out.")]}) from exc

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise exceptions.ValidationError(
                {"page_size": [_("a whole number from 1 to %(max)s.") % {"max": self.max_page_size}]}
            )
        return min(int(raw), self.max_page_size)

    def get_ordering(self, request, queryset, view):
        """The view's own order (`get_cursor_ordering()`, which may read the request's `sort`), else -id."""
        if hasattr(view, "get_cursor_ordering"):
            return tuple(view.get_cursor_ordering())
        return super().get_ordering(request, queryset, view)


# ---------------------------------------------------------------- throttling


class AnonymousThrottle(AnonRateThrottle):
    """Anonymous requests per address, counted in the cache (Redis when REDIS_URL is set). Rate from settings
    at request time, so a deployment tunes it with API_ANONYMOUS_RATE."""

    def get_rate(self):
        return settings.API_ANONYMOUS_RATE


# ---------------------------------------------------------------- conditional writes


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(request) -> int:
    """The version named by If-Match: required (428) and well-formed (400) for a conditional write."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
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
    """The form bound to JSON or form-encoded input; `initial` fills what a PATCH leaves out."""
    values = dict(initial or {})
    if hasattr(data, "lists"):
        for key, items in data.lists():
            values[key] = items if len(items) > 1 or key in _list_fields(form_class) else items[0]
    else:
        values.update(data)
    values = {key: ("" if value is None else value) for key, value in values.items()}
    return form_class(data=_Data(values), files=files, **kwargs)


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


class FastRows:
    """A list view that builds its rows with its own `rows(page, request)` instead of the DRF serializer.

    DRF's field machinery costs about 0.3 ms a row, which is most of a 50-row page; the serializer class
    stays as the schema's description, and a test checks `rows()` returns exactly what it would."""

    # Databases on which a filtered page's ids are chosen first and its rows read by id (a deferred join)
    # in the fast path: SQLite's planner otherwise sorts every matching row, whole, to keep a page of them.
    ids_first_on: tuple[str, ...] = ()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.rows(page, request))

    def get_queryset(self):
        """A clone of the view's `list_queryset()`, built once per class: resolving a values() list with
        joins costs about a third of a millisecond, the clone a few microseconds. The template is never
        evaluated, so it holds no rows and no connection."""
        cls = type(self)
        if "_list_template" not in cls.__dict__:
            template = self.list_queryset()
            if template._iterable_class is not ValuesIterable:
                raise TypeError(f"{cls.__name__}.list_queryset() must give values() rows")
            template._iterable_class = DriverValues
            cls._list_template = template
        return cls._list_template.all()

    def page_source(self, request):
        """What the fast path paginates: the filtered queryset, or, for a combination of pure filters, its
        compiled statements (api/statements.py), kept per process, so that the filter form is validated and
        the SQL built once per combination and page shape rather than on every page."""

        filtering = _filtered(self, request)

        def filtered():
            queryset = self.get_queryset()
            return self.filter_queryset(queryset) if filtering else queryset

        filterset = getattr(self, "filterset_class", None)
        if not hasattr(self, "list_queryset") or not hasattr(filterset, "pure_key"):
            return filtered()
        key = filterset.pure_key(request.GET)
        if key is None:
            return filtered()

        def pages():
            ids_first = filtering and connection.vendor in self.ids_first_on
            return Pages(filtered(), rows_from=self.get_queryset() if ids_first else None)

        return filtered_pages((type(self), key), pages)

    @classmethod
    def as_fast_view(cls):
        """The view for the URLconf: a plain GET that succeeds is answered here, with the view's own filters,
        cursor and `rows()` and the throttle, but without DRF's dispatch, content negotiation and renderer
        (together about half of a 50-row page). Anything else (another method, a token, an Accept header
        JSON does not satisfy, `?format=`, a bad parameter, a refused throttle) goes through the full DRF
        view, which answers it exactly as before; a GET changes nothing, so starting over is safe.

        The function keeps the DRF class in `cls`, so the OpenAPI schema is generated as before."""
        full = cls.as_view()

        def view(request, *args, **kwargs):
            if not _fast_eligible(request):
                return full(request, *args, **kwargs)
            self = cls(**full.view_initkwargs)
            self.setup(request, *args, **kwargs)  # as Django's own view function does (it also sets up HEAD)
            self.format_kwarg, self.headers = None, {}
            self.request = Request(request)
            self.request.user = request.user  # the session's user (middleware); tokens took the full path
            try:
                page = self.paginate_queryset(self.page_source(request))
                body = {
                    "next": self.paginator.get_next_link(),
                    "previous": self.paginator.get_previous_link(),
                    "results": self.rows(page, self.request),
                }
            except (exceptions.APIException, Http404, DjangoValidationError):
                return full(request, *args, **kwargs)
            if not all(throttle.allow_request(self.request, self) for throttle in self.get_throttles()):
                return full(request, *args, **kwargs)  # refused: the full view says so, with Retry-After
            response = HttpResponse(orjson.dumps(body, default=str), content_type="application/json")
            response["Allow"] = ", ".join(self.allowed_methods)
            return response

        view.cls, view.initkwargs = full.cls, full.initkwargs  # what schema generators look for
        view.view_class, view.view_initkwargs = full.view_class, full.view_initkwargs
        view.__doc__, view.__name__ = cls.__doc__, cls.__name__
        return csrf_exempt(view)


class DriverValues(ValuesIterable):
    """values() rows with each value as the database driver gives it, without Django's per-value converters
    (a third of a 50-row page's time on SQLite). `rows()` formats them: a date is a date on both databases
    (Django has SQLite's driver parse declared dates); an amount is a Decimal on PostgreSQL and an int or a
    float on SQLite, which `money()` formats as Django's converter would."""

    def __iter__(self):
        query = self.queryset.query
        compiler = query.get_compiler(self.queryset.db)
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        for chunk in compiler.execute_sql(MULTI, chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size):
            for row in chunk:
                yield dict(zip(names, row, strict=True))


_FIFTEEN_DIGITS = decimal.Context(prec=15).create_decimal_from_float


def money(value: decimal.Decimal | float | None) -> str | None:
    """An amount as the API gives it: a string with two decimals, never a float's rounding. SQLite keeps 15
    significant digits and hands back a float, read here to those digits, as Django's own converter does."""
    if value is None:
        return None
    if isinstance(value, float):
        value = _FIFTEEN_DIGITS(value)
    return f"{value:.2f}"


JSON_ACCEPTS = ("*/*", "application/json", "application/*")


def _filtered(view, request) -> bool:
    """False when the view's FilterSet has nothing to do: none of its parameters is given, so every filter
    is a no-op, and the cursor orders the page itself. Its form is then not even built."""
    filterset = getattr(view, "filterset_class", None)
    return filterset is None or any(name in request.GET for name in filterset.base_filters)


def _fast_eligible(request) -> bool:
    if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META or "format" in request.GET:
        return False
    accept = request.META.get("HTTP_ACCEPT", "")
    return not accept or any(kind in accept for kind in JSON_ACCEPTS)


class UrlPattern:
    """Absolute URLs for many objects of one route, from one reverse() per process (reverse costs ~60 µs).

    `keys` is how many arguments the route takes; the URL for given keys is the reversed template with
    each key put in its place."""

    def __init__(self, request, name: str, keys: int = 1):
        pieces, self.suffix = _route_pieces(name, keys, get_urlconf(), get_script_prefix())
        self.prefix = request.build_absolute_uri(pieces[0])
        self.between = pieces[1:]

    def __call__(self, first: str, *rest: str) -> str:
        if not self.between:  # most routes: one key
            return f"{self.prefix}{_url_key(first)}{self.suffix}"
        parts = [self.prefix, _url_key(first)]
        for between, key in zip(self.between, rest, strict=True):
            parts += (between, _url_key(key))
        parts.append(self.suffix)
        return "".join(parts)


def _url_key(key: str) -> str:
    # org-ids, public ids and codes are always safe: quoting them costs more than checking
    return key if _URL_SAFE.fullmatch(key) else quote(key, safe="")


@functools.lru_cache(maxsize=256)
def _route_pieces(name: str, keys: int, urlconf, script_prefix: str) -> tuple[list[str], str]:
    """The route reversed with markers for its arguments, cut at them: the text before each, and after the last.
    The URLconf and the script prefix are in the key, as they are what reverse() reads besides the name."""
    markers = [f"__key{i}__" for i in range(keys)]
    rest = reverse(name, args=markers, urlconf=urlconf)
    pieces = []
    for marker in markers:
        before, _marker, rest = rest.partition(marker)
        pieces.append(before)
    return pieces, rest


@functools.cache
def _choice_labels(choices: type[Choices], language: str | None) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def choice_labels(choices: type[Choices]) -> dict[str, str]:
    """{code: label} of a Choices class in the active language, worked out once per language."""
    return _choice_labels(choices, get_language())


def coded_table(labels: dict[str, str]) -> dict[str, dict[str, str]]:
    """{code: {"code": code, "label": label}}: the objects a page's rows share (serialised, never changed)."""
    return {code: {"code": code, "label": label} for code, label in labels.items()}


_URL_SAFE = re.compile(r"[A-Za-z0-9_.~-]*")
