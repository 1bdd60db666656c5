"""The Redis-down pass: REDIS_URL points at a port nothing listens on (make test sets it), so the cache, the
counters and the broker are all unreachable, as when Redis is down in production."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.funding.conftest import *  # noqa: F403
from tests.registry.conftest import *  # noqa: F403


@pytest.fixture(autouse=True, scope="session")
def _redis_is_down():
    assert settings.REDIS_URL, "tests/resilience runs with REDIS_URL set (make test sets a closed port)"
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "tasks are queued to the broker, as in production"
    address = urlsplit(settings.REDIS_URL)
    with socket.socket() as probe:
        probe.settimeout(1)
        assert probe.connect_ex((address.hostname, address.port)) != 0, f"{settings.REDIS_URL} answers: not down"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The suite's cache clearing, which would itself fail here: there is no cache to clear."""
    from registry.selectors import reference_data_clear

    reference_data_clear()
    yield
    reference_data_clear()


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Overrides the suite's: here the page cache stays on, to show that a cache that is down costs only the
    saved work (every page is computed, none fails)."""
    settings.QOGAM_PAGE_CACHE = True
