"""Who may change what in the registry: the one place object-level permissions are decided (django-rules).

Views ask `user.has_perm("registry.<perm>", organisation)`; tests walk every role through every write page.
"""

from __future__ import annotations

import rules

MODERATORS = "moderators"


@rules.predicate
def is_moderator(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.groups.filter(name=MODERATORS).exists()))


@rules.predicate
def manages(user, organisation) -> bool:
    if not user.is_authenticated or organisation is None:
        return False
    return organisation.memberships.filter(user=user, ended_at__isnull=True).exists()


@rules.predicate
def owns(user, organisation) -> bool:
    if not user.is_authenticated or organisation is None:
        return False
    return organisation.memberships.filter(user=user, ended_at__isnull=True, role="owner").exists()


rules.add_perm("registry.claim_organisation", rules.is_authenticated)
rules.add_perm("registry.edit_organisation", manages | is_moderator)
rules.add_perm("registry.manage_managers", owns | is_moderator)
rules.add_perm("registry.moderate", is_moderator)
