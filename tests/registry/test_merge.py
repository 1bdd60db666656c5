from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding import services as funding_services
from funding.models import Application, Award
from registry import services
from registry.models import Document, Membership, Merge, Organisation, YearlyReport
from tests.funding.factories import clerk, make_administrator, make_award, make_competition
from tests.registry.factories import make_organisation, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(django_user_model):
    survivor = make_organisation(name_en="Trust Foundation", legal_form="foundation")
    duplicate = make_organisation(name_en="Trust Fund (duplicate)", legal_form="foundation", bin=None)
    services.organisation_status_record(
        moderator=clerk(),
        organisation=duplicate,
        kind="found_inactive",
        occurred_on=datetime.date(2016, 1, 1),
        legal_basis="Annual review",
    )
    award = make_award(recipient=duplicate, amount="700000")
    _, (lot,) = make_competition(make_administrator())
    funding_services.application_create(acting_user=clerk(), lot=lot, applicant=duplicate, outcome="lost")
    services.report_submit(
        organisation=survivor,
        year=2021,
        acting_user=None,
        values={"paid_staff": 1},
        submitted_on=datetime.date(2022, 2, 1),
    )
    services.report_submit(
        organisation=duplicate,
        year=2021,
        acting_user=None,
        values={"paid_staff": 9},
        submitted_on=datetime.date(2022, 3, 1),
    )
    services.report_submit(
        organisation=duplicate,
        year=2022,
        acting_user=None,
        values={"paid_staff": 2},
        submitted_on=datetime.date(2023, 2, 1),
    )
    services.document_upload(
        organisation=duplicate,
        kind="charter",
        title="Old charter",
        acting_user=None,
        file=SimpleUploadedFile("c.pdf", b"%PDF-1.4", "application/pdf"),
    )
    manager = person("m")
    Membership.objects.create(user=manager, organisation=duplicate, role="owner")
    return survivor, duplicate, award


def test_merge_moves_money_reports_documents_and_managers_and_redirects(client, pair, moderator):
    survivor, duplicate, award = pair
    services.organisation_merge(survivor=survivor, merged=duplicate, moderator=moderator, reason="same BIN papers")
    award.refresh_from_db()
    assert award.recipient == survivor
    assert Application.objects.get().applicant == survivor
    assert YearlyReport.objects.get(organisation=survivor, year=2021).paid_staff == 1  # the survivor's own stays
    assert YearlyReport.objects.get(organisation=duplicate, year=2021).paid_staff == 9  # kept, not lost
    assert YearlyReport.objects.get(year=2022).organisation == survivor
    assert Document.objects.get().organisation == survivor and Membership.objects.get().organisation == survivor
    response = client.get(reverse("registry:organisation_detail", args=[duplicate.org_id]))
    assert response.status_code == 301 and response["Location"] == survivor.get_absolute_url()
    html = client.get(survivor.get_absolute_url()).content.decode()
    assert "Records merged into this one" in html and "Annual review" in html  # both histories
    assert (
        "Merged record" in client.get(reverse("registry:organisation_history", args=[survivor.org_id])).content.decode()
    )


def test_undo_puts_everything_back(client, pair, moderator):
    survivor, duplicate, award = pair
    merge = services.organisation_merge(survivor=survivor, merged=duplicate, moderator=moderator, reason="dup")
    services.organisation_unmerge(merge=merge, moderator=moderator)
    award.refresh_from_db()
    duplicate.refresh_from_db()
    assert award.recipient == duplicate and duplicate.merged_into is None
    assert YearlyReport.objects.get(year=2022).organisation == duplicate
    assert Document.objects.get().organisation == duplicate and Membership.objects.get().organisation == duplicate
    assert client.get(reverse("registry:organisation_detail", args=[duplicate.org_id])).status_code == 200
    with pytest.raises(ValidationError, match="already undone"):
        services.organisation_unmerge(merge=merge, moderator=moderator)


def test_merge_refuses_itself_chains_and_a_missing_reason(pair, moderator):
    survivor, duplicate, _ = pair
    with pytest.raises(ValidationError):
        services.organisation_merge(survivor=survivor, merged=survivor, moderator=moderator, reason="x")
    with pytest.raises(ValidationError):
        services.organisation_merge(survivor=survivor, merged=duplicate, moderator=moderator, reason=" ")
    services.organisation_merge(survivor=survivor, merged=duplicate, moderator=moderator, reason="dup")
    with pytest.raises(ValidationError, match="already merged"):
        services.organisation_merge(survivor=make_organisation(), merged=duplicate, moderator=moderator, reason="x")
    assert Merge.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("signed_in_user", 403), ("owner", 403), ("moderator", 302), ("superuser", 302)],
)
def test_only_moderators_merge(client, request, pair, owner, role, expected):
    survivor, duplicate, _ = pair
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = reverse("registry:organisation_merge", args=[survivor.org_id])
    response = client.post(url, {"action": "merge", "duplicate": duplicate.org_id, "reason": "dup"})
    assert response.status_code == expected
    duplicate.refresh_from_db()
    assert (duplicate.merged_into_id == survivor.pk) == (role in ("moderator", "superuser"))


def test_merge_page_merges_and_undoes(client, pair, moderator):
    survivor, duplicate, _ = pair
    client.force_login(moderator)
    url = reverse("registry:organisation_merge", args=[survivor.org_id])
    response = client.post(url, {"action": "merge", "duplicate": "KZ-BIN-000000000000", "reason": "dup"})
    assert "no organisation has the identifier" in " ".join(response.context["form"].errors["duplicate"])
    client.post(url, {"action": "merge", "duplicate": duplicate.org_id, "reason": "dup"})
    merge = Merge.objects.get()
    client.post(url, {"action": "undo", "merge": merge.pk})
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert Organisation.objects.get(pk=duplicate.pk).merged_into is None
    assert Award.objects.get().amount == Decimal("700000")


def test_merge_moves_the_duplicates_people_and_undo_returns_them(pair, moderator):
    """Issue 17: the roles recorded on a duplicate (its head, founders, board) follow it into the survivor."""
    from registry.models import OrganisationRole, Person, RoleSource

    survivor, duplicate, _award = pair
    head = Person.objects.create(name_ru="Нурлан Алиев")
    role = OrganisationRole.objects.create(
        person=head, organisation=duplicate, kind=OrganisationRole.Kind.HEAD, source=RoleSource.STATE_REGISTER
    )
    merge = services.organisation_merge(survivor=survivor, merged=duplicate, moderator=moderator, reason="same")
    role.refresh_from_db()
    assert role.organisation_id == survivor.pk
    services.organisation_unmerge(merge=merge, moderator=moderator)
    role.refresh_from_db()
    assert role.organisation_id == duplicate.pk
