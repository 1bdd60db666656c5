"""Documents: uploads keep every version; moderators hide one with a reason that stays visible."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.changes import announce
from registry.models import Document, Organisation
from registry.rules import decides_about
from registry.services.common import validated_save
from registry.services.organisations import MSG_FOUR_EYES_ORGANISATION
from registry.signals import document_changed
from registry.uploads import upload_too_large

DOCUMENT_TYPES = {".pdf", ".png", ".jpg", ".jpeg", ".doc", ".docx", ".odt"}
MSG_DOCUMENT_TYPE = _("the document must be a PDF, an image or an office document (%(types)s).")
MSG_DOCUMENT_SIZE = _("the document is %(size)s MB; the limit is %(limit)s MB.")
MSG_HIDE_REASON = _("say why the document is hidden; the reason stays visible to everyone.")


def validate_document(document, field: str = "document") -> None:
    """Uploads (claims, reports, documents): an allowed type and at most DOCUMENT_MAX_BYTES."""
    if not document:
        return
    suffix = Path(document.name).suffix.lower()
    if suffix not in DOCUMENT_TYPES:
        raise ValidationError(
            {field: ValidationError(MSG_DOCUMENT_TYPE, params={"types": ", ".join(sorted(DOCUMENT_TYPES))})}
        )
    if upload_too_large(document, settings.DOCUMENT_MAX_BYTES):
        raise ValidationError(
            {
                field: ValidationError(
                    MSG_DOCUMENT_SIZE,
                    params={
                        "size": round(document.size / 1_048_576, 1),
                        "limit": settings.DOCUMENT_MAX_BYTES // 1_048_576,
                    },
                )
            }
        )


@transaction.atomic
def document_upload(*, organisation: Organisation, kind: str, title: str, file, acting_user) -> Document:
    """Add a document; the current one of the same kind (if any) is kept as the version it replaces."""
    validate_document(file, field="file")
    Organisation.objects.select_for_update().get(pk=organisation.pk)  # one upload at a time per organisation
    current = (
        Document.objects.filter(organisation=organisation, kind=kind, replaced_by__isnull=True)
        .exclude(kind=Document.Kind.OTHER)  # "other" documents stand side by side
        .first()
    )
    document = validated_save(
        Document(
            organisation=organisation, kind=kind, title=title, file=file, replaces=current, uploaded_by=acting_user
        )
    )
    announce(
        document_changed, sender=Document, organisation_id=organisation.pk, document_id=document.pk, action="uploaded"
    )
    return document


@transaction.atomic
def document_hide(*, document: Document, reason: str, moderator) -> Document:
    if not reason.strip():
        raise ValidationError({"reason": MSG_HIDE_REASON})
    if not decides_about(moderator, document.organisation):
        raise PermissionDenied(MSG_FOUR_EYES_ORGANISATION)
    document.hidden_reason = reason.strip()
    document.hidden_by = moderator
    document.hidden_at = timezone.now()
    document.save(update_fields=["hidden_reason", "hidden_by", "hidden_at"])
    announce(
        document_changed,
        sender=Document,
        organisation_id=document.organisation_id,
        document_id=document.pk,
        action="hidden",
    )
    return document
