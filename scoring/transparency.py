"""/transparency/: red flags by type, administrator, region and year, the flagged records, each flag's page,
and concentration; plus the flags shown on award, funder and organisation pages ("worth a look")."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from registry.csv_export import csv_response
from scoring.flags import CATALOGUE, RULES
from scoring.models import Concentration, Flag
from scoring.selectors import current_run

SUBJECTS = [("award", "award"), ("competition", "competition"), ("administrator", "administrator")]
SUBJECTS += [("organisation", "organisation")]
SORTS = {"amount": ("-amount", "id"), "year": ("-year", "id"), "code": ("code", "id")}


class FlagFilter(forms.Form):
    code = forms.ChoiceField(required=False, choices=[("", "all")] + [(r.code, r.name) for r in CATALOGUE])
    subject_type = forms.ChoiceField(required=False, choices=[("", "all"), *SUBJECTS])
    administrator = forms.CharField(required=False, max_length=80)
    region = forms.CharField(required=False, max_length=10)
    year = forms.IntegerField(required=False, min_value=1991, max_value=2100)
    organisation = forms.CharField(required=False, max_length=40, help_text="org-id")
    sort = forms.ChoiceField(required=False, choices=[("amount", "amount"), ("year", "year"), ("code", "type")])


def filtered_flags(run, data: dict):
    """The current run's flags narrowed by the filter form's cleaned data."""
    flags = Flag.objects.filter(run=run)
    for name in ("code", "subject_type", "administrator", "region", "year"):
        if data.get(name):
            flags = flags.filter(**{name: data[name]})
    if data.get("organisation"):
        flags = flags.filter(subject_type="organisation", subject_key=data["organisation"]) | flags.filter(
            organisation__in=_organisation_pks(data["organisation"])
        )
    return flags


def _organisation_pks(org_id: str) -> list[int]:
    from registry.selectors import organisation_by_org_id

    organisation = organisation_by_org_id(org_id)
    return [organisation.pk] if organisation else []


def record_url(record: dict) -> str | None:
    kind, key = record["type"], record["key"]
    if kind == "award":
        return reverse("funding:award_detail", args=[key])
    if kind == "organisation":
        return reverse("registry:organisation_detail", args=[key])
    if kind == "administrator":
        return reverse("funding:funder_detail", args=[key])
    return None


def subject_url(flag: Flag) -> str | None:
    return record_url({"type": flag.subject_type, "key": flag.subject_key})


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    run = current_run()
    form = FlagFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    context = {"form": form, "run": run, "rules": CATALOGUE}
    if run is None:
        return render(request, "scoring/transparency.html", context)
    flags = filtered_flags(run, data)
    by = {
        key: list(flags.values(key).annotate(n=Count("id"), money=Sum("amount")).order_by(*order)[:limit])
        for key, limit, order in (
            ("code", 20, ("-n", "code")),
            ("administrator", 15, ("-n", "administrator")),
            ("region", 25, ("-n", "region")),
            ("year", 40, ("-year",)),
        )
    }
    names = {rule.code: rule.name for rule in CATALOGUE}
    for row in by["code"]:
        row["label"] = names.get(row["code"], row["code"])
    page = Paginator(flags.order_by(*SORTS.get(data.get("sort") or "amount", SORTS["amount"])), 50).get_page(
        request.GET.get("page")
    )
    for flag in page:
        flag.rule = RULES[flag.code]
        flag.url = subject_url(flag)
    query = request.GET.copy()
    query.pop("page", None)
    context |= {
        "by": by,
        "top": {key: max((r["n"] for r in rows), default=0) for key, rows in by.items()},
        "page": page,
        "total": flags.count(),
        "query": query.urlencode(),
        "concentration": Concentration.objects.filter(run=run, by="administrator")
        .filter(
            year=data["year"]
            if data.get("year")
            else Concentration.objects.filter(run=run).order_by("-year").values("year")[:1]
        )
        .order_by("-hhi")[:15],
    }
    return render(request, "scoring/transparency.html", context)


@require_GET
def transparency_csv(request: HttpRequest) -> HttpResponse:
    run = current_run()
    form = FlagFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    flags = filtered_flags(run, data).order_by("code", "-year", "id") if run else Flag.objects.none()
    header = ["flag", "flag_name", "subject_type", "subject", "title", "year", "administrator", "region", "amount_kzt"]
    header += ["values", "records", "url"]
    base = request.build_absolute_uri("/").rstrip("/")

    def rows():
        import json

        for flag in flags.iterator(chunk_size=2000):
            url = subject_url(flag)
            yield [
                flag.code,
                RULES[flag.code].name,
                flag.subject_type,
                flag.subject_key,
                flag.title,
                flag.year,
                flag.administrator,
                flag.region,
                flag.amount,
                json.dumps(flag.values, ensure_ascii=False),
                "; ".join(f"{r['type']}:{r['key']}" for r in flag.records),
                base + url if url else "",
            ]

    return csv_response("qogam-flags", header, rows())


@require_GET
def flag_detail(request: HttpRequest, code: str, subject_type: str, subject_key: str) -> HttpResponse:
    """Every hit of one flag on one subject, with its rule, the numbers and the records: a stable URL."""
    rule = RULES.get(code)
    run = current_run()
    if rule is None or run is None:
        raise Http404
    flags = list(Flag.objects.filter(run=run, code=code, subject_type=subject_type, subject_key=subject_key))
    if not flags:
        raise Http404("This flag is not raised (any more) on this record.")
    for flag in flags:
        flag.record_links = [(r, record_url(r)) for r in flag.records]
    return render(
        request,
        "scoring/flag_detail.html",
        {"rule": rule, "flags": flags, "run": run, "subject_url": subject_url(flags[0]), "subject": flags[0]},
    )


def flags_for(subject_type: str, subject_key: str, organisation_id: int | None = None) -> list[Flag]:
    """The current run's flags on a record, for its page's "worth a look" box."""
    run = current_run()
    if run is None:
        return []
    flags = Flag.objects.filter(run=run, subject_type=subject_type, subject_key=subject_key)
    if organisation_id is not None:
        flags = flags | Flag.objects.filter(run=run, organisation_id=organisation_id)
    found = list(flags.order_by("code", "-year")[:30])
    for flag in found:
        flag.rule = RULES[flag.code]
    return found


def flags_on_records_of(administrator: str) -> int:
    run = current_run()
    if run is None:
        return 0
    return Flag.objects.filter(run=run, administrator=administrator).exclude(subject_type="administrator").count()
