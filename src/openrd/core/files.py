"""Content-addressed storage of uploaded files, PDF only for now.

The browser's declared content type and the file name are not trusted: the
bytes are sniffed. The size limit is checked while reading, so an oversized
upload is refused without being stored.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from openrd.core.models import StoredFile

PDF_MAGIC = b"%PDF-"
CHUNK = 64 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "OPENRD_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def _chunks(upload: object) -> Iterable[bytes]:
    if isinstance(upload, bytes):
        for start in range(0, len(upload), CHUNK):
            yield upload[start : start + CHUNK]
        return
    chunks = getattr(upload, "chunks", None)
    if chunks is not None:
        yield from chunks(CHUNK)
        return
    raise TypeError("expected bytes or an uploaded file")


def store_pdf(upload: object, *, field: str = "file") -> StoredFile:
    """Store a PDF and return its record; ValidationError (on ``field``) otherwise."""
    limit = max_upload_bytes()
    digest = hashlib.sha256()
    size = 0
    head = b""
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as buffer:
        for chunk in _chunks(upload):
            size += len(chunk)
            if size > limit:
                raise ValidationError(
                    {field: ValidationError(
                        _("The file is larger than %(limit)s MB.") % {"limit": limit // 2**20},
                        code="file.too_large",
                    )}
                )  # fmt: skip
            if len(head) < len(PDF_MAGIC):
                head += chunk[: len(PDF_MAGIC) - len(head)]
            digest.update(chunk)
            buffer.write(chunk)
        if size == 0:
            raise ValidationError(
                {field: ValidationError(_("The file is empty."), code="file.empty")}
            )
        if not head.startswith(PDF_MAGIC):
            raise ValidationError(
                {field: ValidationError(_("Only PDF files can be attached."), code="file.not_pdf")}
            )
        sha = digest.hexdigest()
        existing = StoredFile.objects.filter(sha256=sha).first()
        if existing is not None:
            return existing
        record = StoredFile(sha256=sha, size=size, content_type="application/pdf")
        buffer.seek(0)
        if not default_storage.exists(record.storage_name):
            default_storage.save(record.storage_name, File(buffer))
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:
            # Another request stored the same bytes at the same moment.
            return StoredFile.objects.get(sha256=sha)
        return record


def open_stored(stored: StoredFile) -> File:
    return default_storage.open(stored.storage_name, "rb")
