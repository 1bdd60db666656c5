from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry import services
from registry.models import Document

pytestmark = pytest.mark.django_db


def pdf(name: str = "charter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 charter", "application/pdf")


@pytest.fixture
def charter(org, owner):
    return services.document_upload(
        organisation=org, kind="charter", title="Charter 2015", file=pdf(), acting_user=owner
    )


ROLES = ["anonymous", "signed_in_user", "editor", "owner", "stranger_owner", "moderator", "superuser"]
UPLOAD = {
    "anonymous": 302,
    "signed_in_user": 403,
    "editor": 302,
    "owner": 302,
    "stranger_owner": 403,
    "moderator": 302,
    "superuser": 302,
}
HIDE = {
    "anonymous": 302,
    "signed_in_user": 403,
    "editor": 403,
    "owner": 403,
    "stranger_owner": 403,
    "moderator": 302,
    "superuser": 302,
}


@pytest.mark.parametrize("role", ROLES)
def test_upload_and_hide_permissions(client, request, org, owner, editor, stranger_owner, charter, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = reverse("registry:organisation_documents", args=[org.org_id])
    assert client.get(url).status_code == 200  # the list is public
    upload = client.post(url, {"action": "upload", "kind": "policy", "title": "Code of conduct", "file": pdf("c.pdf")})
    assert upload.status_code == UPLOAD[role]
    hide = client.post(url, {"action": "hide", "document": charter.pk, "reason": "contains personal data"})
    assert hide.status_code == HIDE[role]
    charter.refresh_from_db()
    assert (charter.hidden_at is not None) == (HIDE[role] == 302 and role != "anonymous")
    assert Document.objects.filter(kind="policy").exists() == (UPLOAD[role] == 302 and role != "anonymous")


def test_a_new_charter_replaces_the_old_one_which_stays_listed(client, org, owner, charter):
    newer = services.document_upload(
        organisation=org, kind="charter", title="Charter 2024", file=pdf("c24.pdf"), acting_user=owner
    )
    charter.refresh_from_db()
    assert newer.replaces == charter and not charter.is_current and newer.is_current
    html = client.get(reverse("registry:organisation_documents", args=[org.org_id])).content.decode()
    assert "Charter 2015" in html and "Charter 2024" in html and "replaced" in html


def test_other_file_types_are_refused_on_the_file_field(client, org, owner):
    client.force_login(owner)
    response = client.post(
        reverse("registry:organisation_documents", args=[org.org_id]),
        {"action": "upload", "kind": "charter", "title": "x", "file": SimpleUploadedFile("x.html", b"<script>")},
    )
    assert "PDF, an image or an office document" in " ".join(response.context["form"].errors["file"])
    assert not Document.objects.exists()


def test_hidden_documents_show_the_reason_and_can_not_be_downloaded(client, org, charter, moderator):
    services.document_hide(document=charter, reason="contains personal data", moderator=moderator)
    html = client.get(reverse("registry:organisation_documents", args=[org.org_id])).content.decode()
    assert "contains personal data" in html
    assert client.get(reverse("registry:document_download", args=[org.org_id, charter.pk])).status_code == 404


def test_downloads_are_attachments_with_safe_headers(client, org, charter):
    response = client.get(reverse("registry:document_download", args=[org.org_id, charter.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]


def test_hiding_needs_a_reason(charter, moderator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.document_hide(document=charter, reason="  ", moderator=moderator)
