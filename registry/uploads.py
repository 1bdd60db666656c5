"""A ceiling on every uploaded file, before it is stored anywhere.

Django spools uploads to memory and then to a temporary file with no limit of its own; the limits of each kind
(DOCUMENT_MAX_BYTES for documents, each import format's for imports) are checked once the file is whole. This
handler, first in FILE_UPLOAD_HANDLERS, stops keeping a file's bytes past UPLOAD_MAX_BYTES (the largest limit
of any kind) and hands the form a stand-in that has the size received, so the form's own limit refuses it
with the usual message, naming the field. The front proxy should cap request bodies too (docs/security.md).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(UploadedFile):
    """What is left of a file past the ceiling: its name and the size received, no content."""

    def __init__(self, name: str, content_type: str, size: int):
        super().__init__(io.BytesIO(), name, content_type, size)


class BoundedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        return None if self.received > settings.UPLOAD_MAX_BYTES else raw_data  # None: later handlers get nothing

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received > settings.UPLOAD_MAX_BYTES:
            return OversizedUpload(self.file_name, self.content_type, self.received)
        return None  # within the ceiling: the usual handlers keep it


def upload_too_large(upload, limit: int) -> bool:
    """Is this upload past `limit`, or past the ceiling (then its content was not kept, whatever the limit)?"""
    return isinstance(upload, OversizedUpload) or upload.size > limit
