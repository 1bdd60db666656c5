"""Reliability with real processes: a Celery worker on a real Redis regenerates and stores the result; a
regeneration killed with SIGKILL leaves the previous summaries current, and the next run converges."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from scoring import services
from scoring.models import SectorSummary, SummaryRun

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # other processes see the data


def child_env() -> dict[str, str]:
    """The environment of a process working on this test's database (committed data, same server)."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    else:
        url = f"sqlite:///{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}


def rows() -> list[tuple]:
    current = SectorSummary.objects.filter(run__current=True).order_by("year", "segment")
    return [(s.year, s.segment, s.n_organisations, s.suppressed, s.data) for s in current]


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_killed_regeneration_leaves_the_previous_summaries_and_the_next_run_converges():
    call_command("seed_demo", orgs=4000, verbosity=0)
    good = services.summaries_regenerate()
    uninterrupted = rows()
    child = subprocess.Popen(
        [sys.executable, "manage.py", "regenerate_summaries"],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        killed = wait_for(lambda: SummaryRun.objects.filter(pk__gt=good.pk).first(), 60, "the second run to start")
        time.sleep(0.4)  # well inside the run: scoring 10,000 reports takes seconds
        assert child.poll() is None, "the run finished before it could be killed; give it more data"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
    killed.refresh_from_db()
    assert killed.status == SummaryRun.Status.RUNNING and not killed.current  # died without finishing
    assert SummaryRun.objects.get(current=True) == good and rows() == uninterrupted
    services.summaries_regenerate()
    assert rows() == uninterrupted
    # An hour on, a run still "running" is marked failed by the next one (its process is long gone).
    SummaryRun.objects.filter(pk=killed.pk).update(started_at=killed.started_at - services.ABANDONED_AFTER)
    services.summaries_regenerate()
    assert SummaryRun.objects.get(pk=killed.pk).status == SummaryRun.Status.FAILED


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")  # send_task goes to the broker
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL") and not os.environ.get("QOGAM_REQUIRE_WORKER"),
    reason="needs Redis (REDIS_URL); .ci/run provides it for the PostgreSQL run",
)
def test_a_real_celery_worker_regenerates_on_a_real_redis(population):
    from config.celery import app

    assert os.environ.get("REDIS_URL"), "QOGAM_REQUIRE_WORKER is set but REDIS_URL is not"
    queue = f"qogam-test-{os.getpid()}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=child_env(),
    )
    try:
        app.send_task("scoring.tasks.summaries_regenerate", queue=queue)
        run = wait_for(lambda: SummaryRun.objects.filter(current=True).first(), 120, "the worker's run")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert run.status == SummaryRun.Status.DONE
    everyone = SectorSummary.objects.get(run=run, year=2023, segment="all")
    assert everyone.n_organisations == 32 and everyone.data["indicators"]["2.1.1"] == {"value": 56.3, "n": 32}
