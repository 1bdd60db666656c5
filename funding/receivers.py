"""funding's answers to the registry's signals (registry imports no funding)."""

from __future__ import annotations

from django.dispatch import receiver

from registry.signals import demo_registry_loaded, organisation_merging


@receiver(demo_registry_loaded)
def _seed_demo_funding(sender, *, seed: int, organisations: int, **kwargs) -> None:
    from funding.demo import load_demo_funding

    load_demo_funding(seed=seed, scale=organisations / 22_300)


@receiver(organisation_merging)
def _move_funding_to_survivor(sender, *, survivor, merged, moved: dict, **kwargs) -> None:
    """A merged duplicate's awards and applications belong to the survivor (listed for an undo)."""
    from funding.models import Application, Award
    from registry.services import merge_move

    merge_move(moved, Award, "recipient", Award.objects.filter(recipient=merged), survivor)
    # One application per lot and organisation: where both applied to the same lot, the duplicate's stays.
    lots = Application.objects.filter(applicant=survivor).values_list("lot", flat=True)
    merge_move(
        moved, Application, "applicant", Application.objects.filter(applicant=merged).exclude(lot__in=lots), survivor
    )


def _connect_exports() -> None:
    """Changes to published funding records regenerate the downloads a while later (registry.tasks)."""
    from django.db.models.signals import post_save

    from funding.models import Amendment, Application, Award, AwardStatusEvent, Competition, Evaluation, Lot, Payment
    from registry.signals import schedule_exports

    for model in (Award, AwardStatusEvent, Payment, Amendment, Evaluation, Competition, Lot, Application):
        post_save.connect(schedule_exports, sender=model, dispatch_uid=f"exports-{model.__name__}")


_connect_exports()
