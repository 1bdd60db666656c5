"""Report a concern: who may file and triage, what is validated, and what the record's page shows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from scoring.models import Concern
from tests.funding.factories import make_administrator, make_award

pytestmark = pytest.mark.django_db


@pytest.fixture
def award():
    return make_award(administrator=make_administrator(code="dept"), awarded_on=datetime.date(2022, 3, 1))


def file_url(award) -> str:
    return reverse("scoring:concern_new", args=["award", award.public_id])


GOOD = {"what": "The same project was paid twice.", "evidence": "https://example.kz/a\n\nhttps://example.kz/b"}


def test_a_signed_in_person_files_and_the_record_shows_its_status(client, signed_in_user, award):
    client.force_login(signed_in_user)
    response = client.post(file_url(award), GOOD)
    assert response["Location"] == award.get_absolute_url()
    concern = Concern.objects.get()
    assert concern.evidence == "https://example.kz/a\nhttps://example.kz/b" and concern.status == "open"
    page = client.get(award.get_absolute_url()).content.decode()
    assert "Concerns reported" in page and "open" in page
    assert signed_in_user.get_username() not in page.split("Concerns reported")[1][:300]  # the filer is not shown


def test_evidence_must_be_web_links_and_the_record_must_exist(client, signed_in_user, award):
    client.force_login(signed_in_user)
    response = client.post(file_url(award), {"what": "x", "evidence": "javascript:alert(1)"})
    assert "is not a web link" in response.content.decode() and not Concern.objects.exists()
    assert client.get(reverse("scoring:concern_new", args=["award", "NOPE"])).status_code == 404
    assert client.get(reverse("scoring:concern_new", args=["planet", "x"])).status_code == 404


def test_a_moderator_resolves_with_a_public_note(client, moderator, signed_in_user, award):
    concern = Concern.objects.create(
        subject_type="award", subject_key=award.public_id, what="?", filed_by=signed_in_user
    )
    client.force_login(moderator)
    assert award.public_id in client.get(reverse("scoring:concern_queue")).content.decode()
    url = reverse("scoring:concern_triage", args=[concern.pk])
    client.post(url, {"status": "resolved", "resolution": ""})
    concern.refresh_from_db()
    assert concern.status == "open"  # a resolution needs its note
    client.post(url, {"status": "resolved", "resolution": "Two phases of one project; both reported."})
    concern.refresh_from_db()
    assert concern.status == "resolved" and concern.decided_by == moderator
    assert "Two phases of one project" in client.get(award.get_absolute_url()).content.decode()


@pytest.mark.parametrize("role", ["anonymous", "signed_in_user", "moderator", "superuser"])
def test_permission_matrix(client, request, role, award, signed_in_user):
    concern = Concern.objects.create(
        subject_type="award", subject_key=award.public_id, what="?", filed_by=signed_in_user
    )
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    filed = client.post(file_url(award), GOOD)
    queue = client.get(reverse("scoring:concern_queue"))
    triaged = client.post(
        reverse("scoring:concern_triage", args=[concern.pk]), {"status": "dismissed", "resolution": "No."}
    )
    concern.refresh_from_db()
    if role == "anonymous":
        assert filed.status_code == 302 and filed["Location"].startswith(reverse("login"))
        assert Concern.objects.count() == 1
    else:
        assert filed.status_code == 302 and Concern.objects.count() == 2
    if role in ("moderator", "superuser"):
        assert queue.status_code == 200 and triaged.status_code == 302 and concern.status == "dismissed"
    else:
        assert queue.status_code == triaged.status_code == 404 and concern.status == "open"


def test_the_queue_costs_a_constant_number_of_queries(client, moderator, signed_in_user, award):
    """Each concern's record is looked up in one query per kind of record, not one per concern."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scoring.services import concern_file
    from tests.registry.factories import make_organisation

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("scoring:concern_queue")).status_code == 200
        return len(queries)

    def file(kind: str, key: str) -> None:
        concern_file(subject_type=kind, subject_key=key, what="Looks odd.", evidence="", acting_user=signed_in_user)

    client.force_login(moderator)
    file("award", award.public_id)
    file("organisation", make_organisation().org_id)
    file("administrator", award.administrator.code)
    count()
    few = count()
    for _ in range(5):
        file("award", make_award(administrator=award.administrator).public_id)
        file("organisation", make_organisation().org_id)
        file("administrator", award.administrator.code)
    assert count() == few


def test_a_concern_about_a_record_that_does_not_exist_is_refused_by_the_service(signed_in_user):
    from django.core.exceptions import ValidationError

    from scoring.services import concern_file

    with pytest.raises(ValidationError):
        concern_file(subject_type="award", subject_key="NOSUCH00", what="x", evidence="", acting_user=signed_in_user)
    assert not Concern.objects.exists()
