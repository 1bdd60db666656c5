"""The data version: one number that grows with every committed change to published data."""

from __future__ import annotations

from django.db import models


class DataVersion(models.Model):
    """A single row. API responses carry it as their ETag and cached pages are keyed by it, so a change made
    through any service in any process is seen by every process at once, Redis or not."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.number)
