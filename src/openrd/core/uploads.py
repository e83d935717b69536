"""Refuse an oversized upload while it arrives, not after it has been spooled.

``SizeLimitUploadHandler`` runs first in ``FILE_UPLOAD_HANDLERS``. When the
request's Content-Length, a part's own Content-Length or the bytes received
for a file exceed ``max_upload_bytes()``, it stops the parse at once: the rest
of the body is neither read nor written to disk, and any partial temporary
file is closed (and so deleted). Form fields sent before the file (the CSRF
token, the document code) are kept.

The refused file is replaced in ``request.FILES`` by an empty
``RefusedUpload``, so a view or API endpoint that requires the file still
runs, and ``store_pdf`` answers it with the usual field-level "too large"
error. A view may also ask ``upload_refusal`` first and answer at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict

from openrd.core.files import RefusedUpload, max_upload_bytes, too_large_error

# Multipart boundaries, part headers and the small fields of an attachment form.
FORM_ALLOWANCE = 64 * 1024
_ATTRIBUTE = "_openrd_upload_refusal"


@dataclass(frozen=True)
class Refusal:
    field: str
    file_name: str
    content_type: str
    limit: int


class SizeLimitUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.request_length: int | None = None
        self.refusal: Refusal | None = None
        self._parsing = False

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, Any]] | None:
        self.request_length = content_length
        if self._parsing or self.request is None:
            return None
        # Run Django's own parse (which calls this handler again, hence the
        # flag) so that a refused file can be put back as a placeholder.
        self._parsing = True
        try:
            # Any: the stubs type this class attribute as an instance, and its
            # input as narrower than the stream Django hands to handlers.
            parser_class: Any = self.request.multipart_parser_class
            parser = parser_class(META, input_data, self.request.upload_handlers, encoding)
            post, files = parser.parse()
        finally:
            self._parsing = False
        if self.refusal is not None:
            setattr(self.request, _ATTRIBUTE, self.refusal)
            files.appendlist(
                self.refusal.field,
                RefusedUpload(self.refusal.file_name, self.refusal.content_type),
            )
        return post, files

    def new_file(
        self,
        field_name: str,
        file_name: str,
        content_type: str,
        content_length: int | None,
        charset: str | None = None,
        content_type_extra: dict[str, bytes] | None = None,
    ) -> None:
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        limit = max_upload_bytes()
        declared = self.request_length or 0
        if declared > limit + FORM_ALLOWANCE or (content_length or 0) > limit:
            self._refuse(limit)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        limit = max_upload_bytes()
        if start + len(raw_data) > limit:
            self._refuse(limit)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # a later handler builds the uploaded file

    def _refuse(self, limit: int) -> None:
        self.refusal = Refusal(
            field=self.field_name,
            file_name=self.file_name or "",
            content_type=self.content_type or "",
            limit=limit,
        )
        # connection_reset: do not read (and wait for) the rest of the body.
        raise StopUpload(connection_reset=True)


def upload_refusal(request: HttpRequest, field: str = "file") -> ValidationError | None:
    """The field-level error for an upload refused as too large, or None.

    The message is built now, in the request's language.
    """
    # Parsing is lazy; touching FILES makes sure the handler has seen the body.
    request.FILES  # noqa: B018
    if getattr(request, _ATTRIBUTE, None) is None:
        return None
    return too_large_error(field)
