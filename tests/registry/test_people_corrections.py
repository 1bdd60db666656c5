"""A person in a public role asks for a correction through the concerns workflow (issue 17)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from registry import services
from registry.models import Membership
from scoring.models import Concern
from scoring.records import record_parties, record_url, record_urls
from scoring.services import concern_file, concern_triage
from tests.registry.factories import clerk

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(org):
    someone = services.person_find_or_create(name_ru="Нурлан Алиев", acting_user=clerk())
    services.organisation_role_add(
        organisation=org, person=someone, kind="head", source="state_register", acting_user=clerk()
    )
    return someone


def test_a_person_is_a_record_concerns_can_be_about(head):
    key = str(head.pk)
    assert record_url("person", key, check=True) == reverse("registry:person_detail", args=[head.pk])
    assert record_url("person", "999999", check=True) is None
    assert record_url("person", "not-a-number", check=True) is None
    assert record_urls([("person", key), ("person", "999999")]) == {
        ("person", key): f"/people/{head.pk}/",
        ("person", "999999"): None,
    }


def test_a_correction_is_asked_for_from_the_concern_form(client, signed_in_user, head):
    client.force_login(signed_in_user)
    url = reverse("scoring:concern_new", args=["person", head.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"what": "My name is spelt Нұрлан Әлиев and I left in 2023.", "evidence": ""})
    assert response.status_code == 302 and response["Location"] == f"/people/{head.pk}/"
    concern = Concern.objects.get()
    assert (concern.subject_type, concern.subject_key) == ("person", str(head.pk))


def test_a_moderator_who_manages_the_persons_organisation_does_not_decide(org, head, moderator, signed_in_user):
    Membership.objects.create(user=moderator, organisation=org, role="owner")
    assert record_parties([("person", str(head.pk))])[("person", str(head.pk))] == ({org.pk}, set())
    concern = concern_file(
        subject_type="person", subject_key=str(head.pk), what="wrong dates", evidence="", acting_user=signed_in_user
    )
    with pytest.raises(PermissionDenied):
        concern_triage(concern=concern, status="resolved", resolution="corrected", moderator=moderator)
