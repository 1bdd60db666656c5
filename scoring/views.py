"""The scores tab of a profile, the methodology page and the sector dashboard (with its CSV)."""

from __future__ import annotations

import math

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from registry.csv_export import csv_response
from registry.http import organisation_or_redirect
from scoring import indicators as ind
from scoring.selectors import dashboard, organisation_scores, segment_label
from scoring.tasks import queue_full_regeneration


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@require_GET
def organisation_scores_tab(request: HttpRequest, org_id: str) -> HttpResponse:
    organisation, moved = organisation_or_redirect(org_id, "scoring:organisation_scores")
    if moved:
        return moved
    scores = organisation_scores(organisation, _int(request.GET.get("year")))
    return render(
        request,
        "scoring/organisation_scores.html",
        {
            "organisation": organisation,
            "scores": scores,
            "dimensions": [
                (code, name, scores.dimensions.get(code), benchmark)
                for code, (name, _subs, benchmark) in ind.DIMENSIONS.items()
            ],
        },
    )


@require_GET
def methodology(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "scoring/methodology.html",
        {
            "csi": ind.CSI_INDICATORS,
            "own": ind.OWN_INDICATORS,
            "subdimensions": ind.SUBDIMENSIONS,
            "dimensions": ind.DIMENSIONS,
            "tiers": ind.TIERS,
            "version": ind.METHODOLOGY_VERSION,
            "history": ind.VERSION_HISTORY,
        },
    )


def diamond(values: dict[str, float | None], codes: list[str], size: int = 220) -> dict:
    """SVG points for a CSI diamond (radar) of the sub-dimensions: one axis each, 0 at the centre, 100 at
    the edge; unknown values drawn at 0 and listed as unknown in the table beside."""
    centre, radius = size / 2, size / 2 - 30
    axes, points = [], []
    for i, code in enumerate(codes):
        angle = -math.pi / 2 + 2 * math.pi * i / len(codes)
        dx, dy = math.cos(angle), math.sin(angle)
        value = values.get(code) or 0
        axes.append(
            {
                "code": code,
                "x": round(centre + radius * dx, 1),
                "y": round(centre + radius * dy, 1),
                "lx": round(centre + (radius + 16) * dx, 1),
                "ly": round(centre + (radius + 16) * dy, 1),
            }
        )
        points.append(f"{centre + radius * value / 100 * dx:.1f},{centre + radius * value / 100 * dy:.1f}")
    rings = [
        " ".join(
            f"{centre + radius * r * math.cos(-math.pi / 2 + 2 * math.pi * i / len(codes)):.1f},"
            f"{centre + radius * r * math.sin(-math.pi / 2 + 2 * math.pi * i / len(codes)):.1f}"
            for i in range(len(codes))
        )
        for r in (0.25, 0.5, 0.75, 1)
    ]
    return {"size": size, "axes": axes, "points": " ".join(points), "rings": rings}


@require_http_methods(["GET", "POST"])
def sector(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.user.has_perm("registry.moderate"):
            raise PermissionDenied
        problem = queue_full_regeneration()
        if problem:
            messages.error(
                request,
                _("The regeneration could not be queued (%(problem)s); the figures below stay as they are.")
                % {"problem": problem},
            )
        else:
            messages.success(request, _("Regeneration queued; the new figures replace these in one go."))
        return redirect("scoring:sector")
    board = dashboard(_int(request.GET.get("year")), request.GET.get("segment", "all"))
    diamonds = []
    if board.summary and board.summary.data.get("subdimensions"):
        for code, (name, subs, benchmark) in ind.DIMENSIONS.items():
            diamonds.append(
                {
                    "code": code,
                    "name": name,
                    "value": board.summary.data["dimensions"][code],
                    "benchmark": benchmark,
                    "svg": diamond(board.summary.data["subdimensions"], subs),
                    "rows": [(s, ind.SUBDIMENSIONS[s][0], board.summary.data["subdimensions"][s]) for s in subs],
                }
            )
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
    from funding.models import Mechanism

    return [(value, str(label)) for value, label in Mechanism.choices]


@require_GET
def sector_csv(request: HttpRequest) -> HttpResponse:
    """Every summary of the current run: one row per year and segment, indicators in CSI order."""
    board = dashboard(None, "all")
    header = ["year", "segment", "segment_label", "n_organisations", "suppressed", "registered", "active"]
    header += ["reporting_on_time", *ind.CSI_BY_CODE, *[f"n_{c}" for c in ind.CSI_BY_CODE]]
    header += [f"sub_{c}" for c in ind.SUBDIMENSIONS] + [f"dim_{c}" for c in ind.DIMENSIONS]
    header += [f"{c}_median" for c in ind.OWN_BY_CODE]

    def rows():
        if board.run is None:
            return
        for s in board.run.summaries.order_by("year", "segment").iterator(chunk_size=500):
            d = s.data
            indicators = d["indicators"] or {}
            own = d["own"] or {}
            yield [
                s.year,
                s.segment,
                segment_label(s.segment),
                s.n_organisations,
                "yes" if s.suppressed else "no",
                d["registered"],
                d["active"],
                d["reporting_on_time"],
                *[(indicators.get(c) or {}).get("value") for c in ind.CSI_BY_CODE],
                *[(indicators.get(c) or {}).get("n") for c in ind.CSI_BY_CODE],
                *[(d["subdimensions"] or {}).get(c) for c in ind.SUBDIMENSIONS],
                *[(d["dimensions"] or {}).get(c) for c in ind.DIMENSIONS],
                *[(own.get(c) or {}).get("median") for c in ind.OWN_BY_CODE],
            ]

    return csv_response("qogam-sector-summaries", header, rows())
