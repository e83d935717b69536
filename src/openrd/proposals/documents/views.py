"""The read-only page and the application PDF of exactly one submitted version.

Both are open to the same people as the proposal's versions
(``proposals.queries.AUDIENCES``): the owners, the institution's officers and,
for endorsed versions only, the call's agency. Anyone else gets a 404, audited.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openrd.core.access import deny
from openrd.proposals.documents import pdf
from openrd.proposals.documents.content import version_document
from openrd.proposals.documents.receipt import receipt_filename
from openrd.proposals.models import ProposalVersion
from openrd.proposals.queries import ProposalAccess, proposal_access


def visible_version(
    request: HttpRequest, pk: int, number: int
) -> tuple[ProposalAccess, ProposalVersion]:
    access = proposal_access(request.user, pk, request=request)
    version = (
        access.versions()
        .select_related("proposal__call__program", "proposal__applicant", "submitted_by")
        .filter(number=number)
        .first()
    )
    if version is None:
        deny(request, access.proposal, what=f"version {number} of proposal {pk}")
    return access, version


@login_required
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    access, version = visible_version(request, pk, number)
    return render(
        request,
        "proposals/version_detail.html",
        {
            "proposal": access.proposal,
            "doc": version_document(version),
            "pdf_available": pdf.weasyprint_installed(),
        },
    )


def _unavailable() -> HttpResponse:
    # In both languages at once: it answers a download link, outside any page.
    message = "{}\n{}\n".format(
        "このサーバーでは申請書PDFを作成できません（WeasyPrint と Pango が必要です）。"
        "提出された内容は版のページで確認できます。",
        "The application PDF cannot be made on this server (it needs WeasyPrint and Pango). "
        "The submitted version's page shows the same content.",
    )
    response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "3600"
    return response


def application_pdf_response(version: ProposalVersion) -> HttpResponse:
    """The application PDF of ``version`` as a private download (503 where it cannot
    be made): for every reader the caller has already let through."""
    try:
        body = pdf.application_pdf(version)
    except pdf.PdfUnavailable:
        return _unavailable()
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{receipt_filename(version.receipt_number)}"'
    )
    # Private to the proposal's readers: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def version_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    _access, version = visible_version(request, pk, number)
    return application_pdf_response(version)
