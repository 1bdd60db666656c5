"""Extends seed_demo with funding data, through the signal the registry sends (registry imports no funding)."""

from __future__ import annotations

from django.dispatch import receiver

from registry.signals import demo_registry_loaded


@receiver(demo_registry_loaded)
def _seed_demo_funding(sender, *, seed: int, organisations: int, **kwargs) -> None:
    from funding.demo import load_demo_funding

    load_demo_funding(seed=seed, scale=organisations / 22_300)
