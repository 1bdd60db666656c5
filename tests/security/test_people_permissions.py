"""Who may write people in public roles (issue 17), every role through every page that writes: an organisation's
head and board (its managers and the moderators), a competition's commission and scores and an administrator's
officials (the administrator's officers). Reading stays public; writing is refused, and nothing is written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from funding import services as funding_services
from funding.models import AdministratorOfficial, CommissionMember, CommissionScore, OfficerMembership
from registry import services
from registry.models import Membership, OrganisationRole
from tests.funding.factories import clerk, make_administrator, make_competition
from tests.registry.factories import make_organisation, person

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "signed_in",
    "unconfirmed",
    "other_manager",
    "manager",
    "other_officer",
    "officer",
    "moderator",
]


@pytest.fixture
def setting(org, department):
    """The organisation (managed by "manager"), a competition of "department" with one application by it."""
    competition, (lot,) = make_competition(department)
    application = funding_services.application_create(lot=lot, applicant=org, acting_user=clerk())
    member = funding_services.commission_member_add(
        competition=competition,
        person=services.person_find_or_create(name_ru="Член Комиссии", acting_user=clerk()),
        acting_user=clerk(),
    )
    return {"org": org, "competition": competition, "application": application, "member": member}


def login_as(client, role: str, org, department, request):
    if role == "anonymous":
        return None
    if role == "moderator":
        user = request.getfixturevalue("moderator")
    elif role == "unconfirmed":
        user = person("unconfirmed", verified=False)
        Membership.objects.create(user=user, organisation=org, role="owner")
    else:
        user = person(role)
        if role == "manager":
            Membership.objects.create(user=user, organisation=org, role="owner")
        elif role == "other_manager":
            Membership.objects.create(user=user, organisation=make_organisation(), role="owner")
        elif role == "officer":
            OfficerMembership.objects.create(user=user, administrator=department)
        elif role == "other_officer":
            OfficerMembership.objects.create(user=user, administrator=make_administrator(code="elsewhere"))
    client.force_login(user)
    return user


def outcome(response) -> str:
    if response.status_code == 302 and "/login" in response["Location"]:
        return "sign in"
    if response.status_code == 302 and "verify" in response["Location"]:
        return "confirm"
    return str(response.status_code)


PEOPLE_EDIT = {"manager": "ok", "moderator": "ok", "anonymous": "sign in", "unconfirmed": "confirm"}
OFFICERS = {"officer": "ok", "anonymous": "sign in"}


def expected(table: dict, role: str, *, writing: bool) -> str:
    found = table.get(role, "403")
    if found == "ok":
        return "302" if writing else "200"
    return found


@pytest.mark.parametrize("role", ROLES)
def test_the_people_page_of_an_organisation(client, role, setting, department, request):
    org = setting["org"]
    login_as(client, role, org, department, request)
    url = reverse("registry:organisation_people_edit", args=[org.org_id])
    assert outcome(client.get(url)) == expected(PEOPLE_EDIT, role, writing=False)
    data = {"action": "add", "add-name_ru": "Новый Руководитель", "add-kind": "head", "add-source": "organisation"}
    assert outcome(client.post(url, data)) == expected(PEOPLE_EDIT, role, writing=True)
    assert OrganisationRole.objects.filter(organisation=org).exists() == (PEOPLE_EDIT.get(role) == "ok")


@pytest.mark.parametrize("role", ROLES)
def test_ending_and_correcting_a_role(client, role, setting, department, request):
    org = setting["org"]
    head = services.organisation_role_add(
        organisation=org,
        person=services.person_find_or_create(name_ru="Глава Организации", acting_user=clerk()),
        kind="head",
        source="state_register",
        acting_user=clerk(),
    )
    login_as(client, role, org, department, request)
    url = reverse("registry:organisation_people_edit", args=[org.org_id])
    allowed = PEOPLE_EDIT.get(role) == "ok"
    correct = {"action": "correct", "role": head.pk, "correct-source": "organisation", "correct-title": "директор"}
    assert outcome(client.post(url, correct)) == expected(PEOPLE_EDIT, role, writing=True)
    end = {"action": "end", "role": head.pk, "end-ended_on": "2030-01-01"}
    assert outcome(client.post(url, end)) == expected(PEOPLE_EDIT, role, writing=True)
    head.refresh_from_db()
    assert (head.title == "директор") == allowed
    assert (head.ended_on is not None) == allowed


@pytest.mark.parametrize("role", ROLES)
def test_the_commission_page(client, role, setting, department, request):
    login_as(client, role, setting["org"], department, request)
    url = reverse("funding:commission_members", args=[setting["competition"].public_id])
    assert outcome(client.get(url)) == expected(OFFICERS, role, writing=False)
    data = {
        "action": "add",
        "add-name_ru": "Другой Член",
        "add-role": "member",
        "add-stage": "1",
        "add-role_source": "protocol",
    }
    assert outcome(client.post(url, data)) == expected(OFFICERS, role, writing=True)
    assert CommissionMember.objects.count() == (2 if role == "officer" else 1)
    remove = {"action": "remove", "remove-member": setting["member"].pk}
    assert outcome(client.post(url, remove)) == expected(OFFICERS, role, writing=True)
    assert CommissionMember.objects.filter(pk=setting["member"].pk).exists() == (role != "officer")


@pytest.mark.parametrize("role", ROLES)
def test_the_scores_page(client, role, setting, department, request):
    login_as(client, role, setting["org"], department, request)
    url = reverse("funding:commission_scores", args=[setting["competition"].public_id])
    assert outcome(client.get(url)) == expected(OFFICERS, role, writing=False)
    data = {
        "action": "score",
        "score-application": setting["application"].pk,
        "score-member": setting["member"].pk,
        "score-criterion": "Актуальность",
        "score-score": "5",
    }
    assert outcome(client.post(url, data)) == expected(OFFICERS, role, writing=True)
    assert CommissionScore.objects.filter(score=Decimal(5)).exists() == (role == "officer")


@pytest.mark.parametrize("role", ROLES)
def test_the_officials_page(client, role, setting, department, request):
    official = funding_services.administrator_official_add(
        administrator=department,
        person=services.person_find_or_create(name_ru="Аким Района", acting_user=clerk()),
        position="руководитель",
        role_source="administrator",
        acting_user=clerk(),
    )
    login_as(client, role, setting["org"], department, request)
    url = reverse("funding:administrator_officials", args=[department.code])
    assert outcome(client.get(url)) == expected(OFFICERS, role, writing=False)
    data = {
        "action": "add",
        "add-name_ru": "Новый Чиновник",
        "add-position": "заместитель",
        "add-role_source": "administrator",
    }
    assert outcome(client.post(url, data)) == expected(OFFICERS, role, writing=True)
    assert AdministratorOfficial.objects.count() == (2 if role == "officer" else 1)
    end = {"action": "end", "end-official": official.pk, "end-ended_on": "2030-01-01"}
    assert outcome(client.post(url, end)) == expected(OFFICERS, role, writing=True)
    official.refresh_from_db()
    assert (official.ended_on is not None) == (role == "officer")
