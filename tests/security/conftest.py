"""The registry's personas (an organisation, its owner and editor, another organisation's owner), shared."""

from tests.registry.conftest import editor, org, other_org, owner, stranger_owner

__all__ = ["editor", "org", "other_org", "owner", "stranger_owner"]
