"""Found 2 (issue 14): "aigerim approved aigerim". Nobody decides a claim, merge, document hiding, status change
or concern about an organisation they manage or a request they filed, site administrators included; the page
says who may instead of offering the form."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding.models import OfficerMembership
from registry import services
from registry.models import Document, Membership, Merge, OwnershipClaim, StatusEvent
from scoring import services as scoring_services
from scoring.models import Concern
from tests.funding.factories import make_administrator, make_award
from tests.registry.factories import make_organisation, person

pytestmark = pytest.mark.django_db
SOMEONE_ELSE = "another moderator"


@pytest.fixture
def aigerim(db):
    """A moderator who is also a person with her own organisation."""
    user = person("aigerim")
    user.groups.add(Group.objects.get(name="moderators"))
    return user


@pytest.fixture
def her_claim(org, aigerim):
    return services.claim_submit(user=aigerim, organisation=org, position="Director", contact="+7 701 000 00 00")


def test_a_moderator_can_not_approve_her_own_claim(client, her_claim, aigerim, moderator):
    client.force_login(aigerim)
    queue = client.get(reverse("registry:moderation_claims")).content.decode()
    assert SOMEONE_ELSE in queue and reverse("registry:claim_decide", args=[her_claim.pk]) not in queue
    response = client.post(reverse("registry:claim_decide", args=[her_claim.pk]), {"decision": "approve"}, follow=True)
    assert "another moderator decides it" in response.content.decode()
    her_claim.refresh_from_db()
    assert her_claim.status == "pending" and not Membership.objects.filter(user=aigerim).exists()
    # Any other moderator may.
    services.claim_decide(claim=her_claim, moderator=moderator, approve=True)
    assert Membership.objects.get(user=aigerim).role == "owner"


def test_nor_a_claim_on_an_organisation_she_manages(org, aigerim, signed_in_user):
    Membership.objects.create(user=aigerim, organisation=org, role="editor")
    claim = services.claim_submit(user=signed_in_user, organisation=org, position="Director", contact="x")
    with pytest.raises(PermissionDenied):
        services.claim_decide(claim=claim, moderator=aigerim, approve=False, reason="no")
    assert OwnershipClaim.objects.get().status == "pending"


def test_site_administrators_are_bound_too(org, superuser):
    Membership.objects.create(user=superuser, organisation=org, role="owner")
    with pytest.raises(PermissionDenied):
        services.organisation_status_record(
            organisation=org, kind="found_inactive", occurred_on=datetime.date(2020, 1, 1), moderator=superuser
        )
    assert not StatusEvent.objects.filter(kind="found_inactive").exists()


@pytest.fixture
def managed(org, aigerim):
    Membership.objects.create(user=aigerim, organisation=org, role="owner")
    return org


def test_status_change_page_says_who_may_and_refuses(client, managed, aigerim):
    client.force_login(aigerim)
    url = reverse("registry:organisation_status_event", args=[managed.org_id])
    page = client.get(url)
    assert page.status_code == 200 and SOMEONE_ELSE in page.content.decode() and b'name="kind"' not in page.content
    refused = client.post(url, {"kind": "found_inactive", "occurred_on": "2021-02-01", "legal_basis": "x"})
    assert refused.status_code == 403
    assert not StatusEvent.objects.filter(kind="found_inactive").exists()


def test_merge_page_says_who_may_and_neither_side_may_be_hers(client, managed, other_org, aigerim, moderator):
    client.force_login(aigerim)
    url = reverse("registry:organisation_merge", args=[managed.org_id])
    page = client.get(url)
    assert SOMEONE_ELSE in page.content.decode() and b'name="duplicate"' not in page.content
    assert client.post(url, {"action": "merge", "duplicate": other_org.org_id, "reason": "same"}).status_code == 403
    # Merging her organisation into another is refused too.
    response = client.post(
        reverse("registry:organisation_merge", args=[other_org.org_id]),
        {"action": "merge", "duplicate": managed.org_id, "reason": "same"},
    )
    assert "another moderator decides" in response.content.decode()
    assert not Merge.objects.exists()
    merge = services.organisation_merge(survivor=other_org, merged=managed, moderator=moderator, reason="same")
    with pytest.raises(PermissionDenied):  # her memberships moved with the merge: the undo is not hers either
        services.organisation_unmerge(merge=merge, moderator=aigerim)


def test_documents_of_her_organisation_are_hidden_by_someone_else(client, managed, aigerim, moderator):
    document = services.document_upload(
        organisation=managed,
        kind="charter",
        title="Charter",
        acting_user=aigerim,
        file=SimpleUploadedFile("charter.pdf", b"%PDF-1.4", "application/pdf"),
    )
    client.force_login(aigerim)
    url = reverse("registry:organisation_documents", args=[managed.org_id])
    page = client.get(url).content.decode()
    assert "another moderator decides whether its documents are hidden" in page and 'value="hide"' not in page
    assert client.post(url, {"action": "hide", "document": document.pk, "reason": "bad"}).status_code == 403
    assert Document.objects.get().hidden_at is None
    services.document_hide(document=document, reason="personal data", moderator=moderator)
    assert Document.objects.get().hidden_at is not None


@pytest.fixture
def concerns(org, aigerim, signed_in_user):
    """Three concerns she may not decide (filed by her, about her organisation, about an award of the
    administrator she is an officer of) and one she may."""
    Membership.objects.create(user=aigerim, organisation=org, role="editor")
    administrator = make_administrator(code="her-dept")
    OfficerMembership.objects.create(user=aigerim, administrator=administrator)
    other = make_organisation(name_en="Unrelated")
    theirs = make_award(administrator=make_administrator(code="other-dept"), recipient=other)

    def concern(subject_type, key, by):
        return Concern.objects.create(subject_type=subject_type, subject_key=key, what="?", filed_by=by)

    return {
        "filed by her": concern("award", theirs.public_id, aigerim),
        "her organisation": concern("organisation", org.org_id, signed_in_user),
        "her administrator's award": concern(
            "award", make_award(administrator=administrator).public_id, signed_in_user
        ),
        "free": concern("award", theirs.public_id, signed_in_user),
    }


def test_concerns_she_filed_or_about_what_she_manages_go_to_someone_else(client, concerns, aigerim, moderator):
    client.force_login(aigerim)
    queue = client.get(reverse("scoring:concern_queue")).content.decode()
    for name, concern in concerns.items():
        url = reverse("scoring:concern_triage", args=[concern.pk])
        assert (url in queue) == (name == "free"), name
        client.post(url, {"status": "dismissed", "resolution": "No."})
        concern.refresh_from_db()
        assert (concern.status == "dismissed") == (name == "free"), name
    assert queue.count(SOMEONE_ELSE) == 3
    for name, concern in concerns.items():
        if name != "free":
            scoring_services.concern_triage(concern=concern, status="dismissed", resolution="No.", moderator=moderator)
    assert not Concern.objects.exclude(status="dismissed").exists()
