"""The imports page is tried with funding's personas (officers of an administrator and its departments)."""

from __future__ import annotations

from tests.funding.conftest import *  # noqa: F403
from tests.registry.conftest import *  # noqa: F403
