"""Content-addressed storage of uploaded files (proposals' PDFs here; the
repository's other types through ``keep``).

The browser's declared content type and the file name are not trusted: the
bytes are sniffed, then parsed with pypdf and screened for active content
(``screen_pdf``). The size limit is checked while reading, so an oversized
upload is refused without being stored.

A file appears under its final name only once it is complete: it is written to
a temporary file in the same folder, flushed to disk and renamed (ADR 0011).
Bytes already stored under a digest are re-hashed before they are reused, and
replaced if they no longer match.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from openrd.core.models import StoredFile
from openrd.core.pdf_screening import screen_pdf

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
CHUNK = 64 * 1024
# Temporary files are named so they can never be mistaken for a digest.
TEMP_PREFIX = ".incoming-"
TEMP_SUFFIX = ".part"
MISSING = "missing"


def max_upload_bytes() -> int:
    return int(getattr(settings, "OPENRD_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def too_large_error(field: str = "file") -> ValidationError:
    limit = max_upload_bytes()
    return _field_error(
        field,
        _("The file is larger than %(limit)s MB.") % {"limit": limit // 2**20},
        "file.too_large",
    )


class RefusedUpload(UploadedFile):
    """Stands in for a file the upload handler refused as too large while it
    arrived (``openrd.core.uploads``); none of its bytes were kept."""

    def __init__(self, name: str, content_type: str) -> None:
        super().__init__(io.BytesIO(), name=name, content_type=content_type, size=0)


def upload_chunks(upload: object) -> Iterable[bytes]:
    if isinstance(upload, bytes):
        for start in range(0, len(upload), CHUNK):
            yield upload[start : start + CHUNK]
        return
    chunks = getattr(upload, "chunks", None)
    if chunks is not None:
        yield from chunks(CHUNK)
        return
    raise TypeError("expected bytes or an uploaded file")


def _read_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def store_pdf(upload: object, *, field: str = "file") -> StoredFile:
    """Store a PDF and return its record; ValidationError (on ``field``) otherwise."""
    if isinstance(upload, RefusedUpload):
        raise too_large_error(field)
    limit = max_upload_bytes()
    digest = hashlib.sha256()
    size = 0
    head = b""
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as buffer:
        for chunk in upload_chunks(upload):
            size += len(chunk)
            if size > limit:
                raise too_large_error(field)
            if len(head) < len(PDF_MAGIC):
                head += chunk[: len(PDF_MAGIC) - len(head)]
            digest.update(chunk)
            buffer.write(chunk)
        if size == 0:
            raise _field_error(field, _("The file is empty."), "file.empty")
        if not head.startswith(PDF_MAGIC):
            raise _field_error(field, _("Only PDF files can be attached."), "file.not_pdf")
        buffer.seek(0)
        screen_pdf(buffer, field=field)
        return keep(buffer, sha256=digest.hexdigest(), size=size, content_type="application/pdf")


def keep(
    buffer: IO[bytes], *, sha256: str, size: int, content_type: str, md5: str = ""
) -> StoredFile:
    """Store the checked bytes in ``buffer`` under their digest (once) and return
    their record; bytes already stored are verified and replaced if damaged."""
    existing = StoredFile.objects.filter(sha256=sha256).first()
    record = existing or StoredFile(sha256=sha256, size=size, content_type=content_type, md5=md5)
    _ensure_stored(record.storage_name, buffer, sha256=sha256, size=size)
    if existing is not None:
        if md5 and not existing.md5:
            existing.md5 = md5
            existing.save(update_fields=["md5"])
        return existing
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # Another request stored the same bytes at the same moment.
        return StoredFile.objects.get(sha256=sha256)
    return record


def open_stored(stored: StoredFile) -> File:
    return default_storage.open(stored.storage_name, "rb")


# --- integrity of stored bytes -------------------------------------------------


def stored_problem(name: str, *, sha256: str, size: int) -> str | None:
    """What is wrong with the bytes stored under ``name``, or None if they match.

    Hashing streams in chunks, so checking a large file needs little memory.
    """
    if not default_storage.exists(name):
        return MISSING
    actual_size = default_storage.size(name)
    if actual_size != size:
        return f"size {actual_size} bytes, expected {size}"
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as stored:
        for chunk in _read_chunks(stored):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        return "content does not match its SHA-256"
    return None


def _ensure_stored(name: str, buffer: IO[bytes], *, sha256: str, size: int) -> None:
    problem = stored_problem(name, sha256=sha256, size=size)
    if problem is None:
        return
    buffer.seek(0)
    _write(name, buffer)
    if problem != MISSING:
        # A copy left by an interrupted write or damaged on disk: the upload
        # in hand has the right bytes, so it has replaced the bad copy.
        logger.warning(
            "Stored file %s was damaged (%s); replaced with verified bytes.", name, problem
        )


def local_path(name: str) -> Path | None:
    """Where ``name`` lives on the local disk, or None for another kind of storage.

    Only FileSystemStorage (and subclasses) is taken to keep files at
    ``path(name)``; other storages may answer path() without writing there.
    """
    if isinstance(default_storage, FileSystemStorage):
        return Path(default_storage.path(name))
    return None


def _write(name: str, source: IO[bytes]) -> None:
    path = local_path(name)
    if path is None:
        # Not a local filesystem (an object store): such stores make an object
        # visible only once its upload has completed, so a plain save is
        # already all-or-nothing. A damaged object is removed first, since
        # save() never overwrites and would pick another name.
        if default_storage.exists(name):
            default_storage.delete(name)
        saved = default_storage.save(name, File(source))
        if saved != name:
            # A concurrent request saved the same bytes first; keep theirs.
            default_storage.delete(saved)
        return
    mode = getattr(default_storage, "file_permissions_mode", None) or 0o644
    write_atomically(path, _read_chunks(source), mode=mode)


def write_atomically(path: Path, chunks: Iterable[bytes], *, mode: int = 0o644) -> None:
    """Write ``chunks`` to ``path`` so that ``path`` holds all of them or nothing new.

    The bytes go to a temporary file in the same folder (same filesystem, so
    the rename is atomic), which is flushed to disk before being renamed over
    ``path``; the folder is then flushed so the rename itself survives a crash.
    A process killed half-way leaves only a temporary file, never a short file
    under the final name.
    """
    _make_dirs(path.parent)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        temp.chmod(mode)
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _make_dirs(directory: Path) -> None:
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for created in reversed(missing):
        created.mkdir(exist_ok=True)
        _fsync_dir(created.parent)


def _fsync_dir(directory: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):  # pragma: no cover - not on POSIX
        return
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def is_temporary(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.startswith(TEMP_PREFIX) and base.endswith(TEMP_SUFFIX)
