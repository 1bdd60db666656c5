"""Funding's domain signals, announced after commit by funding.services (api.changes.announce).

`changes` is {name: (old, new)} in plain values (codes, dates, decimal amounts as text).
"""

from __future__ import annotations

from django.dispatch import Signal

# An award was recorded or changed (amendment, status, payment, evaluation, or moved by a merge).
# Arguments: award_id, recipient_ids (the recipients before and after), years (award years before and after),
# changes.
award_changed = Signal()
# A programme, competition, lot or application was recorded or changed. Arguments: competition_id (None for
# a programme), administrator_id, changes.
competition_changed = Signal()
