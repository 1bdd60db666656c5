"""Officers record who decides the money (issue 17): an administrator's officials, a competition's commission and
its scores by member and criterion; every write in the competition's history, announced."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from funding import services
from funding.models import AdministratorOfficial, CommissionMember, CommissionScore, FundingChange, Mechanism
from registry import services as registry_services
from tests.funding.factories import clerk, make_competition
from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db
D = datetime.date


def person(name: str):
    return registry_services.person_find_or_create(name_ru=name, acting_user=clerk())


def application(lot, **extra):
    return services.application_create(lot=lot, applicant=make_organisation(), acting_user=clerk(), **extra)


@pytest.fixture
def grant(department):
    competition, (lot,) = make_competition(department, mechanism=Mechanism.SOCIAL_ORDER)
    return competition, lot


def test_a_member_sits_on_the_commission_and_the_history_says_so(grant):
    competition, _lot = grant
    member = services.commission_member_add(
        competition=competition, person=person("Нурлан Алиев"), role="chair", acting_user=clerk()
    )
    assert member.stage == 1 and member.source == "protocol"
    change = FundingChange.objects.filter(competition=competition, field="commission").get()
    assert change.new_value.startswith("Нурлан Алиев") and change.record == FundingChange.Record.COMPETITION


def test_a_one_stage_mechanism_refuses_stage_two_and_an_ngo_award_takes_it(grant, department):
    competition, _lot = grant
    with pytest.raises(ValidationError, match="one stage"):
        services.commission_member_add(competition=competition, person=person("А Б"), stage=2, acting_user=clerk())
    award_competition, _lots = make_competition(department, mechanism=Mechanism.NGO_AWARD)
    member = services.commission_member_add(
        competition=award_competition, person=person("А Б"), stage=2, acting_user=clerk()
    )
    assert member.stage == 2


def test_a_seat_is_taken_once_per_stage(grant):
    competition, _lot = grant
    someone = person("Нурлан Алиев")
    services.commission_member_add(competition=competition, person=someone, acting_user=clerk())
    with pytest.raises(ValidationError):
        services.commission_member_add(competition=competition, person=someone, acting_user=clerk())


def test_a_score_is_recorded_then_corrected_with_its_old_value_kept(grant):
    competition, lot = grant
    entry = application(lot)
    member = services.commission_member_add(competition=competition, person=person("Нурлан Алиев"), acting_user=clerk())
    services.commission_score_set(
        application=entry,
        member=member,
        criterion="relevance",
        score=Decimal(7),
        max_score=Decimal(10),
        acting_user=clerk(),
    )
    _score, changed = services.commission_score_set(
        application=entry,
        member=member,
        criterion="relevance",
        score=Decimal(7),
        max_score=Decimal(10),
        acting_user=clerk(),
    )
    assert not changed
    services.commission_score_set(
        application=entry,
        member=member,
        criterion="relevance",
        score=Decimal(8),
        max_score=Decimal(10),
        acting_user=clerk(),
    )
    assert CommissionScore.objects.get().score == Decimal(8)
    last = FundingChange.objects.filter(field="score").order_by("-id").first()
    assert "7.00 / 10.00" in last.old_value and "8.00 / 10.00" in last.new_value
    assert FundingChange.objects.filter(field="score").count() == 2
    with pytest.raises(ValidationError, match="above the highest"):
        services.commission_score_set(
            application=entry,
            member=member,
            criterion="relevance",
            score=Decimal(11),
            max_score=Decimal(10),
            acting_user=clerk(),
        )


def test_a_member_of_another_competition_can_not_score(grant, department):
    _competition, lot = grant
    other, _lots = make_competition(department)
    stranger = services.commission_member_add(competition=other, person=person("Чужой Член"), acting_user=clerk())
    with pytest.raises(ValidationError, match="another competition"):
        services.commission_score_set(
            application=application(lot), member=stranger, criterion="x", score=Decimal(1), acting_user=clerk()
        )
    assert not CommissionScore.objects.exists()


def test_an_ngo_award_is_scored_on_its_five_criteria_only(department):
    competition, (lot,) = make_competition(department, mechanism=Mechanism.NGO_AWARD)
    member = services.commission_member_add(competition=competition, person=person("А Б"), acting_user=clerk())
    entry = application(lot)
    with pytest.raises(ValidationError, match="five criteria"):
        services.commission_score_set(
            application=entry, member=member, criterion="relevance", score=Decimal(1), acting_user=clerk()
        )
    score, _changed = services.commission_score_set(
        application=entry, member=member, criterion="innovation", score=Decimal(4), acting_user=clerk()
    )
    assert services.criterion_label(score.criterion) == "innovation"
    assert services.criterion_label("social_contribution").startswith("social contribution")


def test_a_member_who_scored_stays_and_one_entered_by_mistake_goes(grant):
    competition, lot = grant
    scored = services.commission_member_add(competition=competition, person=person("А Б"), acting_user=clerk())
    mistaken = services.commission_member_add(competition=competition, person=person("В Г"), acting_user=clerk())
    services.commission_score_set(
        application=application(lot), member=scored, criterion="x", score=Decimal(1), acting_user=clerk()
    )
    with pytest.raises(ValidationError, match="stays"):
        services.commission_member_remove(member=scored, acting_user=clerk())
    services.commission_member_remove(member=mistaken, acting_user=clerk())
    assert list(CommissionMember.objects.values_list("pk", flat=True)) == [scored.pk]
    assert CommissionMember.all_objects.get(pk=mistaken.pk).removed_at is not None  # kept, never deleted
    again = services.commission_member_add(competition=competition, person=mistaken.person, acting_user=clerk())
    assert again.pk != mistaken.pk  # the right seat can be recorded afresh
    removed = FundingChange.objects.filter(field="commission", new_value="").get()
    assert removed.old_value.startswith("В Г")


def test_an_official_post_is_added_and_ended(department):
    official = services.administrator_official_add(
        administrator=department,
        person=person("Нурлан Алиев"),
        position="руководитель управления",
        role_source="administrator",
        started_on=D(2018, 1, 1),
        acting_user=clerk(),
    )
    with pytest.raises(ValidationError, match="before it starts"):
        services.administrator_official_end(official=official, ended_on=D(2017, 1, 1), acting_user=clerk())
    services.administrator_official_end(official=official, ended_on=D(2022, 3, 1), acting_user=clerk())
    assert AdministratorOfficial.objects.get().ended_on == D(2022, 3, 1)
    assert FundingChange.objects.filter(record=services.RECORD_OFFICIAL, administrator=department).count() == 4
    with pytest.raises(ValidationError, match="already ended"):
        services.administrator_official_end(official=official, ended_on=D(2023, 1, 1), acting_user=clerk())


def test_commission_writes_are_announced(grant, django_capture_on_commit_callbacks):
    from funding.signals import competition_changed

    competition, _lot = grant
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    competition_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.commission_member_add(competition=competition, person=person("А Б"), acting_user=clerk())
    finally:
        competition_changed.disconnect(listener)
    assert heard[-1]["competition_id"] == competition.pk and "commission" in heard[-1]["changes"]


def test_the_officer_records_members_and_scores_on_the_competition_pages(client, officer, grant):
    competition, lot = grant
    entry = application(lot)
    client.force_login(officer)
    url = reverse("funding:commission_members", args=[competition.public_id])
    response = client.post(
        url,
        {
            "action": "add",
            "add-name_kk": "Нұрлан Әлиев",
            "add-role": "chair",
            "add-stage": "1",
            "add-role_source": "protocol",
            "add-source_note": "protocol No. 3",
        },
    )
    assert response.status_code == 302
    member = CommissionMember.objects.get()
    assert member.person.name_kk == "Нұрлан Әлиев"
    page = client.get(url).content.decode()
    assert "Нұрлан Әлиев" in page and "<td>chair</td>" in page
    scores = reverse("funding:commission_scores", args=[competition.public_id])
    response = client.post(
        scores,
        {
            "action": "score",
            "score-application": entry.pk,
            "score-member": member.pk,
            "score-criterion": "Актуальность",
            "score-score": "8.5",
            "score-max_score": "10",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert CommissionScore.objects.get().score == Decimal("8.5")
    assert "Актуальность" in client.get(scores).content.decode()
    history = client.get(reverse("funding:competition_detail", args=[competition.public_id]))
    assert history.status_code == 200


def test_the_officer_records_officials_on_the_administrator_page(client, officer, department):
    client.force_login(officer)
    url = reverse("funding:administrator_officials", args=[department.code])
    response = client.post(
        url,
        {
            "action": "add",
            "add-name_ru": "Нурлан Алиев",
            "add-position": "руководитель",
            "add-started_on": "2019-01-01",
            "add-role_source": "administrator",
        },
    )
    assert response.status_code == 302
    official = AdministratorOfficial.objects.get()
    response = client.post(url, {"action": "end", "end-official": official.pk, "end-ended_on": "2018-01-01"})
    assert response.status_code == 200 and "before it starts" in response.content.decode()
    response = client.post(url, {"action": "end", "end-official": official.pk, "end-ended_on": "2021-01-01"})
    assert response.status_code == 302
    official.refresh_from_db()
    assert official.ended_on == D(2021, 1, 1)


def test_the_manage_pages_make_as_many_queries_whatever_the_rows(client, officer, grant, department):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    competition, lot = grant
    client.force_login(officer)
    pages = [
        reverse("funding:commission_members", args=[competition.public_id]),
        reverse("funding:commission_scores", args=[competition.public_id]),
        reverse("funding:administrator_officials", args=[department.code]),
    ]

    def counts():
        found = []
        for url in pages:
            client.get(url)  # what a first request caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    def add_rows(start: int, n: int):
        for i in range(start, start + n):
            member = services.commission_member_add(
                competition=competition, person=person(f"Член {'АБВГДЕЖЗИК'[i] * 3}"), acting_user=clerk()
            )
            services.commission_score_set(
                application=application(lot), member=member, criterion="x", score=Decimal(1), acting_user=clerk()
            )
            services.administrator_official_add(
                administrator=department,
                person=person(f"Чиновник {'АБВГДЕЖЗИК'[i] * 3}"),
                position="p",
                role_source="administrator",
                acting_user=clerk(),
            )

    add_rows(0, 1)
    few = counts()
    add_rows(1, 5)
    assert counts() == few
