from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry import services
from registry.models import ChangeRecord, EmailConfirmation, Invitation, Membership, OwnershipClaim

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(org, signed_in_user):
    return services.claim_submit(
        user=signed_in_user,
        organisation=org,
        position="Director",
        contact="+7 701 000 00 00",
        document=SimpleUploadedFile("order.pdf", b"%PDF-1.4 order", "application/pdf"),
    )


ROLES = ["anonymous", "signed_in_user", "editor", "owner", "stranger_owner", "moderator", "superuser"]
# (name, method, url builder, data) -> expected status per role
WRITE_PAGES = {
    "claim": (
        "get",
        lambda o, c: reverse("registry:organisation_claim", args=[o.org_id]),
        None,
        {
            "anonymous": 302,
            "signed_in_user": 200,
            "editor": 200,
            "owner": 200,
            "stranger_owner": 200,
            "moderator": 200,
            "superuser": 200,
        },
    ),
    "edit": (
        "get",
        lambda o, c: reverse("registry:organisation_edit", args=[o.org_id]),
        None,
        {
            "anonymous": 302,
            "signed_in_user": 403,
            "editor": 200,
            "owner": 200,
            "stranger_owner": 403,
            "moderator": 200,
            "superuser": 200,
        },
    ),
    "edit_post": (
        "post",
        lambda o, c: reverse("registry:organisation_edit", args=[o.org_id]),
        {"version": 1, "phone": "+7 7172 99 99 99", "fields": ["health"]},
        {
            "anonymous": 302,
            "signed_in_user": 403,
            "editor": 302,
            "owner": 302,
            "stranger_owner": 403,
            "moderator": 200,
            "superuser": 200,
        },
    ),
    "report": (
        "get",
        lambda o, c: reverse("registry:organisation_report", args=[o.org_id, 2024]),
        None,
        {
            "anonymous": 302,
            "signed_in_user": 403,
            "editor": 200,
            "owner": 200,
            "stranger_owner": 403,
            "moderator": 200,
            "superuser": 200,
        },
    ),
    "report_post": (
        "post",
        lambda o, c: reverse("registry:organisation_report", args=[o.org_id, 2024]),
        {"income_foreign": "1000", "paid_staff": "3", "has_board": "true"},
        {
            "anonymous": 302,
            "signed_in_user": 403,
            "editor": 302,
            "owner": 302,
            "stranger_owner": 403,
            "moderator": 302,
            "superuser": 302,
        },
    ),
    "status_event": (
        "post",
        lambda o, c: reverse("registry:organisation_status_event", args=[o.org_id]),
        {"kind": "suspended", "occurred_on": "2021-02-01", "ends_on": "2021-05-01", "legal_basis": "Court No. 7"},
        {
            "anonymous": 302,
            "signed_in_user": 403,
            "editor": 403,
            "owner": 403,
            "stranger_owner": 403,
            "moderator": 302,
            "superuser": 302,
        },
    ),
    "managers": (
        "get",
        lambda o, c: reverse("registry:organisation_managers", args=[o.org_id]),
        None,
        {
            "anonymous": 302,
            "signed_in_user": 403,
            "editor": 403,
            "owner": 200,
            "stranger_owner": 403,
            "moderator": 200,
            "superuser": 200,
        },
    ),
    "managers_post": (
        "post",
        lambda o, c: reverse("registry:organisation_managers", args=[o.org_id]),
        {"action": "add", "email": "citizen@example.kz", "role": "editor"},
        {
            "anonymous": 302,
            "signed_in_user": 403,
            "editor": 403,
            "owner": 302,
            "stranger_owner": 403,
            "moderator": 302,
            "superuser": 302,
        },
    ),
    "moderation": (
        "get",
        lambda o, c: reverse("registry:moderation_claims"),
        None,
        {
            "anonymous": 404,
            "signed_in_user": 404,
            "editor": 404,
            "owner": 404,
            "stranger_owner": 404,
            "moderator": 200,
            "superuser": 200,
        },
    ),
    "decide": (
        "post",
        lambda o, c: reverse("registry:claim_decide", args=[c.pk]),
        {"decision": "approve"},
        {
            "anonymous": 404,
            "signed_in_user": 404,
            "editor": 404,
            "owner": 404,
            "stranger_owner": 404,
            "moderator": 302,
            "superuser": 302,
        },
    ),
    "document": (
        "get",
        lambda o, c: reverse("registry:claim_document", args=[c.pk]),
        None,
        {
            "anonymous": 404,
            "signed_in_user": 404,
            "editor": 404,
            "owner": 404,
            "stranger_owner": 404,
            "moderator": 200,
            "superuser": 200,
        },
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(WRITE_PAGES))
def test_permission_matrix(client, request, org, owner, editor, stranger_owner, claim, role, page):
    method, url, data, expected = WRITE_PAGES[page]
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    # Moderators edit with the identity fields too, so the managers' minimal form is incomplete for them (200
    # with errors); the data above is what a manager's form posts.
    response = getattr(client, method)(url(org, claim), data or {})
    assert response.status_code == expected[role], (page, role, response.status_code)
    if response.status_code == 302 and role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_refused_writes_change_nothing(client, org, stranger_owner):
    client.force_login(stranger_owner)
    client.post(reverse("registry:organisation_edit", args=[org.org_id]), {"version": 1, "phone": "hacked"})
    org.refresh_from_db()
    assert org.phone == "+7 7172 00 00 01" and not ChangeRecord.objects.exists()


def test_claim_is_approved_into_ownership_and_then_the_profile_is_editable(client, org, signed_in_user, moderator):
    client.force_login(signed_in_user)
    response = client.post(
        reverse("registry:organisation_claim", args=[org.org_id]),
        {"position": "Director", "contact": "+7 701 000 00 00"},
    )
    assert response.status_code == 302
    assert client.get(reverse("registry:organisation_edit", args=[org.org_id])).status_code == 403
    client.force_login(moderator)
    pending = OwnershipClaim.objects.get()
    client.post(reverse("registry:claim_decide", args=[pending.pk]), {"decision": "approve"})
    assert Membership.objects.get(user=signed_in_user, organisation=org).role == "owner"
    client.force_login(signed_in_user)
    assert client.get(reverse("registry:organisation_edit", args=[org.org_id])).status_code == 200


def test_a_rejection_needs_a_reason_that_the_claimant_sees(client, org, claim, moderator, signed_in_user):
    client.force_login(moderator)
    client.post(reverse("registry:claim_decide", args=[claim.pk]), {"decision": "reject"})
    claim.refresh_from_db()
    assert claim.status == "pending"
    client.post(reverse("registry:claim_decide", args=[claim.pk]), {"decision": "reject", "reason": "not the director"})
    client.force_login(signed_in_user)
    assert "not the director" in client.get(reverse("registry:my_organisations")).content.decode()
    assert not Membership.objects.filter(user=signed_in_user).exists()


def test_one_pending_claim_at_a_time(org, claim, signed_in_user):
    with pytest.raises(ValidationError, match="already have a claim"):
        services.claim_submit(user=signed_in_user, organisation=org, position="x", contact="y")


@pytest.mark.parametrize("name", ["payload.exe", "page.html", "script.svg"])
def test_documents_of_other_types_are_refused(org, signed_in_user, name):
    with pytest.raises(ValidationError) as exc:
        services.claim_submit(
            user=signed_in_user, organisation=org, position="x", contact="y", document=SimpleUploadedFile(name, b"x")
        )
    assert "PDF, an image or an office document" in " ".join(exc.value.message_dict["document"])


def test_oversized_documents_are_refused(org, signed_in_user, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        services.claim_submit(
            user=signed_in_user,
            organisation=org,
            position="x",
            contact="y",
            document=SimpleUploadedFile("big.pdf", b"x" * 2048),
        )
    assert "limit is 0 MB" in " ".join(exc.value.message_dict["document"])


def test_documents_are_served_as_attachments_with_safe_headers(client, claim, moderator):
    client.force_login(moderator)
    response = client.get(reverse("registry:claim_document", args=[claim.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_owner_adds_and_removes_editors_but_keeps_an_owner(client, org, owner, signed_in_user):
    client.force_login(owner)
    url = reverse("registry:organisation_managers", args=[org.org_id])
    client.post(url, {"action": "add", "email": "CITIZEN@example.kz", "role": "editor"})
    services.invitation_accept(invitation=Invitation.objects.get(), user=signed_in_user)
    membership = Membership.objects.get(user=signed_in_user, organisation=org, ended_at__isnull=True)
    client.post(url, {"action": "remove", "membership": membership.pk})
    membership.refresh_from_db()
    assert membership.ended_at is not None  # removed, and the row kept
    own = Membership.objects.get(user=owner)
    response = client.post(url, {"action": "remove", "membership": own.pk})
    assert "at least one owner" in response.content.decode()
    own.refresh_from_db()
    assert own.ended_at is None


def test_manager_edits_are_recorded_per_field_and_shown_in_history(client, org, owner):
    client.force_login(owner)
    client.post(
        reverse("registry:organisation_edit", args=[org.org_id]),
        {
            "version": 1,
            "phone": "+7 7172 11 11 11",
            "website": "https://trust.example.kz",
            "fields": ["health", "women"],
        },
    )
    org.refresh_from_db()
    assert org.phone == "+7 7172 11 11 11" and org.version == 2
    changes = {c.field: (c.old_value, c.new_value) for c in ChangeRecord.objects.all()}
    assert changes["phone"] == ("+7 7172 00 00 01", "+7 7172 11 11 11")
    assert changes["fields"] == ("health", "health;women")
    html = client.get(reverse("registry:organisation_history", args=[org.org_id])).content.decode()
    assert "+7 7172 11 11 11" in html and "the organisation&#x27;s manager" in html


def test_managers_can_not_change_identity_fields(org, owner):
    with pytest.raises(ValidationError, match="can not be changed here"):
        services.organisation_profile_update(
            organisation=org, acting_user=owner, expected_version=1, source="manager", values={"name_ru": "Новое имя"}
        )


def test_moderators_change_identity_fields_with_the_history_saying_so(org, moderator):
    services.organisation_profile_update(
        organisation=org,
        acting_user=moderator,
        expected_version=1,
        source="moderator",
        values={"name_ru": "Фонд «Новое имя»"},
    )
    org.refresh_from_db()
    assert org.name_ru == "Фонд «Новое имя»" and "новое" in org.search_text
    assert ChangeRecord.objects.get().source == "moderator"


def test_the_second_of_two_edits_from_the_same_version_is_refused_with_the_first_shown(client, org, owner, editor):
    url = reverse("registry:organisation_edit", args=[org.org_id])
    client.force_login(owner)
    client.post(url, {"version": 1, "phone": "+7 7172 22 22 22", "fields": ["health"]})
    client.force_login(editor)
    response = client.post(url, {"version": 1, "phone": "+7 7172 33 33 33", "fields": ["health"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this profile" in html and "+7 7172 22 22 22" in html
    org.refresh_from_db()
    assert org.phone == "+7 7172 22 22 22"
    # saving again from the refreshed form applies the editor's value on top, knowingly
    client.post(url, {"version": 2, "phone": "+7 7172 33 33 33", "fields": ["health"]})
    org.refresh_from_db()
    assert org.phone == "+7 7172 33 33 33" and org.version == 3


def test_an_edit_that_changes_nothing_writes_nothing(org, owner):
    assert (
        services.organisation_profile_update(
            organisation=org, acting_user=owner, expected_version=1, source="manager", values={"phone": org.phone}
        )
        == []
    )
    org.refresh_from_db()
    assert org.version == 1


def test_bad_input_names_the_field_and_changes_nothing(client, org, owner):
    client.force_login(owner)
    response = client.post(
        reverse("registry:organisation_edit", args=[org.org_id]),
        {"version": 1, "email": "not-an-email", "fields": ["health"]},
    )
    assert response.status_code == 200 and "email" in response.context["form"].errors
    org.refresh_from_db()
    assert org.version == 1


def test_repeated_failed_logins_lock_the_account(client, signed_in_user):
    url = reverse("login")
    for _ in range(5):
        response = client.post(url, {"username": "citizen", "password": "wrong"})
    assert response.status_code in (403, 429)
    assert "Too many failed sign-in attempts" in response.content.decode()
    locked = client.post(url, {"username": "citizen", "password": "a long pass phrase 2026"})
    assert "Too many failed sign-ins" in locked.content.decode() and "_auth_user_id" not in client.session


def test_sign_in_and_password_reset_pages_work(client, signed_in_user, mailoutbox):
    response = client.post(reverse("login"), {"username": "citizen", "password": "a long pass phrase 2026"})
    assert response.status_code == 302 and response["Location"] == reverse("registry:my_organisations")
    client.post(reverse("logout"))
    client.post(reverse("password_reset"), {"email": "citizen@example.kz"})
    assert len(mailoutbox) == 1 and "/accounts/reset/" in mailoutbox[0].body


def test_moderator_records_a_suspension_and_its_rules_speak_per_field(client, org, moderator):
    client.force_login(moderator)
    url = reverse("registry:organisation_status_event", args=[org.org_id])
    response = client.post(url, {"kind": "suspended", "occurred_on": "2021-02-01", "legal_basis": "Court No. 7"})
    assert "needs its last day" in " ".join(response.context["form"].errors["ends_on"])
    response = client.post(
        url, {"kind": "suspended", "occurred_on": "2021-02-01", "ends_on": "2021-05-01", "legal_basis": "Court No. 7"}
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == "suspended" and "Court No. 7" in client.get(org.get_absolute_url()).content.decode()


SIGN_UP = {
    "email": "aigerim@example.kz",
    "first_name": "Aigerim",
    "last_name": "S.",
    "password1": "steppe wind 2026 river",
    "password2": "steppe wind 2026 river",
}


def confirmation_link(message) -> str:
    return re.search(r"http://testserver(/accounts/confirm/[^\s]+)", message.body).group(1)


def test_a_person_signs_up_confirms_the_address_and_can_then_claim(client, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:sign_up"), SIGN_UP)
    assert response.status_code == 200 and "Check your e-mail" in response.content.decode()
    user = get_user_model().objects.get(email="aigerim@example.kz")
    assert not user.is_active and user.get_full_name() == "Aigerim S."
    assert (
        client.post(reverse("login"), {"username": "aigerim@example.kz", "password": SIGN_UP["password1"]}).status_code
        == 200
    )
    link = confirmation_link(mail.outbox[-1])
    assert client.get(link).status_code == 200  # a button, so a mail scanner following the link confirms nothing
    assert not EmailConfirmation.objects.filter(confirmed_at__isnull=False).exists()
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == reverse("registry:my_organisations")
    assert client.get(reverse("registry:organisation_claim", args=[org.org_id])).status_code == 200
    assert client.get(reverse("registry:sign_up"))["Location"] == reverse("registry:my_organisations")
    client.logout()
    signed_in = client.post(reverse("login"), {"username": "AIGERIM@example.kz", "password": SIGN_UP["password1"]})
    assert signed_in.status_code == 302  # the address is the name to sign in with


def test_a_confirmation_link_works_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("registry:sign_up"), SIGN_UP)
    link = confirmation_link(mail.outbox[-1])
    client.post(link)
    client.logout()
    again = client.post(link)
    assert again.status_code == 200 and "used already" in again.content.decode()
    assert client.get(link).status_code == 410
    assert client.get(reverse("registry:email_confirm", args=["made-up"])).status_code == 410


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"password2": "something else 2026"}, "password2", "differ"),
        ({"password1": "12345678", "password2": "12345678"}, "password1", "too common"),
        ({"first_name": ""}, "first_name", "required"),
        ({"email": "not an address"}, "email", "valid email"),
    ],
)
def test_sign_up_refusals_name_the_field(client, signed_in_user, change, field, words):
    response = client.post(reverse("registry:sign_up"), {**SIGN_UP, **change})
    assert words in " ".join(response.context["form"].errors[field])
    assert get_user_model().objects.count() == 1
