#!/usr/bin/env python
"""Benchmark harness. Not part of `make test`.

`make bench` (this script without --in-process) times whole pages over HTTP beside datasette: bench/http_pages.py
(issue 18; BENCH_ARGS="--scales 1" for a quick run, "--write-docs" to rewrite its section of docs/benchmarks.md).

With --in-process (BENCH_ARGS="--in-process --scales 1 --repeat 5" for a quick one): server time of the busiest
pages at 1x and 10x scale, as ratios to a floor measured in the same run (issues 2 and 3).

For each scale it builds (or reuses) a database filled by seed_demo, then for every case it times, with
Django's test client in-process (server time, no network):
  page    the real request, median of --repeat runs after warm-up;
  floor   a minimal Django view through the same middleware, plus the very SQL the page ran, executed raw
          through a cursor with rows fetched (what any implementation must at least pay);
and prints page / floor. Deep pages are also reported against the first page of the same list.
SQLite by default (files under bench/out/); with DATABASE_URL set to PostgreSQL it creates one database per
scale on that server.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import orjson

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BASE_ORGS = 22_300


def database_url(scale: int, server: str | None = None) -> str:
    """The database of one scale: `qogam_bench_{scale}x` on the PostgreSQL server of `server` (by default
    DATABASE_URL) when that is a postgres:// URL, else a SQLite file under bench/out/."""
    server = server or os.environ.get("DATABASE_URL")
    if server and server.startswith("postgres"):
        parts = urlsplit(server)
        return urlunsplit(parts._replace(path=f"/qogam_bench_{scale}x"))
    return f"sqlite:///{OUT / f'bench-{scale}x.sqlite3'}"


def ensure_postgres_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        name = parts.path.lstrip("/")
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


# ------------------------------------------------------------------ the child: one scale, one database


def median_seconds(fn, repeat: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def measure_scale(scale: int, repeat: int, only: str = "") -> dict:
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from funding.models import Award
    from registry.models import Organisation

    call_command("migrate", verbosity=0)
    wanted = BASE_ORGS * scale
    have = Organisation.objects.count()
    seed_seconds = None
    if have != wanted:
        if have:
            raise SystemExit(f"{connection.settings_dict['NAME']} holds {have} organisations, not {wanted}; delete it")
        started = time.perf_counter()
        call_command("seed_demo", orgs=wanted, verbosity=0)
        seed_seconds = time.perf_counter() - started

    awards = Award.objects.count()
    if not awards:
        raise SystemExit(
            f"{connection.settings_dict['NAME']} has no funding data (made before funding existed); delete it"
        )
    client = Client()
    pages = max(1, wanted // 25)
    filtered = "region=KZ-75&legal_form=public_association"
    filtered_count = Organisation.objects.filter(
        region="KZ-75", legal_form="public_association", merged_into__isnull=True
    ).count()
    cases = {
        "directory, first page": "/organisations/",
        "directory, deep page": f"/organisations/?page={int(pages * 0.9)}",
        "directory filtered, first page": f"/organisations/?{filtered}",
        "directory filtered, deep page": f"/organisations/?{filtered}&page={max(1, int(filtered_count / 25 * 0.9))}",
        "search 'жастар' (common word)": "/organisations/?q=жастар",
        "search 'қамқор жолы' (two words)": "/organisations/?q=қамқор+жолы",
        "search by BIN prefix": "/organisations/?q=1005400",
        "home page (figures recounted)": "/",
        "funding explorer, everything": "/funding/",
        "funding explorer, social order in one region": "/funding/?mechanism=social_order&region=KZ-55",
        "funding explorer, an akimat's family since 2017": "/funding/?administrator=akimat-kz-75&year_from=2017",
        "funding explorer, active during 2024": "/funding/?active_from=2024-01-01&active_to=2024-12-31",
        "funding explorer, deep page": f"/funding/?page={max(1, int(awards / 25 * 0.9))}",
    }
    api_lists = _api_cases(filtered)
    cases.update(api_lists)
    if only:
        cases = {name: url for name, url in cases.items() if name.startswith(only)}
    # Timed as a first request (the shared cache emptied before each run): the home page's figures, cached for
    # five minutes in use, recounted; and every API page "cold", computed rather than read from the cache.
    uncached = {"home page (figures recounted)": cache.clear}
    uncached |= {name: cache.clear for name in cases if name.startswith("API") and name.endswith("(cold)")}
    conditional = {name: url for name, url in cases.items() if name.endswith("(304)")}
    minimal = median_seconds(lambda: client.get("/bench/minimal/"), repeat)
    results = {
        "scale": scale,
        "organisations": wanted,
        "seed_seconds": seed_seconds,
        "vendor": connection.vendor,
        "minimal_view_ms": minimal * 1000,
        "cases": {},
    }
    for name, url in cases.items():
        headers = {}
        if name in conditional:  # the client holds the page already: it sends the ETag it was given
            headers["HTTP_IF_NONE_MATCH"] = client.get(url)["ETag"]

        def get(url=url, clear=uncached.get(name), headers=headers):  # noqa: B008 - bound per case
            if clear:
                clear()
            return client.get(url, **headers)

        response = get()
        assert response.status_code == (304 if name in conditional else 200), (url, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            get()
        statements = [q["sql"] for q in captured.captured_queries]

        def raw(statements=statements, as_json=url.startswith("/api/")):  # noqa: B008 - bound per case
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    rows = cursor.fetchall()
                    if as_json:  # the API's floor: the same rows, serialised by the fastest JSON library
                        orjson.dumps(rows, default=str)

        page = median_seconds(get, repeat)
        sql = median_seconds(raw, repeat)
        floor = minimal + sql
        results["cases"][name] = {
            "url": url,
            "page_ms": page * 1000,
            "raw_sql_ms": sql * 1000,
            "floor_ms": floor * 1000,
            "ratio": page / floor,
            "queries": len(statements),
        }
    lists = {"directory": "", "directory filtered": ""}
    lists |= {name.rsplit(",", 1)[0]: " (cold)" for name in api_lists}
    for list_name, suffix in lists.items():
        if f"{list_name}, deep page{suffix}" not in results["cases"]:
            continue
        first = results["cases"][f"{list_name}, first page{suffix}"]["page_ms"]
        deep = results["cases"][f"{list_name}, deep page{suffix}"]["page_ms"]
        results["cases"][f"{list_name}, deep page{suffix}"]["deep_vs_first"] = deep / first
    if not only:
        results["exports"] = measure_exports(scale)
        results["summaries"] = measure_summaries(repeat=3)
    return results


def measure_summaries(repeat: int) -> dict:
    """Full regeneration (a process of its own, for its peak memory) against plain SQL GROUP BYs over the
    same reports and awards; then the incremental refresh after one changed report and one award."""
    import re

    from django.contrib.auth import get_user_model
    from django.db import connection

    from funding.models import Award
    from funding.services import award_amend
    from registry.models import YearlyReport
    from registry.services import report_submit
    from scoring.services import summaries_refresh

    env = {**os.environ}
    fulls, peaks, flags = [], [], []
    connection.close()
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "manage.py", "regenerate_summaries"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        seconds, peak = re.search(r"in ([0-9.]+) s \(peak memory ([0-9]+) MB", done.stdout).groups()
        fulls.append(float(seconds))
        peaks.append(int(peak))
        flags.append(float(re.search(r"flags ([0-9.]+) s", done.stdout).group(1)))
    statements = summary_floor_statements()

    def floor():
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    sql_seconds = median_seconds(floor, repeat, warmup=1)
    clerk, _created = get_user_model().objects.get_or_create(username="bench-clerk", defaults={"is_superuser": True})
    report = YearlyReport.objects.select_related("organisation").order_by("id").first()
    report_submit(  # through the service, which announces it: outside a transaction, at once
        organisation=report.organisation,
        year=report.year,
        acting_user=clerk,
        values={"paid_staff": (report.paid_staff or 0) + 1},
        source="moderator",
    )
    started = time.perf_counter()
    summaries_refresh()
    after_report = time.perf_counter() - started
    award = Award.objects.order_by("id").first()
    award_amend(
        award=award,
        field_name="title",
        new_value=award.title + " (amended)",
        reason="bench",
        amended_on=award.awarded_on,
        acting_user=clerk,
    )
    started = time.perf_counter()
    summaries_refresh()
    after_award = time.perf_counter() - started
    full = statistics.median(fulls)
    without_flags = statistics.median(f - g for f, g in zip(fulls, flags, strict=True))
    return {
        "full_seconds": full,
        "flags_seconds": statistics.median(flags),
        "peak_mb": max(peaks),
        "sql_seconds": sql_seconds,
        "ratio": without_flags / sql_seconds,
        "ratio_with_flags": full / sql_seconds,
        "incremental_report_seconds": after_report,
        "incremental_award_seconds": after_award,
        "incremental_share": max(after_report, after_award) / full,
    }


def summary_floor_statements() -> list[tuple[str, tuple]]:
    """Every aggregate a full run stores, each computed by one plain GROUP BY straight from the records (no
    score table, no Python): per year and segment kind the counts and CSI answers, the value histograms the
    quartiles are read from, registered and active organisations, and funding by mechanism. The per-report
    values are the scoring rules' own SQL expressions (scoring/sql.py), so the floor computes the same
    figures; returned as SQL to run raw."""
    import datetime

    from django.db.models import Count, F, Q, Sum, Value
    from django.utils import timezone

    from funding.models import Award
    from funding.selectors import Year
    from registry.models import Organisation
    from scoring import indicators as ind
    from scoring.services import OWN_COLUMNS, _reports
    from scoring.sql import scored

    rows = scored(_reports(), timezone.localdate())
    keys = {
        "all": Value("all"),
        "region": F("s_region"),
        "legal_form": F("s_legal_form"),
        "size": F("s_size"),
        "field": F("organisation__fields"),
    }
    counts = {
        "n": Count("id"),
        "on_time": Count("id", filter=Q(s_on_time=True)),
        "active": Count("id", filter=Q(organisation__status=Organisation.Status.ACTIVE)),
    }
    for i in ind.CSI_INDICATORS:
        counts[f"{i.column}_pos"] = Count("id", filter=Q(**{f"s_{i.column}": 100}))
        counts[f"{i.column}_n"] = Count(f"s_{i.column}")
    querysets = []
    for key in keys.values():
        querysets.append(rows.values("year", key=key).annotate(**counts).order_by())
        for column in OWN_COLUMNS.values():
            querysets.append(
                rows.exclude(**{f"s_{column}__isnull": True})
                .values("year", key=key, value=F(f"s_{column}"))
                .annotate(count=Count("id"))
                .order_by("year", "key", "value")
            )
    registered = {}
    for year in sorted(set(_reports().values_list("year", flat=True))):
        by_then = Q(registered_on__isnull=True) | Q(registered_on__lte=datetime.date(year, 12, 31))
        registered[f"r{year}"] = Count("id", filter=by_then)
        registered[f"a{year}"] = Count("id", filter=by_then & Q(status=Organisation.Status.ACTIVE))
    organisations = Organisation.objects.filter(merged_into__isnull=True)
    awards = Award.objects.annotate(award_year=Year("awarded_on"))
    for key in ("region", "legal_form", "fields"):
        querysets.append(organisations.values(key=F(key)).annotate(**registered).order_by())
        querysets.append(
            awards.values("award_year", "mechanism", key=F(f"recipient__{key}"))
            .annotate(amount=Sum("amount"), awards=Count("id"))
            .order_by()
        )
    querysets.append(organisations.values(key=Value("all")).annotate(**registered).order_by())
    querysets.append(awards.values("award_year", "mechanism").annotate(amount=Sum("amount"), n=Count("id")).order_by())
    return [qs.query.sql_with_params() for qs in querysets]


def _cursor(position) -> str:
    """A DRF cursor at `position` of the list's first ordering field (what `next` links carry)."""
    import base64
    from urllib.parse import quote, urlencode

    return quote(base64.b64encode(urlencode({"p": str(position)}).encode()).decode())


def _api_cases(filtered: str) -> dict[str, str]:
    """API lists, first pages and pages 90% of the way down (by a cursor such as `next` links carry)."""
    from funding.models import Award
    from registry.models import Organisation

    def deep_id(queryset) -> int:
        ids = queryset.order_by("-id").values_list("id", flat=True)
        return ids[int(queryset.count() * 0.9)]

    organisations = Organisation.objects.filter(merged_into__isnull=True)
    in_region = organisations.filter(region="KZ-75", legal_form="public_association")
    dates = Award.objects.order_by("-awarded_on", "-id").values_list("awarded_on", flat=True)
    deep_date = dates[int(Award.objects.count() * 0.9)]
    social = "mechanism=social_order&region=KZ-55"
    social_dates = Award.objects.filter(mechanism="social_order", region="KZ-55").order_by("-awarded_on")
    deep_social = social_dates.values_list("awarded_on", flat=True)[int(social_dates.count() * 0.9)]
    pages = {
        "API organisations, first page": "/api/v1/organisations/",
        "API organisations, deep page": f"/api/v1/organisations/?cursor={_cursor(deep_id(organisations))}",
        "API organisations filtered, first page": f"/api/v1/organisations/?{filtered}",
        "API organisations filtered, deep page": (
            f"/api/v1/organisations/?{filtered}&cursor={_cursor(deep_id(in_region))}"
        ),
        "API awards, first page": "/api/v1/awards/",
        "API awards, deep page": f"/api/v1/awards/?cursor={_cursor(deep_date)}",
        "API awards filtered, first page": f"/api/v1/awards/?{social}",
        "API awards filtered, deep page": f"/api/v1/awards/?{social}&cursor={_cursor(deep_social)}",
        "API flags, first page": "/api/v1/flags/",
    }
    # Each page as the first request after a data change finds it (cold: computed), as repeated requests find
    # it (warm: from the shared cache), and as a client that holds it already asks for it (304).
    cases = {f"{name} (cold)": url for name, url in pages.items()}
    cases |= {f"{name} (warm)": url for name, url in pages.items()}
    cases |= {f"{name} (304)": url for name, url in pages.items() if "first page" in name}
    return cases


def measure_exports(scale: int) -> dict:
    """Each full download in a process of its own: time, size and the process's peak memory."""
    from django.db import connection

    target = OUT / f"exports-{scale}x"
    env = {**os.environ, "EXPORTS_ROOT": str(target)}
    results = {}
    connection.close()
    for code in ("organisations", "reports", "awards", "360giving", "ocds"):
        done = subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "manage.py", "regenerate_exports", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        line = done.stdout.strip().splitlines()[-1]
        # "<file>: <n> records, <mb> MB in <s> s (peak memory of this process so far <peak> MB)"
        words = line.replace(",", "").replace("(", "").split()
        results[code] = {
            "records": int(words[1]),
            "mb": float(words[3]),
            "seconds": float(words[6]),
            "peak_mb": float(words[-2]),
        }
    return results


# ------------------------------------------------------------------ the parent: every scale, one report


def report(all_results: list[dict]) -> str:
    lines = []
    for res in all_results:
        seed = f", seed_demo {res['seed_seconds']:.1f} s" if res["seed_seconds"] else ""
        lines.append(
            f"\n### {res['scale']}x: {res['organisations']:,} organisations on {res['vendor']}{seed}; "
            f"minimal view {res['minimal_view_ms']:.2f} ms\n"
        )
        lines.append("| case | queries | page ms | raw SQL ms | floor ms | page / floor | deep / first |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|")
        for name, c in res["cases"].items():
            deep = f"{c['deep_vs_first']:.2f}" if "deep_vs_first" in c else ""
            lines.append(
                f"| {name} | {c['queries']} | {c['page_ms']:.1f} | {c['raw_sql_ms']:.1f} | {c['floor_ms']:.1f} | "
                f"{c['ratio']:.2f} | {deep} |"
            )
        if res.get("exports"):
            lines.append(f"\nFull downloads at {res['scale']}x, each in a process of its own:\n")
            lines.append("| file | records | MB | seconds | peak memory MB |")
            lines.append("|---|---:|---:|---:|---:|")
            for code, e in res["exports"].items():
                lines.append(f"| {code} | {e['records']:,} | {e['mb']:.1f} | {e['seconds']:.1f} | {e['peak_mb']:.0f} |")
        if res.get("summaries"):
            s = res["summaries"]
            lines.append(
                f"\nScores and sector summaries at {res['scale']}x: full regeneration {s['full_seconds']:.1f} s "
                f"of which flags {s['flags_seconds']:.1f} s (peak memory {s['peak_mb']} MB); the same aggregates "
                f"by plain SQL GROUP BYs over the records {s['sql_seconds']:.2f} s; ratio {s['ratio']:.2f} without "
                f"flags, {s['ratio_with_flags']:.2f} with them; incremental after one report "
                f"{s['incremental_report_seconds']:.2f} s, after one award {s['incremental_award_seconds']:.2f} s "
                f"({s['incremental_share']:.3f} of a full run)."
            )
    return "\n".join(lines)


def main() -> None:
    own = ("--repeat", "--only", "--one-scale")  # options of the in-process timings alone select them
    if "--in-process" in sys.argv:
        sys.argv.remove("--in-process")
    elif not any(arg.split("=")[0] in own for arg in sys.argv):
        sys.path.insert(0, str(ROOT))
        from bench.http_pages import main as over_http

        over_http(sys.argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,10", help="comma-separated multiples of 22,300 organisations")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per case (median is reported)")
    parser.add_argument("--only", default="", help="only the page cases whose name starts with this (no exports)")
    parser.add_argument("--one-scale", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    if args.one_scale:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
        os.environ["DATABASE_URL"] = database_url(args.one_scale)
        print(json.dumps(measure_scale(args.one_scale, args.repeat, args.only)))
        return

    OUT.mkdir(parents=True, exist_ok=True)
    all_results = []
    for scale in (int(s) for s in args.scales.split(",")):
        url = database_url(scale)
        if url.startswith("postgres"):
            ensure_postgres_database(url)
        print(f"scale {scale}x: {url}", file=sys.stderr)
        done = subprocess.run(  # noqa: S603 - our own script, our own arguments
            [sys.executable, __file__, "--one-scale", str(scale), "--repeat", str(args.repeat), "--only", args.only],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            sys.stderr.write(done.stderr)
            raise SystemExit(done.returncode)
        all_results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    (OUT / "results.json").write_text(json.dumps(all_results, indent=2))
    print(report(all_results))


if __name__ == "__main__":
    main()
