"""Serving attached files only to those who may see the proposal that holds them."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest

from openrd.core.access import deny
from openrd.core.files import open_stored
from openrd.core.models import StoredFile
from openrd.proposals.queries import proposal_access, visible_file_digests


def file_response(request: HttpRequest, pk: int, sha256: str) -> FileResponse:
    access = proposal_access(request.user, pk, request=request)
    if sha256 not in visible_file_digests(access):
        deny(request, access.proposal, what=f"file {sha256[:12]} of proposal {pk}")
    return stored_pdf_response(sha256)


def stored_pdf_response(sha256: str) -> FileResponse:
    """A stored PDF as a private download, for a reader the caller has let through."""
    stored = StoredFile.objects.get(sha256=sha256)
    response = FileResponse(
        open_stored(stored),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{sha256[:12]}.pdf",
    )
    # Never cached by a shared proxy: the file is private to this proposal's readers.
    response["Cache-Control"] = "private, no-store"
    return response
