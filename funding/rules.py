"""Who may enter and change funding records: officers of the administrator (django-rules, one place)."""

from __future__ import annotations

import rules

from funding.selectors import officer_administrator


def _administrator(obj):
    return getattr(obj, "administrator", obj)


@rules.predicate
def is_officer_of(user, obj) -> bool:
    """Officer of the record's administrator, or of its parent with include_children."""
    if obj is None:
        return False
    return officer_administrator(user, _administrator(obj)) is not None


is_site_admin = rules.is_superuser

rules.add_perm("funding.enter_records", is_officer_of | is_site_admin)


@rules.predicate
def is_an_officer(user) -> bool:
    """An officer of some administrator (for the account menu; each record is still checked on its own)."""
    return user.is_authenticated and user.officer_memberships.filter(ended_at__isnull=True).exists()


rules.add_perm("funding.enter_any_records", is_an_officer | is_site_admin)
