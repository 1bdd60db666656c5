"""Scoring's pages: the scores tab of a profile, the methodology, the sector dashboard, /transparency/ and
each flag's page, and concerns (filing one; the moderators' queue). Thin: selectors and services do."""

from __future__ import annotations

import math
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from api.caching import cached_anonymous_page
from api.common import filters_status, query_int, query_year
from api.queue import MSG_QUEUE_DOWN
from funding.models import Administrator, Mechanism
from registry.http import confirm_email_first, form_add_errors, moderators_only, organisation_or_redirect
from registry.selectors import email_verified
from scoring import indicators as ind
from scoring.flags import CATALOGUE, RULES, SUBJECT_LABELS, flag_figures
from scoring.flags.catalogue import MIN_RECIPIENTS_FOR_CONCENTRATION
from scoring.flags.figures import flags_titled
from scoring.forms import ConcernForm, TriageForm
from scoring.models import Concern
from scoring.records import record_url
from scoring.selectors import (
    FLAG_SORTS,
    flag_hits,
    flags_filtered,
    organisation_scores_get,
    sector_dashboard,
    segment_label,
    summary_run_current,
    transparency_overview,
    used_label,
)
from scoring.selectors import concern_queue as concern_queue_select
from scoring.services import concern_file, concerns_conflicted, summaries_refresh_if_stale
from scoring.services import concern_triage as concern_triage_apply
from scoring.tasks import summaries_regenerate_queue


def fresh_summaries(view):
    """Scores and summaries brought up to date before the page reads them, where no worker does it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        summaries_refresh_if_stale()
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@fresh_summaries
@cached_anonymous_page
def organisation_scores_tab(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, moved = organisation_or_redirect(org_id, "scoring:organisation_scores")
    if moved:
        return moved
    scores = organisation_scores_get(organisation=organisation, year=query_year(request.GET))
    return render(
        request,
        "scoring/organisation_scores.html",
        {
            "organisation": organisation,
            "scores": scores,
            "dimensions": [(b, scores.dimensions.get(b.code)) for b in ind.dimension_benchmarks()],
        },
    )


@require_GET
@cached_anonymous_page
def methodology(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "scoring/methodology.html",
        {
            # each indicator with the labels of the report's questions it reads: labels, never field names
            "csi": [(i, [used_label(name) for name in i.inputs]) for i in ind.CSI_INDICATORS],
            "own": ind.OWN_INDICATORS,
            "subdimensions": ind.SUBDIMENSIONS,
            "benchmarks": ind.dimension_benchmarks(),
            # the report's title as published, in English only: marked so (lang="en")
            "csi_source": format_html('<cite lang="en">{}</cite>', ind.CSI_SOURCE),
            "tiers": ind.TIERS,
            "version": ind.METHODOLOGY_VERSION,
            "history": ind.VERSION_HISTORY,
        },
    )


def _wrapped(text: str, width: int = 16) -> list[str]:
    """A label in lines of about `width` characters, broken between words (a long word keeps its line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def diamond(
    values: dict[str, float | None], codes: list[str], names: dict[str, str] | None = None, size: int = 340
) -> dict:
    """SVG geometry for a CSI diamond (radar) of the sub-dimensions: one axis each, 0 at the centre, 100 at
    the edge; unknown values drawn at 0 and listed as unknown in the table beside. Each axis is labelled by
    its code and short name, wrapped in lines (`lines`, each with its dy) and anchored away from the centre,
    so the labels fit inside the drawing; every size is an attribute (no inline style: the CSP forbids it), and
    every coordinate a string with a decimal point (a float would be localized, "12,5" in kk and ru).
    The drawing is `size` high and 100 wider, for the labels at the sides (its viewBox); the page scales it
    down on narrow screens."""
    names = names or {}
    width = size + 100
    middle, centre, radius = width / 2, size / 2, size / 2 - 75
    axes, points = [], []
    for i, code in enumerate(codes):
        angle = -math.pi / 2 + 2 * math.pi * i / len(codes)
        dx, dy = math.cos(angle), math.sin(angle)
        value = values.get(code) or 0
        lines = [code, *_wrapped(str(names.get(code, "")), 14)]
        anchor = "middle" if abs(dx) < 0.3 else ("start" if dx > 0 else "end")
        label_y = centre + (radius + 14) * dy
        if dy < -0.3:  # above the chart: the block of lines ends at the axis' tip
            label_y -= 13 * (len(lines) - 1)
        elif abs(dy) <= 0.3:  # beside it: centred on the axis
            label_y -= 13 * (len(lines) - 1) / 2
        else:  # below it: the first line clears the axis' tip
            label_y += 8
        axes.append(
            {
                "code": code,
                "x": f"{middle + radius * dx:.1f}",
                "y": f"{centre + radius * dy:.1f}",
                "lx": f"{middle + (radius + 10) * dx:.1f}",
                "ly": f"{label_y:.1f}",
                "anchor": anchor,
                "lines": [(line, 0 if n == 0 else 13) for n, line in enumerate(lines)],
            }
        )
        points.append(f"{middle + radius * value / 100 * dx:.1f},{centre + radius * value / 100 * dy:.1f}")
    rings = [
        " ".join(
            f"{middle + radius * r * math.cos(-math.pi / 2 + 2 * math.pi * i / len(codes)):.1f},"
            f"{centre + radius * r * math.sin(-math.pi / 2 + 2 * math.pi * i / len(codes)):.1f}"
            for i in range(len(codes))
        )
        for r in (0.25, 0.5, 0.75, 1)
    ]
    return {"width": width, "height": size, "axes": axes, "points": " ".join(points), "rings": rings}


@require_http_methods(["GET", "POST"])
@fresh_summaries
@cached_anonymous_page
def sector(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.user.has_perm("registry.moderate"):
            raise PermissionDenied
        if summaries_regenerate_queue():
            messages.success(request, _("Regeneration queued; the new figures replace these in one go."))
        else:
            messages.error(request, MSG_QUEUE_DOWN)
        return redirect("scoring:sector")
    board = sector_dashboard(year=query_year(request.GET), segment=request.GET.get("segment", "all"))
    diamonds = []
    if board.summary and board.summary.data.get("subdimensions"):
        ours = board.summary.data["subdimensions"]
        for b in ind.dimension_benchmarks():
            diamonds.append(
                {
                    "benchmark": b,
                    "value": board.summary.data["dimensions"][b.code],
                    "svg": diamond(
                        ours,
                        [code for code, _name, _value in b.subdimensions],
                        {code: str(name) for code, name, _value in b.subdimensions},
                    ),
                    "rows": [(code, name, ours[code], then) for code, name, then in b.subdimensions],
                }
            )
    for row in board.comparison:  # labels, never keys: "Almaty city", not "region:KZ-ALA"
        row.label = segment_label(row.segment)
    return render(
        request,
        "scoring/sector.html",
        {
            "board": board,
            "diamonds": diamonds,
            "segment_label": segment_label(board.segment),
            "csi": ind.CSI_INDICATORS,
            "own": ind.OWN_INDICATORS,
            "mechanisms": _mechanisms(),
        },
    )


def _mechanisms() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Mechanism.choices]


# ---------------------------------------------------------------- red flags


@require_GET
@cached_anonymous_page
def transparency(request: HttpRequest) -> HttpResponse:
    """Red flags by type, administrator, region and year, the flagged records, concentration and the rules."""
    run = summary_run_current()
    filterset = flags_filtered(data=request.GET, run=run)
    # The administrator choices, read once: the select reads a callable's choices again for its required attribute.
    widget = filterset.form.fields["administrator"].widget
    widget.choices = list(widget.choices)
    context = {"form": filterset.form, "run": run, "rules": _rules_with_subjects()}
    status = filters_status(filterset)
    page_number = query_int(request.GET, "page", minimum=1)
    if run is None:
        return render(request, "scoring/transparency.html", context, status=status)
    flags = filterset.qs
    year = filterset.form.cleaned_data.get("year") if filterset.is_valid() else None
    filters = dict(filterset.form.cleaned_data) if filterset.is_valid() else None
    overview = transparency_overview(flags=flags, year=int(year) if year else None, filters=filters, run=run)
    sort = request.GET.get("sort", "amount")
    paginator = Paginator(flags.order_by(*FLAG_SORTS.get(sort, FLAG_SORTS["amount"])), 50)
    paginator.count = overview.total  # counted with the flags by type already
    page = paginator.get_page(page_number)
    page.object_list = list(page.object_list)
    administrators = dict(overview.administrators)  # read for the breakdowns: only the others are looked up
    missing = {flag.administrator for flag in page.object_list if flag.administrator} - administrators.keys()
    if missing:
        administrators |= Administrator.objects.in_bulk(missing, field_name="code")
    for flag in flags_titled(page.object_list, administrators):  # titles in the reader's language, names for codes
        flag.subject_label = SUBJECT_LABELS.get(flag.subject_type, flag.subject_type)
        flag.administrator_record = administrators.get(flag.administrator)
    query = request.GET.copy()
    query.pop("page", None)
    context |= {
        "by": overview.by,
        "top": overview.top,
        "page": page,
        "total": overview.total,
        "query": query.urlencode(),
        "concentration": overview.concentration,
        "min_recipients": MIN_RECIPIENTS_FOR_CONCENTRATION,
    }
    return render(request, "scoring/transparency.html", context, status=status)


@require_GET
@cached_anonymous_page
def flag_detail(request: HttpRequest, code: str, subject_type: str, subject_key: str) -> HttpResponse:
    """Every hit of one flag on one subject, with its rule, the numbers and the records: a stable URL."""
    flags = flag_hits(code=code, subject_type=subject_type, subject_key=subject_key)
    if not flags:
        raise Http404(_("This flag is not raised (any more) on this record."))
    administrator = Administrator.objects.filter(code=subject_key).first() if subject_type == "administrator" else None
    flags_titled(flags, {subject_key: administrator} if administrator else None)
    return render(
        request,
        "scoring/flag_detail.html",
        {
            "rule": RULES[code],
            "hits": [
                (
                    flag,
                    flag_figures(flag.code, flag.values),
                    [(SUBJECT_LABELS.get(r["type"], r["type"]), r, url) for r, url in flag.record_links],
                )
                for flag in flags
            ],
            "run": summary_run_current(),
            "subject_url": record_url(subject_type, subject_key),
            "subject": flags[0],
            "subject_label": SUBJECT_LABELS.get(subject_type, subject_type),
            "subject_name": administrator.name if administrator else "",  # a name, not the administrator's code
        },
    )


def _rules_with_subjects() -> list[tuple]:
    """Each rule with the label of what it looks at (the rules table of /transparency/)."""
    return [(rule, SUBJECT_LABELS[rule.subject]) for rule in CATALOGUE]


# ---------------------------------------------------------------- concerns


@login_required
@require_http_methods(["GET", "POST"])
def concern_new(request: HttpRequest, subject_type: str, subject_key: str) -> HttpResponse:
    page = record_url(subject_type, subject_key, check=True)
    if page is None:
        raise Http404(_("No such record."))
    if not email_verified(request.user):  # reporting needs a confirmed address, whoever asks
        return confirm_email_first(request)
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern_file(
                subject_type=subject_type, subject_key=subject_key, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Thank you. Moderators will look at it; its status shows on this page."))
            return redirect(page)
    return render(
        request,
        "scoring/concern_form.html",
        {"form": form, "page": page, "subject_type": subject_type, "key": subject_key},
    )


@require_GET
def concern_queue(request: HttpRequest) -> HttpResponse:
    moderators_only(request)
    queue = concern_queue_select()
    conflicted = concerns_conflicted(moderator=request.user, concerns=[c for c, _page in queue.waiting])
    waiting = [(concern, page, concern.pk not in conflicted) for concern, page in queue.waiting]
    return render(
        request,
        "scoring/concern_queue.html",
        {"waiting": waiting, "decided": queue.decided, "form": TriageForm()},
    )


@require_POST
def concern_triage(request: HttpRequest, pk: int) -> HttpResponse:
    moderators_only(request)
    concern = get_object_or_404(Concern, pk=pk)
    form = TriageForm(request.POST, instance=concern)
    if form.is_valid():
        try:
            concern_triage_apply(concern=concern, moderator=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    return redirect("scoring:concern_queue")
