"""Issue 17: a person's page lists the current run's flags whose records name them (their subject is the
competition, administrator or award), and only those."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registry.models import Person
from scoring.models import Flag, SummaryRun

pytestmark = pytest.mark.django_db


def test_the_person_page_shows_the_flags_that_name_them(client):
    run = SummaryRun.objects.create(version="test", status=SummaryRun.Status.DONE, current=True)
    named, other = Person.objects.create(name_ru="Нурлан Алиев"), Person.objects.create(name_ru="Ерлан Сатпаев")

    def flag(code: str, person: Person, title: str) -> Flag:
        return Flag.objects.create(
            run=run,
            code=code,
            subject_type="competition",
            subject_key="C0000001",
            title=title,
            year=2020,
            records=[{"type": "competition", "key": "C0000001"}, {"type": "person", "key": str(person.pk)}],
        )

    flag("conflict_of_interest", named, "Seat and applicant")
    flag("collusion", other, "Someone else's flag")
    page = client.get(reverse("registry:person_detail", args=[named.pk])).content.decode()
    assert reverse("scoring:flag_detail", args=["conflict_of_interest", "competition", "C0000001"]) in page
    assert reverse("scoring:flag_detail", args=["collusion", "competition", "C0000001"]) not in page
    from scoring.selectors import flags_on_record

    assert [f.code for f in flags_on_record(subject_type="person", subject_key=str(named.pk))] == [
        "conflict_of_interest"
    ]
