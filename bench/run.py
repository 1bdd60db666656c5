#!/usr/bin/env python
"""Benchmark harness: server time of the busiest pages at 1x and 10x scale, as ratios to a floor measured in
the same run. Not part of `make test`; run with `make bench` (BENCH_ARGS="--scales 1 --repeat 5" for a quick one).

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


def database_url(scale: int) -> str:
    server = os.environ.get("DATABASE_URL")
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


def measure_scale(scale: int, repeat: int) -> dict:
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
    uncached = {"home page (figures recounted)"}  # cached for 5 minutes in use; timed here as recounted
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

        def get(url=url, clear=name in uncached):
            if clear:
                cache.clear()
            return client.get(url)

        response = get()
        assert response.status_code == 200, (url, response.status_code)
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
    for list_name in ("directory", "directory filtered", *{name.rsplit(",", 1)[0] for name in api_lists}):
        first = results["cases"][f"{list_name}, first page"]["page_ms"]
        deep = results["cases"][f"{list_name}, deep page"]["page_ms"]
        results["cases"][f"{list_name}, deep page"]["deep_vs_first"] = deep / first
    results["exports"] = measure_exports(scale)
    results["summaries"] = measure_summaries(repeat=3)
    return results


def measure_summaries(repeat: int) -> dict:
    """Full regeneration (a process of its own, for its peak memory) against plain SQL GROUP BYs over the
    same reports and awards; then the incremental refresh after one changed report and one award."""
    import re

    from django.db import connection

    from funding.models import Award
    from registry.models import REPORT_ANSWER_FIELDS, YearlyReport
    from scoring.services import regenerate_stale

    env = {**os.environ}
    fulls, peaks = [], []
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
        seconds, peak = re.search(r"in ([0-9.]+) s \(peak memory ([0-9]+) MB\)", done.stdout).groups()
        fulls.append(float(seconds))
        peaks.append(int(peak))
    answers = REPORT_ANSWER_FIELDS
    sums = ", ".join(f"SUM(CASE WHEN r.{a} THEN 1 ELSE 0 END), COUNT(r.{a})" for a in answers)
    sums += (
        ", SUM(CASE WHEN r.volunteers * 4 <= r.paid_staff + r.volunteers AND r.paid_staff + r.volunteers > 0"
        " THEN 1 ELSE 0 END), COUNT(CASE WHEN r.paid_staff + r.volunteers > 0 THEN 1 END)"
        ", SUM(CASE WHEN r.decision_making IN ('members', 'elected_board', 'elected_leader', 'staff')"
        " THEN 1 ELSE 0 END), COUNT(NULLIF(r.decision_making, ''))"
    )
    base = "FROM registry_yearlyreport r JOIN registry_organisation o ON o.id = r.organisation_id"
    keys = {"'all'": "", "o.region_id": "", "o.legal_form_id": ""}
    statements = [f"SELECT r.year, {key}, COUNT(*), {sums} {base} GROUP BY r.year, {key}" for key in keys]
    statements.append(
        f"SELECT r.year, f.field_id, COUNT(*), {sums} {base} "
        "JOIN registry_organisationfield f ON f.organisation_id = o.id GROUP BY r.year, f.field_id"
    )
    year = (
        "CAST(SUBSTR(a.awarded_on, 1, 4) AS integer)"
        if connection.vendor == "sqlite"
        else "EXTRACT(YEAR FROM a.awarded_on)"
    )
    statements.append(
        f"SELECT {year}, o.region_id, a.mechanism, SUM(a.amount), COUNT(*) FROM funding_award a "
        f"JOIN registry_organisation o ON o.id = a.recipient_id GROUP BY 1, 2, 3"
    )

    def floor():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    sql_seconds = median_seconds(floor, repeat, warmup=1)
    report = YearlyReport.objects.order_by("id").first()
    report.paid_staff = (report.paid_staff or 0) + 1
    report.save()
    started = time.perf_counter()
    regenerate_stale()
    after_report = time.perf_counter() - started
    award = Award.objects.order_by("id").first()
    award.title += " "
    award.save()
    started = time.perf_counter()
    regenerate_stale()
    after_award = time.perf_counter() - started
    full = statistics.median(fulls)
    return {
        "full_seconds": full,
        "peak_mb": max(peaks),
        "sql_seconds": sql_seconds,
        "ratio": full / sql_seconds,
        "incremental_report_seconds": after_report,
        "incremental_award_seconds": after_award,
        "incremental_share": max(after_report, after_award) / full,
    }


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
    return {
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
    }


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
                f"(peak memory {s['peak_mb']} MB), plain SQL GROUP BYs {s['sql_seconds']:.2f} s, ratio "
                f"{s['ratio']:.2f}; incremental after one report {s['incremental_report_seconds']:.2f} s, after one "
                f"award {s['incremental_award_seconds']:.2f} s ({s['incremental_share']:.3f} of a full run)."
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,10", help="comma-separated multiples of 22,300 organisations")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per case (median is reported)")
    parser.add_argument("--one-scale", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    if args.one_scale:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
        os.environ["DATABASE_URL"] = database_url(args.one_scale)
        print(json.dumps(measure_scale(args.one_scale, args.repeat)))
        return

    OUT.mkdir(parents=True, exist_ok=True)
    all_results = []
    for scale in (int(s) for s in args.scales.split(",")):
        url = database_url(scale)
        if url.startswith("postgres"):
            ensure_postgres_database(url)
        print(f"scale {scale}x: {url}", file=sys.stderr)
        done = subprocess.run(  # noqa: S603 - our own script, our own arguments
            [sys.executable, __file__, "--one-scale", str(scale), "--repeat", str(args.repeat)],
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
