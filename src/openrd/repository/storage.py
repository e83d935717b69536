"""Deposited files: read in chunks while hashing (SHA-256 for the store, MD5 for
harvesters), refused beyond the size limit, typed by their bytes (puremagic),
never by the name or the browser's word, and stored content-addressed
(``core.files.keep``, ADR 0011).

Types a repository publishes are allowed; executables, HTML and scripts,
which a download link would turn into an attack on its readers, are not.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from openrd.core.files import CHUNK, RefusedUpload, keep, upload_chunks
from openrd.core.models import StoredFile
from openrd.core.pdf_screening import screen_pdf

HEAD = 8192


@dataclass(frozen=True)
class FileType:
    mime: str
    extensions: frozenset[str]


# What may be deposited, by the type its bytes show.
ALLOWED: dict[str, FileType] = {
    t.mime: t
    for t in (
        FileType("application/pdf", frozenset({".pdf"})),
        FileType("application/zip", frozenset({".zip"})),
        FileType("application/gzip", frozenset({".gz", ".tgz"})),
        FileType("application/x-tar", frozenset({".tar"})),
        FileType("image/png", frozenset({".png"})),
        FileType("image/jpeg", frozenset({".jpg", ".jpeg"})),
        FileType("image/tiff", frozenset({".tif", ".tiff"})),
        FileType(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            frozenset({".docx"}),
        ),
        FileType(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            frozenset({".xlsx"}),
        ),
        FileType(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            frozenset({".pptx"}),
        ),
        FileType("text/csv", frozenset({".csv"})),
        FileType("text/tab-separated-values", frozenset({".tsv"})),
        FileType("text/plain", frozenset({".txt", ".md", ".dat"})),
        FileType("application/json", frozenset({".json", ".jsonl"})),
        FileType("application/xml", frozenset({".xml"})),
    )
}
# Office files and zips share a signature: the name decides among them.
_ZIP_FAMILY = {
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_TEXT_BY_EXTENSION = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".txt": "text/plain",
    ".md": "text/plain",
    ".dat": "text/plain",
    ".json": "application/json",
    ".jsonl": "application/json",
    ".xml": "application/xml",
}
# What puremagic calls some allowed types.
_ALIASES = {
    "application/x-gzip": "application/gzip",
    "application/x-zip-compressed": "application/zip",
    "application/x-zip": "application/zip",
}
_REFUSED_SIGNATURES = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")


def max_file_bytes() -> int:
    return int(getattr(settings, "OPENRD_REPOSITORY_MAX_FILE_BYTES", 5 * 2**30))


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True


def _is_markup(head: bytes) -> bool:
    sample = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return sample.startswith((b"<!doctype html", b"<html", b"<script", b"<svg")) or (
        b"<script" in sample[:1024]
    )


def sniff(head: bytes, name: str, *, field: str = "file") -> str:
    """The deposited file's type from its first bytes, checked against its name."""
    suffix = PurePosixPath(name.lower()).suffix
    if head.startswith(_REFUSED_SIGNATURES):
        raise _error(field, _("Programs and scripts cannot be deposited."), "file.executable")
    # Signatures only: given the name, puremagic would also guess from the
    # extension alone, and a renamed file would pass as what it is called.
    try:
        found = puremagic.magic_string(head)
    except puremagic.PureError:
        found = []
    candidates = [_ALIASES.get(m.mime_type, m.mime_type) for m in found]
    if _is_markup(head) or {"text/html", "image/svg+xml"} & set(candidates):
        raise _error(field, _("Web pages and scripts cannot be deposited."), "file.markup")
    for mime in candidates:
        if mime in ALLOWED and suffix in ALLOWED[mime].extensions:
            return mime
    if any(m in _ZIP_FAMILY for m in candidates) and suffix in {".zip", ".docx", ".xlsx", ".pptx"}:
        # Office files are zips: the signature cannot tell them apart, the name can.
        return next(t.mime for t in ALLOWED.values() if suffix in t.extensions)
    if candidates:
        raise _type_error(field)
    if suffix in _TEXT_BY_EXTENSION and _looks_like_text(head):
        return _TEXT_BY_EXTENSION[suffix]
    raise _type_error(field)


def _type_error(field: str) -> ValidationError:
    allowed = ", ".join(sorted({e for t in ALLOWED.values() for e in t.extensions}))
    return _error(
        field,
        _("The file's content does not match its name, or its type cannot be deposited "
          "(allowed: %(types)s).") % {"types": allowed},
        "file.type",
    )  # fmt: skip


def store_stream(stream: IO[bytes], *, name: str, field: str = "file") -> StoredFile:
    """Store the bytes of an open file (an assembled resumable upload)."""

    def chunks() -> Iterator[bytes]:
        while chunk := stream.read(CHUNK):
            yield chunk

    return _store(chunks(), name=name, field=field)


def store_output_file(upload: object, *, name: str, field: str = "file") -> StoredFile:
    """Store an uploaded file (bytes or a Django upload) for a deposit."""
    if isinstance(upload, RefusedUpload):
        raise _error(field, _("The file is too large for a form: upload it in parts."),
                     "file.too_large")  # fmt: skip
    return _store(upload_chunks(upload), name=name, field=field)


def _store(chunks: Iterable[bytes], *, name: str, field: str) -> StoredFile:
    limit = max_file_bytes()
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    size = 0
    head = b""
    with tempfile.SpooledTemporaryFile(max_size=8 * 2**20) as buffer:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise _error(
                    field,
                    _("The file is larger than %(limit)s GB.") % {"limit": limit // 2**30},
                    "file.too_large",
                )
            if len(head) < HEAD:
                head += chunk[: HEAD - len(head)]
            sha.update(chunk)
            md5.update(chunk)
            buffer.write(chunk)
        if size == 0:
            raise _error(field, _("The file is empty."), "file.empty")
        mime = sniff(head, name, field=field)
        if mime == "application/pdf":
            buffer.seek(0)
            screen_pdf(buffer, field=field)
        buffer.seek(0)
        return keep(buffer, sha256=sha.hexdigest(), size=size, content_type=mime,
                    md5=md5.hexdigest())  # fmt: skip
