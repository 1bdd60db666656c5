"""Entering an organisation's people (issue 17): one person across scripts and spellings, never merged silently;
the head, founders and board with dates and sources; every change on the History tab."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from registry import services
from registry.models import ChangeRecord, OrganisationRole, Person, RoleSource

pytestmark = pytest.mark.django_db
HEAD = OrganisationRole.Kind.HEAD
D = datetime.date


def find(owner, **names):
    return services.person_find_or_create(acting_user=owner, **names)


def add(org, person, owner, kind=HEAD, **extra):
    extra.setdefault("source", RoleSource.STATE_REGISTER)
    return services.organisation_role_add(organisation=org, person=person, kind=kind, acting_user=owner, **extra)


def test_the_same_name_in_another_script_or_spelling_is_the_same_person(owner):
    first = find(owner, name_kk="Нұрлан Әлиев")
    assert find(owner, name_ru="Нурлан Алиев") == first
    assert find(owner, name_en="Aliev Nurlan") == first
    assert Person.objects.count() == 1


def test_namesakes_are_never_merged_silently(owner):
    first = find(owner, name_ru="Нурлан Алиев")
    second = find(owner, name_ru="Нурлан Алиев", namesake=True)
    assert second != first
    with pytest.raises(ValidationError, match="2 people named"):
        find(owner, name_en="Nurlan Aliev")


def test_a_person_needs_a_name(owner):
    with pytest.raises(ValidationError):
        find(owner, name_ru="  ")


def test_a_new_head_ends_the_current_one_and_history_reads_old_to_new(org, owner):
    add(org, find(owner, name_ru="Айгуль Сериккызы"), owner, started_on=D(2015, 3, 1))
    add(org, find(owner, name_ru="Нурлан Алиев"), owner, started_on=D(2021, 6, 1), title="председатель")
    roles = {role.person.name_ru: role for role in org.roles.select_related("person")}
    assert roles["Айгуль Сериккызы"].ended_on == D(2021, 5, 31)
    assert roles["Нурлан Алиев"].ended_on is None
    change = ChangeRecord.objects.filter(organisation=org, field="head").first()
    assert (change.old_value, change.new_value) == ("Айгуль Сериккызы", "Нурлан Алиев")
    org.refresh_from_db()
    assert change.version == org.version


def test_a_new_head_can_not_start_before_the_current_one(org, owner):
    add(org, find(owner, name_ru="Айгуль Сериккызы"), owner, started_on=D(2015, 3, 1))
    with pytest.raises(ValidationError, match="2015"):
        add(org, find(owner, name_ru="Нурлан Алиев"), owner, started_on=D(2014, 1, 1))
    assert org.roles.count() == 1


def test_board_members_are_listed_together_and_ending_one_keeps_it_as_history(org, owner):
    kind = OrganisationRole.Kind.BOARD_MEMBER
    first = add(org, find(owner, name_ru="Б Бекова"), owner, kind=kind, started_on=D(2020, 1, 1))
    add(org, find(owner, name_ru="А Ахметов"), owner, kind=kind, started_on=D(2020, 1, 1))
    services.organisation_role_end(role=first, ended_on=D(2022, 1, 1), acting_user=owner)
    last = ChangeRecord.objects.filter(organisation=org, field=kind).first()
    assert (last.old_value, last.new_value) == ("А Ахметов; Б Бекова", "А Ахметов")
    assert org.roles.count() == 2
    with pytest.raises(ValidationError):
        services.organisation_role_end(role=first, ended_on=D(2023, 1, 1), acting_user=owner)


def test_a_correction_is_listed_on_the_history(org, owner):
    role = add(org, find(owner, name_ru="Нурлан Алиев"), owner, started_on=D(2019, 1, 1))
    services.organisation_role_correct(role=role, values={"started_on": D(2018, 1, 1)}, acting_user=owner)
    change = ChangeRecord.objects.filter(organisation=org, field="head").first()
    assert "2019-01-01" in change.old_value and "2018-01-01" in change.new_value
    with pytest.raises(ValidationError):
        services.organisation_role_correct(role=role, values={"person": None}, acting_user=owner)


def test_a_role_change_is_announced_after_commit(org, owner, django_capture_on_commit_callbacks):
    from registry.signals import organisation_changed

    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    organisation_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            add(org, find(owner, name_ru="Нурлан Алиев"), owner, started_on=D(2019, 1, 1))
    finally:
        organisation_changed.disconnect(listener)
    assert heard and heard[-1]["organisation_id"] == org.pk and "head" in heard[-1]["changes"]


def test_the_manager_adds_ends_and_corrects_roles_on_the_people_page(client, org, owner):
    url = reverse("registry:organisation_people_edit", args=[org.org_id])
    client.force_login(owner)
    page = client.get(url)
    assert page.status_code == 200 and "IIN" in page.content.decode()
    response = client.post(
        url,
        {
            "action": "add",
            "add-name_kk": "Нұрлан Әлиев",
            "add-kind": "head",
            "add-started_on": "2020-02-01",
            "add-source": "state_register",
            "add-source_note": "extract of 2024-01-10",
        },
    )
    assert response.status_code == 302
    role = org.roles.get()
    assert (role.person.name_kk, role.started_on, role.source) == ("Нұрлан Әлиев", D(2020, 2, 1), "state_register")
    assert ChangeRecord.objects.get(organisation=org, field="head").source == ChangeRecord.Source.MANAGER
    response = client.post(
        url,
        {
            "action": "correct",
            "role": role.pk,
            "correct-started_on": "2020-01-15",
            "correct-source": "state_register",
            "correct-title": "директор",
        },
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert (role.started_on, role.title) == (D(2020, 1, 15), "директор")
    response = client.post(url, {"action": "end", "role": role.pk, "end-ended_on": "2019-01-01"})
    assert response.status_code == 200 and "can not end before" in response.content.decode()
    response = client.post(url, {"action": "end", "role": role.pk, "end-ended_on": "2024-12-31"})
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.ended_on == D(2024, 12, 31)
    page = client.get(url).content.decode()
    assert "Нұрлан Әлиев" in page and "<td>state register extract" in page  # labels, never keys


def test_the_page_names_the_field_of_a_refused_role(client, org, owner):
    client.force_login(owner)
    url = reverse("registry:organisation_people_edit", args=[org.org_id])
    response = client.post(url, {"action": "add", "add-kind": "head", "add-source": "organisation"})
    assert response.status_code == 200 and "at least one language" in response.content.decode()
    assert not Person.objects.exists()


def test_the_people_page_makes_as_many_queries_whatever_the_roles(client, org, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("registry:organisation_people_edit", args=[org.org_id])
    client.force_login(owner)

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(org, find(owner, name_ru="Первый Глава"), owner, started_on=D(2010, 1, 1))
    few = count()
    for i in range(5):
        add(
            org,
            find(owner, name_ru=f"Член {'АБВГД'[i] * 3}"),
            owner,
            kind=OrganisationRole.Kind.BOARD_MEMBER,
            ended_on=D(2020, 1, 1),
        )
    assert count() == few
