#!/usr/bin/env python
"""Whole pages over HTTP, as a reader waits for them, beside datasette (issue 18). `make bench` runs this.

For each database (SQLite by default; PostgreSQL with DATABASE_URL=postgres://..., or both with
`--databases sqlite,postgres --postgres-url postgres://...`):
  - a child process per scale (1x = 22,300 organisations, 10x = 223,000: SQLite files under bench/out/, or
    databases `qogam_bench_{scale}x` on the PostgreSQL server, created when missing) migrates its database (and
    seeds it, and computes its summaries, only where they are missing) and finds real codes and ids in it (the
    ORM, read only) for every public page;
  - the parent serves every scale at once with gunicorn, 2 sync workers each (config.wsgi,
    config.settings.bench: what production runs), and times every public page over HTTP at every scale, the
    scales' samples interleaved (1x, 10x, 10x, 1x, ...): cold (the first request after a data change: the data
    version moved on before each sample, as every service's announcement does, asked of the server through the
    bench's own URL) and warm (the same request repeated). Interleaving puts whatever else the machine does in
    those minutes on both scales alike: the growth is measured, not the drift between two phases;
  - on SQLite, serves each file with datasette too (on another port, started here, waited for and stopped) and
    asks it the directory's facet question and the explorer's totals, interleaved with the same Qogam pages,
    both cold;
  - at the largest scale, served alone, runs a bounded load: N client threads for a fixed time against the
    directory and two API lists, counting requests per second, p50/p95 and every refusal (429) or error apart.
The parent writes bench/out/results-http.json (SQLite) or results-http-postgres.json (PostgreSQL), prints the
tables of every database with a results file (side by side), and with --write-docs rewrites the issue 18 section
at the top of docs/benchmarks.md (or, with --section-out FILE, writes that section alone to FILE). The client
is http.client, a new connection per request (gunicorn's sync workers close every connection), in the
harness's own process: on this 2-core machine the client, the two workers and datasette (or the PostgreSQL
server) share the cores, which the load figures include.
"""

from __future__ import annotations

import argparse
import atexit
import collections
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
VENV_BIN = Path(sys.executable).parent
BASE_ORGS = 22_300
DOCS = ROOT / "docs" / "benchmarks.md"
SECTION = "## Issue 18: whole pages over HTTP, beside datasette"
SECTION_END = "<!-- end of the issue 18 section: written by bench/http_pages.py --write-docs -->"

# Issue 18's targets, as numbers the run is held against.
GROWTH_LIMIT = 1.5  # target 1: a page at 10x takes at most 1.5x its time at 1x, cold and warm
DIRECTORY_RATE = 100.0  # target 3: requests per second at 10x, 2 workers
API_RATE = 300.0


DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def database_file(scale: int) -> Path:
    return OUT / f"bench-{scale}x.sqlite3"


def results_file(database: str) -> Path:
    return OUT / ("results-http.json" if database == "sqlite" else f"results-http-{database}.json")


def scale_url(database: str, scale: int, postgres_url: str | None) -> str:
    """The DATABASE_URL of one scale: its SQLite file, or `qogam_bench_{scale}x` on the PostgreSQL server."""
    from bench.run import database_url

    if database == "postgres":
        return database_url(scale, postgres_url)
    return f"sqlite:///{database_file(scale)}"


# ------------------------------------------------------------------ HTTP: one request, timed


def fetch(port: int, path: str, timeout: float = 300, method: str = "GET") -> tuple[int, float, bytes]:
    """`method` path on 127.0.0.1:port over a new connection: status, seconds to the last byte, body."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, headers={"Accept-Language": "ru"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    return response.status, time.perf_counter() - started, body


def fetch_ok(port: int, path: str) -> tuple[float, bytes]:
    status, seconds, body = fetch(port, path)
    if status != 200:
        raise RuntimeError(f"GET {path} on port {port} answered {status}: {body[:300]!r}")
    return seconds, body


# ------------------------------------------------------------------ the servers, started and stopped here


class Server:
    """A server process in a session of its own, so that stopping it stops its workers too."""

    running: list[Server] = []

    def __init__(self, name: str, command: list[str], port: int, ready_path: str, env: dict | None = None):
        self.name, self.port, self.ready_path = name, port, ready_path
        self.log = OUT / f"{name}.log"
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command,
            cwd=ROOT,
            env=env or os.environ.copy(),
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        Server.running.append(self)

    def wait_ready(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log}")
            try:
                status, _seconds, _body = fetch(self.port, self.ready_path, timeout=60)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {seconds} s; see {self.log}")

    def stop(self) -> None:
        if self in Server.running:
            Server.running.remove(self)
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # our own child's session: gunicorn's master and workers
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def stop_all() -> None:
    for server in list(Server.running):
        server.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_qogam(scale: int, database: str, url: str) -> Server:
    """Gunicorn on one scale's database (`url`, its DATABASE_URL)."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.bench", "DATABASE_URL": url}
    command = [
        str(VENV_BIN / "gunicorn"),
        "config.wsgi:application",
        "--workers=2",
        "--worker-class=sync",
        f"--bind=127.0.0.1:{port}",
        "--timeout=300",  # a slow page under load must be measured, not killed
    ]
    name = f"gunicorn-{scale}x" if database == "sqlite" else f"gunicorn-{database}-{scale}x"
    return Server(name, command, port, "/", env)


def start_datasette(scale: int) -> Server:
    """Datasette as a watchdog would run it on the live file: mutable (the default), not immutable (-i).

    Immutable mode opens the file with SQLite's immutable=1, which promises SQLite the file never changes: it
    skips locking and would not read the WAL the site writes (the harness itself moves the data version on
    between samples), and it lets datasette reuse table counts computed once (database.py, cached_table_counts)
    where mutable mode counts each time. Facet suggestions are off (the issue's condition); the SQL and facet
    time limits are raised far above any query here so that no facet is silently dropped as timed out."""
    port = free_port()
    command = [
        str(VENV_BIN / "datasette"),
        "serve",
        str(database_file(scale)),
        "--host=127.0.0.1",
        f"--port={port}",
        "--setting",
        "suggest_facets",
        "off",
        "--setting",
        "sql_time_limit_ms",
        "300000",
        "--setting",
        "facet_time_limit_ms",
        "300000",
        "--setting",
        "max_returned_rows",
        "100000",
    ]
    return Server(f"datasette-{scale}x", command, port, "/-/versions.json")


# ------------------------------------------------------------------ the cases, from the data itself


def page_cases() -> dict[str, str]:
    """Every public page, its codes and ids read from the database (the busiest where there is a choice)."""
    from collections import Counter

    from django.db.models import Count
    from django.urls import reverse

    from funding.models import Administrator, Award
    from registry.models import Organisation, OrganisationField
    from registry.models.reports import REPORTING_CHOICES
    from scoring.models import Flag
    from scoring.selectors import summary_run_current

    organisations = Organisation.objects.filter(merged_into__isnull=True)

    def commonest(queryset, key: str) -> str:
        """The value of `key` most rows have (an empty one, which no filter offers, left out)."""
        rows = queryset.order_by().values_list(key).annotate(n=Count("id")).order_by("-n", key)
        return next(value for value, _n in rows if value not in (None, ""))

    region = commonest(organisations, "region")
    legal_form = commonest(organisations, "legal_form")
    field = commonest(OrganisationField.objects.all(), "field")
    status = commonest(organisations, "status")
    level = commonest(organisations, "territorial_level")
    names = organisations.order_by("id").values_list("name_ru", flat=True)[:2000]
    words = Counter(w for name in names for w in re.findall(r"\w{5,}", name.lower()))
    word = words.most_common(1)[0][0]  # the commonest word of the names: a search with many hits
    awards = Award.objects.all()
    n_awards = awards.count()
    recipient = awards.order_by("id").values_list("recipient", flat=True)[n_awards // 2]
    profile = Organisation.objects.get(pk=recipient)
    award = awards.order_by("id")[n_awards // 2]
    busiest = Administrator.objects.get(pk=commonest(awards, "administrator"))
    mechanism = commonest(awards, "mechanism")
    award_region = commonest(awards.filter(mechanism=mechanism), "region")
    years = sorted(
        d.year for d in awards.order_by("id").values_list("awarded_on", flat=True)[:: max(1, n_awards // 500)]
    )
    middle_year, last_year = years[len(years) // 2], years[-1]
    run = summary_run_current()
    flag = Flag.objects.filter(run=run).order_by("id").first() if run else None
    if flag is None:
        raise SystemExit("no red flags in the current summary run: run manage.py regenerate_summaries")

    def q(**params) -> str:
        return urlencode(params)

    return {
        "home": "/",
        "directory": "/organisations/",
        "directory, region + legal form": f"/organisations/?{q(region=region, legal_form=legal_form)}",
        "directory, field": f"/organisations/?{q(field=field)}",
        "directory, status + level + reporting": (
            f"/organisations/?{q(status=status, territorial_level=level, reporting=REPORTING_CHOICES[0][0])}"
        ),
        "directory, text search": f"/organisations/?{q(q=word)}",
        "organisation profile": reverse("registry:organisation_detail", kwargs={"org_id": profile.org_id}),
        "funding explorer": "/funding/",
        "funding, mechanism + region": f"/funding/?{q(mechanism=mechanism, region=award_region)}",
        "funding, administrator + year from": f"/funding/?{q(administrator=busiest.code, year_from=middle_year)}",
        "funding, active from/to": (
            f"/funding/?{q(active_from=f'{last_year - 1}-01-01', active_to=f'{last_year - 1}-12-31')}"
        ),
        "funder (busiest)": reverse("funding:funder_detail", kwargs={"code": busiest.code}),
        "award": reverse("funding:award_detail", kwargs={"public_id": award.public_id}),
        "sector": "/sector/",
        "transparency": "/transparency/",
        "flag": reverse(
            "scoring:flag_detail",
            kwargs={"code": flag.code, "subject_type": flag.subject_type, "subject_key": flag.subject_key},
        ),
    }


# The same questions put to datasette, on the same file. The directory's facets: region, legal form, status and
# territorial level as table facets on the organisations datasette offers (with the count it gives every table
# page), over the records the directory lists (not merged into another); the field facet as a SQL query, since
# fields live in a join table that table facets on it could not restrict to those records. Qogam's directory
# also counts a sixth facet (the yearly report's status) that datasette is not asked for.
DATASETTE_DIRECTORY = [
    (
        "registry_organisation.json",
        [
            ("merged_into_id__isnull", "1"),
            *[("_facet", key) for key in ("region_id", "legal_form_id", "status", "territorial_level")],
            ("_facet_size", "max"),
            ("_size", "0"),
        ],
    ),
    (
        ".json",
        [
            (
                "sql",
                "select f.field_id, count(*) as n from registry_organisationfield f "
                "join registry_organisation o on o.id = f.organisation_id "
                "where o.merged_into_id is null group by f.field_id",
            )
        ],
    ),
]
# The explorer's totals over every award: the headline (sum, count, recipients), administrator x year, by
# mechanism, by region; one SQL query each (the explorer shows these and more: by field, top recipients, a page).
DATASETTE_TOTALS = [
    (".json", [("sql", sql)])
    for sql in (
        "select sum(amount) as total, count(*) as n, count(distinct recipient_id) as recipients from funding_award",
        "select administrator_id, substr(awarded_on, 1, 4) as year, sum(amount) as total, count(*) as n "
        "from funding_award group by administrator_id, year",
        "select mechanism, sum(amount) as total, count(*) as n from funding_award group by mechanism",
        "select region_id, sum(amount) as total, count(*) as n from funding_award group by region_id",
    )
]


def datasette_ask(server: Server, database: str, requests: list, nocache: int) -> float:
    """The requests one after another, each with a throwaway `_nocache` parameter that changes every time.

    Datasette keeps no response cache of its own and sends no ETag: its caching is HTTP's, a `Cache-Control:
    max-age` of `default_cache_ttl` seconds, 5 unless changed, `?_ttl=` per request (docs.datasette.io,
    "Performance and caching", section "HTTP caching"), for a browser or a caching proxy in front to honour;
    far-future caching needs an immutable file and the datasette-hashed-urls plugin. This client caches nothing,
    and the changing parameter keeps every request a new URL for anything that might sit in between: datasette
    does not read underscore parameters as filters (views/table.py) and a SQL query ignores parameters it does
    not name. What stays warm between samples is SQLite's and the OS's page cache, which Qogam's pages share."""
    total = 0.0
    for path, params in requests:
        url = (
            f"/{database}{'/' if not path.startswith('.') else ''}{path}?{urlencode([*params, ('_nocache', nocache)])}"
        )
        seconds, body = fetch_ok(server.port, url)
        data = json.loads(body)
        if data.get("ok") is False or data.get("facets_timed_out") or data.get("truncated") or data.get("error"):
            raise RuntimeError(f"datasette gave an incomplete answer to {url}: {str(data)[:300]}")
        total += seconds
    return total


# ------------------------------------------------------------------ the measurements


def bump(server: Server) -> None:
    """A data change as the site sees one: the data version moved on (api.changes, what every announcement
    does after commit); every cached anonymous page is keyed by it (api.caching). Asked of the server itself
    (bench/urls.py), so that one harness moves on the version of every scale's database it serves."""
    status, _seconds, body = fetch(server.port, "/bench/data-changed/", method="POST")
    if status != 204:
        raise RuntimeError(f"the data version of {server.name} did not move on ({status}): {body[:300]!r}")


def time_pages(servers: dict[int, Server], cases: dict[int, dict[str, str]], samples: int) -> dict[int, dict]:
    """Every page at every scale, the scales' samples interleaved: a sample at 1x, one at 10x, one at 10x, one at
    1x, and so on (the order alternates), so that whatever else the machine does in those minutes falls on
    both scales alike and the growth from one to the other is measured, not the drift between two phases."""
    scales = sorted(servers)
    results: dict[int, dict] = {scale: {} for scale in scales}
    for name in cases[scales[0]]:
        cold: dict[int, list[float]] = {scale: [] for scale in scales}
        warm: dict[int, list[float]] = {scale: [] for scale in scales}
        for scale in scales:
            fetch_ok(servers[scale].port, cases[scale][name])  # the page works, this worker has imported it
        for i in range(samples):
            for scale in scales if i % 2 == 0 else scales[::-1]:
                bump(servers[scale])
                cold[scale].append(fetch_ok(servers[scale].port, cases[scale][name])[0])
        for scale in scales:
            for _ in range(3):  # both workers hold the page (if anything keeps it)
                fetch_ok(servers[scale].port, cases[scale][name])
        for i in range(samples):
            for scale in scales if i % 2 == 0 else scales[::-1]:
                warm[scale].append(fetch_ok(servers[scale].port, cases[scale][name])[0])
        for scale in scales:
            results[scale][name] = {
                "url": cases[scale][name],
                "cold_ms": statistics.median(cold[scale]) * 1000,
                "warm_ms": statistics.median(warm[scale]) * 1000,
                "cold_samples_ms": [round(s * 1000, 1) for s in cold[scale]],
                "warm_samples_ms": [round(s * 1000, 1) for s in warm[scale]],
            }
        print(
            f"  {name}: "
            + ", ".join(
                f"{scale}x cold {results[scale][name]['cold_ms']:.0f} ms, warm {results[scale][name]['warm_ms']:.0f} ms"
                for scale in scales
            ),
            file=sys.stderr,
        )
    return results


def compare(qogam: Server, datasette: Server, database: str, samples: int) -> dict[str, dict]:
    """Interleaved, both cold: a data change, Qogam's page, datasette's answer to the same question; again."""
    pairs = {
        "directory facets": ("/organisations/", DATASETTE_DIRECTORY),
        "explorer totals": ("/funding/", DATASETTE_TOTALS),
    }
    results = {}
    for name, (url, requests) in pairs.items():
        datasette_ask(datasette, database, requests, nocache=0)  # both answer once before timing
        ours, theirs = [], []
        for i in range(samples):
            bump(qogam)
            ours.append(fetch_ok(qogam.port, url)[0])
            theirs.append(datasette_ask(datasette, database, requests, nocache=time.time_ns() + i))
        results[name] = {
            "qogam_url": url,
            "datasette_requests": [
                f"/{database}/{p}?{urlencode(params)}".replace("/.json", ".json") for p, params in requests
            ],
            "qogam_ms": statistics.median(ours) * 1000,
            "datasette_ms": statistics.median(theirs) * 1000,
            "qogam_samples_ms": [round(s * 1000, 1) for s in ours],
            "datasette_samples_ms": [round(s * 1000, 1) for s in theirs],
        }
        r = results[name]
        print(f"  {name}: Qogam {r['qogam_ms']:.0f} ms, datasette {r['datasette_ms']:.0f} ms", file=sys.stderr)
    return results


def load(server: Server, url: str, clients: int, seconds: float) -> dict:
    """`clients` threads, each requesting `url` again as soon as it has its answer, for `seconds`."""
    for _ in range(6):  # warm: every worker has served (and, where the page is cached, keeps) it
        fetch(server.port, url)
    alone = statistics.median(fetch_ok(server.port, url)[0] for _ in range(15))  # one client, one at a time
    latencies: list[float] = []
    statuses: collections.Counter = collections.Counter()
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = 0.0

    def client() -> None:
        start.wait()
        mine, codes = [], collections.Counter()
        while time.perf_counter() < deadline:
            try:
                status, took, _body = fetch(server.port, url, timeout=120)
            except OSError as exc:
                with lock:
                    errors.append(repr(exc))
                continue
            codes[status] += 1
            if status == 200:
                mine.append(took)
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    cpu = time.process_time()
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began  # includes the last answers that started before the deadline
    client_cpu = (time.process_time() - cpu) / elapsed  # cores the client itself kept busy, of the two
    latencies.sort()

    def pct(p: float) -> float | None:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else None

    return {
        "url": url,
        "clients": clients,
        "seconds": elapsed,
        "ok": statuses.get(200, 0),
        "throttled_429": statuses.get(429, 0),
        "other_status": {str(k): v for k, v in statuses.items() if k not in (200, 429)},
        "connection_errors": len(errors),
        "requests_per_second": statuses.get(200, 0) / elapsed,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "client_cpu_cores": client_cpu,
        "single_client_p50_ms": alone * 1000,
    }


def prepare(scale: int) -> dict:
    """Migrate the database; seed it and compute its summaries only where they are missing."""
    from django.core.management import call_command, get_commands
    from django.db import connection

    where = connection.settings_dict["NAME"]
    remedy = "delete it" if connection.vendor == "sqlite" else "drop that database"

    from funding.models import Award
    from registry.models import Organisation

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_seconds = time.perf_counter() - started
    wanted = BASE_ORGS * scale
    have = Organisation.objects.count()
    seeded = None
    if have != wanted:
        if have:
            raise SystemExit(f"{where} holds {have} organisations, not {wanted}; {remedy}")
        started = time.perf_counter()
        call_command("seed_demo", orgs=wanted, verbosity=0)
        seeded = time.perf_counter() - started
    if not Award.objects.exists():
        raise SystemExit(f"{where} has no funding data (made before funding existed); {remedy}")
    started = time.perf_counter()
    call_command("regenerate_summaries", if_missing=True, verbosity=0)
    summaries_seconds = time.perf_counter() - started
    # The explorer's rollup is kept current by the change events; data written before it existed (or in bulk,
    # unannounced) is rebuilt as after a restore, else the explorer counts the awards themselves.
    rollup_seconds = None
    if "rebuild_funding_rollups" in get_commands():
        from funding.selectors import rollup_current

        if not rollup_current():
            started = time.perf_counter()
            call_command("rebuild_funding_rollups", verbosity=0)
            rollup_seconds = time.perf_counter() - started
    # The directory's count cube likewise: built when missing (data made before it), as the first page would.
    from registry.cube import facet_cube_ready

    started = time.perf_counter()
    facet_cube_ready()
    cube_seconds = time.perf_counter() - started
    vacuum_seconds = None
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does after bulk writes in production (inserts trigger it since PostgreSQL 13): the
        # visibility map that index-only scans need, and fresh statistics. Outside any transaction.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        vacuum_seconds = time.perf_counter() - started
    return {
        "vacuum_seconds": vacuum_seconds,
        "cube_ready_seconds": cube_seconds,
        "migrate_seconds": migrate_seconds,
        "seed_seconds": seeded,
        "summaries_seconds": summaries_seconds,
        "rollup_rebuild_seconds": rollup_seconds,
        "organisations": wanted,
        "awards": Award.objects.count(),
    }


def prepare_scale(scale: int, database: str) -> dict:
    """In a child process, on this scale's database (DATABASE_URL): ready it and find its pages' codes and ids."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    results: dict = {
        "scale": scale,
        "database": database,
        "database_name": connection.settings_dict["NAME"],
        "date": time.strftime("%Y-%m-%d"),
        "commit": _commit(),
        **prepare(scale),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        server_version = cursor.fetchone()[0]
    results["versions"] = {"gunicorn": _version("gunicorn"), database: server_version}
    if database == "sqlite":
        results["versions"]["datasette"] = _version("datasette")
    results["api_anonymous_rate"] = settings.API_ANONYMOUS_RATE
    results["cases"] = page_cases()
    return results


def measure_database(database: str, prepared: dict[int, dict], urls: dict[int, str], args) -> list[dict]:
    """Serve every scale at once (gunicorn, 2 workers each) and time every page, the scales interleaved; then,
    scale by scale, datasette beside Qogam (SQLite), and the load at the largest scale with it served alone."""
    scales = sorted(prepared)
    results = {scale: {k: v for k, v in prepared[scale].items() if k != "cases"} for scale in scales}
    servers = {scale: start_qogam(scale, database, urls[scale]) for scale in scales}
    try:
        for scale, server in servers.items():
            server.wait_ready()
            print(f"{DATABASES[database]} {scale}x: gunicorn on {server.port}", file=sys.stderr)
        load_average = os.getloadavg()[0]  # other work on the machine when the timing began
        pages = time_pages(servers, {scale: prepared[scale]["cases"] for scale in scales}, args.samples)
        for scale in scales:
            results[scale] |= {"load_average": load_average, "pages": pages[scale], "interleaved": True}
            results[scale]["datasette"] = {}
            if database == "sqlite":
                # Datasette serves SQLite files only: on PostgreSQL there is nothing to compare it with.
                datasette = start_datasette(scale)
                try:
                    datasette.wait_ready()
                    print(f"SQLite {scale}x: datasette on {datasette.port}", file=sys.stderr)
                    name = database_file(scale).stem
                    results[scale]["datasette"] = compare(servers[scale], datasette, name, args.samples)
                finally:
                    datasette.stop()
        largest = scales[-1]
        if args.load_seconds:
            for scale in scales[:-1]:  # the load is the largest scale's alone: the others would take a share
                servers[scale].stop()
            server = servers[largest]
            results[largest]["load"] = {
                "directory (warm)": load(server, "/organisations/", args.clients, args.load_seconds),
                "API organisations (warm)": load(server, "/api/v1/organisations/", args.clients, args.load_seconds),
                "API awards (warm)": load(server, "/api/v1/awards/", args.clients, args.load_seconds),
                # No target: the ceiling, a view that only answers "ok" through the same middleware (bench/urls.py)
                "minimal view (the ceiling)": load(server, "/bench/minimal/", args.clients, args.load_seconds),
            }
            for name, r in results[largest]["load"].items():
                print(
                    f"  load {name}: {r['requests_per_second']:.1f} req/s, 429s {r['throttled_429']}", file=sys.stderr
                )
    finally:
        stop_all()
    return [results[scale] for scale in scales]


def _commit() -> str:
    """The commit measured, marked when the working tree differs from it."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()  # noqa: S603, S607

    dirty = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "--short", "HEAD") + (" with uncommitted changes" if dirty else "")


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


# ------------------------------------------------------------------ the parent: every scale, one report


def growth(results: list[dict]) -> dict[str, dict]:
    by_scale = {r["scale"]: r for r in results}
    if 1 not in by_scale or 10 not in by_scale:
        return {}
    small, large = by_scale[1]["pages"], by_scale[10]["pages"]
    return {
        name: {
            "cold": large[name]["cold_ms"] / small[name]["cold_ms"],
            "warm": large[name]["warm_ms"] / small[name]["warm_ms"],
        }
        for name in small
        if name in large
    }


def met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _database(result: dict) -> str:
    return result.get("database", "sqlite")  # results written before PostgreSQL was measured are SQLite's


def _run_line(database: str, results: list[dict]) -> str:
    """One database's run: where, when, at which commit, how many samples, and how busy the machine was."""
    first = results[0]
    version = (first["versions"].get(database) or "").split(" ")[0]  # "15.18 (Debian 15.18-0+deb12u1)": 15.18
    name = DATABASES[database] + (f" {version}" if version else "")
    where = "files under bench/out/" if database == "sqlite" else "databases `qogam_bench_{scale}x`"
    commits = sorted({r["commit"] for r in results})
    return (
        f"{name} ({where}): run on {first['date']} at commit {', '.join(commits)}, each page the median of "
        f"{first['samples']} requests"
        + (", the scales' samples interleaved" if first.get("interleaved") else "")
        + "; load average (1 minute, 2 cores) as the timing began: "
        + ", ".join(sorted({f"{r['load_average']:.1f}" for r in results}))
    )


def report(runs: dict[str, list[dict]]) -> str:
    """The section: `runs` holds each measured database's results, one per scale, SQLite's first."""
    databases = [d for d in DATABASES if runs.get(d)]
    labels = {d: DATABASES[d] for d in databases}
    both = len(databases) > 1
    gunicorn = runs[databases[0]][0]["versions"]["gunicorn"]
    sqlite = runs.get("sqlite") or []
    datasette_version = sqlite[0]["versions"].get("datasette") if sqlite else None
    lines = [
        f"Measured with `make bench` (bench/http_pages.py): gunicorn {gunicorn}, 2 sync workers "
        "(config/settings/bench.py) per scale, every scale of a database served at once and the databases in "
        "turn, over HTTP from a client on the same 2-core machine. "
        + "; ".join(_run_line(d, runs[d]) for d in databases)
        + " (above about 0.5, other work shared the cores and the figures are noisy). **Cold** is the first "
        "request after a data change (the data version moved on before each sample); **warm** the same request "
        "repeated."
        + (
            f" On SQLite, datasette {datasette_version} serves the same file beside it: mutable (the live file, "
            "counted each time), facet suggestions off, its requests carrying a changing `_nocache` parameter."
            if datasette_version
            else ""
        )
        + (
            " Datasette serves SQLite files only: PostgreSQL has no datasette comparison, everything else is "
            "measured alike."
            if "postgres" in databases
            else ""
        ),
        "",
        "### Targets",
        "",
        "| target | database | measured | met |",
        "|---|---|---|---|",
    ]
    for d in databases:
        by_scale = {r["scale"]: r for r in runs[d]}
        ratios = growth(runs[d])
        if 10 not in by_scale:
            lines.append(f"| all | {labels[d]} | not measured at 10x in this run | — |")
        if ratios:
            worst = max(ratios.items(), key=lambda kv: max(kv[1].values()))
            over = sum(1 for g in ratios.values() if max(g.values()) > GROWTH_LIMIT)
            beyond = f" ({over} of {len(ratios)} pages beyond it)" if over else ""
            lines.append(
                f"| 1. every page grows at most {GROWTH_LIMIT}x from 1x to 10x, cold and warm | {labels[d]} | "
                f"worst: {worst[0]}, {max(worst[1].values()):.1f}x{beyond} | "
                f"{met(max(worst[1].values()) <= GROWTH_LIMIT)} |"
            )
    for d in databases:
        largest = max(runs[d], key=lambda r: r["scale"])
        at = f"at {largest['scale']}x"
        if not largest.get("datasette"):
            lines.append(
                f"| 2. directory facets and explorer totals at least as fast as datasette | {labels[d]} | "
                "not compared: datasette serves SQLite files only | — |"
            )
        for name, c in largest.get("datasette", {}).items():
            lines.append(
                f"| 2. {name} {at}, cold, at least as fast as datasette | {labels[d]} | Qogam {c['qogam_ms']:.0f} "
                f"ms, datasette {c['datasette_ms']:.0f} ms | {met(c['qogam_ms'] <= c['datasette_ms'])} |"
            )
    for d in databases:
        largest = max(runs[d], key=lambda r: r["scale"])
        for name, r in largest.get("load", {}).items():
            if name.startswith("minimal"):
                continue
            goal = DIRECTORY_RATE if name.startswith("directory") else API_RATE
            refused = f", {r['throttled_429']} refused (429)" if r["throttled_429"] else ""
            others = sum(r["other_status"].values()) + r["connection_errors"]
            failed = f", {others} other failures" if others else ""
            ok = r["requests_per_second"] >= goal and not r["throttled_429"] and not others
            lines.append(
                f"| 3. {name} at {largest['scale']}x, {r['clients']} clients, >= {goal:.0f} requests/s | "
                f"{labels[d]} | {r['requests_per_second']:.1f}/s (p50 {_ms(r['p50_ms'])}, p95 {_ms(r['p95_ms'])}"
                f"{refused}{failed}) | {met(ok)} |"
            )
    lines.append(
        "| 5. bench runs datasette beside Qogam and writes the comparison and every page's growth here | "
        f"{', '.join(labels.values())} | this section | met |"
    )
    lines += ["", f"### Every public page, p50 ms ({' and '.join(labels.values())})", ""]
    header, columns, names = ["page"], 0, []
    for d in databases:
        prefix = f"{labels[d]} " if both else ""
        for s in sorted(r["scale"] for r in runs[d]):
            header += [f"{prefix}{s}x cold", f"{prefix}{s}x warm"]
            columns += 2
        if growth(runs[d]):
            header += [f"{prefix}growth cold", f"{prefix}growth warm"]
            columns += 2
        for name in min(runs[d], key=lambda r: r["scale"])["pages"]:
            if name not in names:
                names.append(name)
    lines += ["| " + " | ".join(header) + " |", "|---|" + "---:|" * columns]
    for name in names:
        cells: list[str] = []
        urls: dict[str, list[str]] = {}  # each URL, and the databases and scales that asked it
        for d in databases:
            by_scale = {r["scale"]: r for r in runs[d]}
            for s in sorted(by_scale):
                page = by_scale[s]["pages"].get(name)
                cells += [f"{page['cold_ms']:.0f}", f"{page['warm_ms']:.0f}"] if page else ["", ""]
                if page:
                    urls.setdefault(unquote(page["url"]), []).append(f"{labels[d]} {s}x")
            ratios = growth(runs[d])
            if ratios:
                g = ratios.get(name)
                cells += [f"{g['cold']:.2f}x", f"{g['warm']:.2f}x"] if g else ["", ""]
        # Codes and ids come from each scale's own data (the busiest funder, the commonest region): where they
        # differ, each URL is named with the databases and scales that asked it.
        if len(urls) == 1:
            where = f"`{next(iter(urls))}`"
        else:
            where = ", ".join(f"{' and '.join(asked)} `{url}`" for url, asked in urls.items())
        lines.append(f"| {name} ({where}) | " + " | ".join(cells) + " |")
    lines += ["", "### Beside datasette (SQLite), interleaved, both cold, p50 ms", ""]
    compared = [r for r in sqlite if r.get("datasette")]
    if compared:
        lines += ["| question | scale | Qogam | datasette | Qogam / datasette |", "|---|---:|---:|---:|---:|"]
        for r in sorted(compared, key=lambda r: r["scale"]):
            for name, c in r["datasette"].items():
                lines.append(
                    f"| {name} | {r['scale']}x | {c['qogam_ms']:.0f} | {c['datasette_ms']:.0f} | "
                    f"{c['qogam_ms'] / c['datasette_ms']:.2f} |"
                )
        lines += [
            "",
            "The directory's question to datasette: one table request with four facets and the count over the "
            "organisations not merged into another, plus one SQL query for the field facet (a join table). The "
            "explorer's: four SQL queries (headline totals, administrator x year, by mechanism, by region). Each "
            "datasette time is the sum of its requests, made one after another.",
        ]
    else:
        lines.append("Not measured in this run (SQLite was not measured; datasette serves SQLite files only).")
    loads = [(d, max(runs[d], key=lambda r: r["scale"])) for d in databases]
    loads = [(d, r) for d, r in loads if r.get("load")]
    if loads:
        lines += [
            "",
            "### Load, 2 gunicorn workers",
            "",
            "| list | database | scale | clients | requests/s | p50 | p95 | one client alone | refused (429) | "
            "other failures | client CPU (cores) |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for d, largest in loads:
            for name, r in largest["load"].items():
                others = sum(r["other_status"].values()) + r["connection_errors"]
                lines.append(
                    f"| {name} (`{r['url']}`) | {labels[d]} | {largest['scale']}x | {r['clients']} | "
                    f"{r['requests_per_second']:.1f} | {_ms(r['p50_ms'])} | {_ms(r['p95_ms'])} | "
                    f"{_ms(r['single_client_p50_ms'])} | {r['throttled_429']} | {others} | "
                    f"{r['client_cpu_cores']:.2f} |"
                )
        rates = sorted({r["api_anonymous_rate"] for _d, r in loads})
        lines += [
            "",
            f"Each list for the same bounded time, with {', '.join(rates)} as the anonymous API rate "
            "(config/settings/bench.py); refusals (429) and "
            "errors are counted apart from answers, and requests/s counts answers (200) only. The client threads "
            "run on the same two cores as the workers (and, on PostgreSQL, the database server): the last column "
            'is the share of a core the client itself kept busy. The minimal view only answers "ok" through the '
            "same middleware (bench/urls.py): the ceiling on this machine.",
        ]
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return f"{value:.0f} ms" if value is not None else "—"


def section(body: str) -> str:
    """The issue 18 section of docs/benchmarks.md, from its title to its end marker."""
    body = "\n".join(
        line if line.startswith(("|", "#")) or len(line) <= 115 else textwrap.fill(line, 115, break_long_words=False)
        for line in body.split("\n")
    )
    text = f"{SECTION}\n\n{body}\n\nThe sections below are the in-process timings of issues 2 and 3\n"
    return text + '(`make bench BENCH_ARGS="--in-process"`).\n\n' + SECTION_END + "\n"


def write_docs(body: str) -> None:
    text = DOCS.read_text()
    if SECTION in text:
        before, rest = text.split(SECTION, 1)
        after = rest.split(SECTION_END, 1)[1].lstrip("\n")
        text = before + section(body) + "\n" + after
    else:
        title, rest = text.split("\n", 1)
        text = f"{title}\n\n{section(body)}\n{rest.lstrip(chr(10))}"
    DOCS.write_text(text)


def main(argv: list[str] | None = None) -> None:
    from_env = os.environ.get("DATABASE_URL", "")
    on_postgres = from_env.startswith("postgres")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,10", help="comma-separated multiples of 22,300 organisations")
    parser.add_argument(
        "--databases",
        default="postgres" if on_postgres else "sqlite",
        help="comma-separated, of sqlite and postgres (default: postgres when DATABASE_URL is a postgres:// URL, "
        "else sqlite)",
    )
    parser.add_argument(
        "--postgres-url",
        default=from_env if on_postgres else None,
        help="the PostgreSQL server (default: DATABASE_URL); each scale uses its database qogam_bench_{scale}x on it",
    )
    parser.add_argument("--samples", type=int, default=15, help="requests per page and scale, cold and warm")
    parser.add_argument("--load-seconds", type=float, default=15, help="duration of each load run (0: none)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients in the load runs")
    parser.add_argument("--write-docs", action="store_true", help="rewrite the issue 18 section of docs/benchmarks.md")
    parser.add_argument("--section-out", type=Path, help="write the issue 18 section to this file (docs untouched)")
    parser.add_argument(
        "--report-only", action="store_true", help="measure nothing: report the results files in bench/out/ again"
    )
    parser.add_argument("--one-scale", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--one-database", choices=DATABASES, help=argparse.SUPPRESS)
    parser.add_argument("--one-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))

    if args.one_scale:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
        os.environ["DATABASE_URL"] = args.one_url
        print(json.dumps(prepare_scale(args.one_scale, args.one_database)))
        return

    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = [d for d in databases if d not in DATABASES]
    if unknown or not databases:
        raise SystemExit(f"--databases takes {' and '.join(DATABASES)}, not {args.databases!r}")
    if "postgres" in databases and not (args.postgres_url or "").startswith("postgres"):
        raise SystemExit("PostgreSQL needs a server: --postgres-url postgres://... (or DATABASE_URL)")
    OUT.mkdir(parents=True, exist_ok=True)
    scales = sorted(int(s) for s in args.scales.split(","))
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    for database in [] if args.report_only else databases:
        started = time.perf_counter()
        prepared, urls = {}, {}
        for scale in scales:
            urls[scale] = url = scale_url(database, scale, args.postgres_url)
            if database == "postgres":
                from bench.run import ensure_postgres_database

                ensure_postgres_database(url)
            parts = urlsplit(url)  # shown without its password
            where = f"{parts.hostname}:{parts.port}{parts.path}" if database == "postgres" else database_file(scale)
            print(f"{DATABASES[database]} {scale}x: {where}", file=sys.stderr)
            command = [sys.executable, __file__, "--one-scale", str(scale), "--one-database", database]
            command += ["--one-url", url]
            done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)  # noqa: S603
            if done.returncode:
                raise SystemExit(f"{DATABASES[database]} {scale}x failed ({done.returncode}): see above")
            prepared[scale] = json.loads(done.stdout.strip().splitlines()[-1])
        results = measure_database(database, prepared, urls, args)
        for r in results:
            r |= {"wall_seconds": time.perf_counter() - started, "samples": args.samples}
        print(f"{DATABASES[database]}: {results[-1]['wall_seconds']:.0f} s", file=sys.stderr)
        results_file(database).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    # Every database with a results file, the ones just measured and any measured before (each says its run).
    runs = {d: json.loads(results_file(d).read_text()) for d in DATABASES if results_file(d).exists()}
    if not runs:
        raise SystemExit(f"no results in {OUT}: run without --report-only first")
    body = report(runs)
    print(body)
    if args.section_out:
        args.section_out.write_text(section(body))
    elif args.write_docs:
        write_docs(body)


if __name__ == "__main__":
    main()
