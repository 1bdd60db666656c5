from __future__ import annotations

from registry.selectors import demo_dataset


def site(request) -> dict:
    return {"demo_dataset": demo_dataset()}
