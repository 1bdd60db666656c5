"""Who may enter and change funding records: officers of the administrator (django-rules, one place)."""

from __future__ import annotations

import rules


def _administrator(obj):
    return getattr(obj, "administrator", obj)


@rules.predicate
def is_officer_of(user, obj) -> bool:
    """Officer of the record's administrator, or of its parent with include_children."""
    if not user.is_authenticated or obj is None:
        return False
    administrator = _administrator(obj)
    memberships = user.officer_memberships.filter(ended_at__isnull=True)
    if memberships.filter(administrator=administrator).exists():
        return True
    ancestors, parent = [], administrator.parent
    while parent is not None and len(ancestors) < 10:  # an akimat, its department, a district office …
        ancestors.append(parent.pk)
        parent = parent.parent
    return bool(ancestors) and memberships.filter(administrator_id__in=ancestors, include_children=True).exists()


is_site_admin = rules.is_superuser

rules.add_perm("funding.enter_records", is_officer_of | is_site_admin)


@rules.predicate
def is_an_officer(user) -> bool:
    """An officer of some administrator (for the account menu; each record is still checked on its own)."""
    return user.is_authenticated and user.officer_memberships.filter(ended_at__isnull=True).exists()


rules.add_perm("funding.enter_any_records", is_an_officer | is_site_admin)
