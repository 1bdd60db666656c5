"""Announcing changes: every service that writes sends a domain signal once its transaction commits.

Listeners (scoring's staleness, the downloads' regeneration) follow these signals, never `post_save`, which
misses `update()`, `.set()` and bulk writes. Each announcement also moves the data version on, which the API's
ETags and cached anonymous pages are keyed by (api/caching.py).
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from api.models import DataVersion

log = logging.getLogger("qogam")


def announce(signal: Signal, *, sender: type, **kwargs) -> None:
    """Send `signal` once the current transaction commits (at once outside one); never for a rolled-back one.

    A listener that fails is logged, not raised: the change is already committed and the person who made it
    must not see an error for a side effect (the nightly runs catch up)."""
    transaction.on_commit(partial(_send, signal, sender, kwargs))


def _send(signal: Signal, sender: type, kwargs: dict) -> None:
    data_version_bump()
    for receiver, result in signal.send_robust(sender=sender, **kwargs):
        if isinstance(result, Exception):
            log.error("listener %r failed on %s", receiver, sender.__name__, exc_info=result)


def data_version() -> int:
    """The current data version (0 before anything changed)."""
    return DataVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def data_version_bump() -> None:
    """Move the version on. Runs after commit, so a page computed before the change is keyed by the old
    version and one computed after it by the new: no cached page outlives the change it missed."""
    if not DataVersion.objects.filter(pk=1).update(number=F("number") + 1, changed_at=timezone.now()):
        DataVersion.objects.get_or_create(pk=1, defaults={"number": 1})
