"""Flags on competitions: a lot with a single applicant."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Count, Q

from funding.models import STATE_MECHANISMS, Application, Lot
from scoring.flags.catalogue import Hit


def single_applicant_find(*, today: datetime.date) -> Iterator[Hit]:
    lots = (
        Lot.objects.filter(competition__mechanism__in=STATE_MECHANISMS)
        .annotate(
            applications_n=Count("applications"),
            admissible=Count(
                "applications",
                filter=~Q(applications__outcome__in=(Application.Outcome.REJECTED, Application.Outcome.WITHDRAWN)),
            ),
            withdrawn=Count("applications", filter=Q(applications__outcome=Application.Outcome.WITHDRAWN)),
            rejected=Count("applications", filter=Q(applications__outcome=Application.Outcome.REJECTED)),
        )
        .values(
            "id",
            "number",
            "title",
            "reported_applicants",
            "applications_n",
            "admissible",
            "withdrawn",
            "rejected",
            "competition__public_id",
            "competition__title",
            "competition__announced_on",
            "competition__administrator__code",
            "region_id",
            "planned_amount",
        )
    )
    for lot in lots.iterator(chunk_size=2000):  # a generator: the most frequent flag is never held whole
        recorded = lot["applications_n"]
        single = (recorded and lot["admissible"] == 1) or (not recorded and lot["reported_applicants"] == 1)
        if not single:
            continue
        yield (
            Hit(
                code="single_applicant",
                subject_type="competition",
                subject_key=lot["competition__public_id"],
                title=f"{lot['competition__title']}, lot {lot['number']}",
                year=lot["competition__announced_on"].year,
                administrator=lot["competition__administrator__code"],
                region=lot["region_id"] or "",
                amount=lot["planned_amount"],
                values={
                    "lot": lot["number"],
                    "applications": recorded,
                    "rejected": lot["rejected"],
                    "withdrawn": lot["withdrawn"],
                    "admissible": lot["admissible"],
                    "reported_applicants": lot["reported_applicants"],
                },
                records=[{"type": "competition", "key": lot["competition__public_id"], "label": lot["title"]}],
            )
        )
