"""Who may change what in the registry: the one place object-level permissions are decided (django-rules).

Views ask `user.has_perm("registry.<perm>", organisation)`; tests walk every role through every write page.
"""

from __future__ import annotations

import rules

from registry.selectors import email_verified

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


@rules.predicate
def has_verified_email(user) -> bool:
    """An account may act on records only once its e-mail address is confirmed (a typed address proves nothing)."""
    return email_verified(user)


@rules.predicate
def filed_claim(user, claim) -> bool:
    return claim is not None and claim.user_id == user.pk


@rules.predicate
def manages_claimed(user, claim) -> bool:
    return claim is not None and manages(user, claim.organisation)


rules.add_perm("registry.claim_organisation", rules.is_authenticated & has_verified_email)
rules.add_perm("registry.edit_organisation", (manages & has_verified_email) | is_moderator)
rules.add_perm("registry.manage_managers", (owns & has_verified_email) | is_moderator)
rules.add_perm("registry.moderate", is_moderator)
# Four eyes: nobody decides about an organisation they manage or a request they filed. Asked for through these
# predicates (not user.has_perm, which lets a superuser through everything), by the services and the pages.
decides_claim = is_moderator & ~filed_claim & ~manages_claimed
decides_about = is_moderator & ~manages
