"""The registry's personas (an organisation, its owner and editor, another organisation's owner) and funding's
(a department under an akimat, its officer), shared."""

from tests.funding.conftest import akimat, department, officer
from tests.registry.conftest import editor, org, other_org, owner, stranger_owner

__all__ = ["akimat", "department", "editor", "officer", "org", "other_org", "owner", "stranger_owner"]
