"""Scoring's domain signals, announced after commit (api.changes.announce)."""

from __future__ import annotations

from django.dispatch import Signal

summaries_changed = Signal()  # run_id: scores, summaries or flags of the current run were (re)computed
concern_changed = Signal()  # concern_id, status
