"""Issue 14 (12): every HTML page carries a Content-Security-Policy that allows no inline script or style,
and no template needs one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.registry.factories import make_organisation

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize(
    "url",
    ["/", "/organisations/", "/funding/", "/sector/", "/transparency/", "/methodology/", "/accounts/login/"],
)
def test_pages_forbid_inline_scripts_and_styles(client, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_a_profile_and_the_api_docs_carry_it_too(client):
    org = make_organisation()
    assert "script-src 'self'" in client.get(org.get_absolute_url())["Content-Security-Policy"]
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 200 and "script-src 'self'" in docs["Content-Security-Policy"]
    # the Swagger UI's setup is a script of its own, not inline in the page
    assert "<script>" not in docs.content.decode().replace(" ", "")
    assert client.get(reverse("api:docs") + "?script").status_code == 200


def test_no_template_carries_an_inline_script_style_or_handler():
    inline = re.compile(r"""\sstyle=|<script(?![^>]*\ssrc=)[^>]*>|\son[a-z]+=|javascript:|<style""", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_downloads_of_uploaded_files_keep_their_stricter_policy(client, moderator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from registry import services

    org = make_organisation()
    document = services.document_upload(
        organisation=org,
        kind="charter",
        title="Charter",
        file=SimpleUploadedFile("charter.pdf", b"%PDF-1.4"),
        acting_user=moderator,
    )
    response = client.get(reverse("registry:document_download", args=[org.org_id, document.pk]))
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
