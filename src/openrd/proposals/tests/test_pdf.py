"""The application PDF: the form in Japanese, then the attached PDFs, every page
stamped with "n / N", the receipt number and the submission time.

Like the browser tests: without WeasyPrint (or Pango) these tests are skipped on
a developer's machine and fail in CI, where both must be installed.
"""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader, PdfWriter

from openrd.core.models import StoredFile
from openrd.core.tests import pdfs
from openrd.proposals.documents import pdf
from openrd.proposals.documents.content import submitted_moment
from openrd.proposals.models import ProposalVersion
from openrd.proposals.tests.test_receipts import submit, submitted_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def weasyprint() -> None:
    if not pdf.weasyprint_available():
        if os.environ.get("CI"):
            pytest.fail("WeasyPrint (with Pango) is required in CI")
        pytest.skip("WeasyPrint or Pango not installed")


def two_page_plan() -> bytes:
    """A plan of two pages, the second on its side, as scanned documents often are."""
    writer = PdfWriter()
    for text in ("PLAN-PAGE-ONE", "PLAN-PAGE-TWO"):
        writer.append(PdfReader(io.BytesIO(pdfs.plain(text))))
    writer.pages[1].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def texts(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


def test_the_form_comes_first_then_the_attachment_and_every_page_is_stamped(
    client, world, weasyprint
):
    version = submit(world, submitted_draft(world, pdf=two_page_plan()))
    client.force_login(world.applicant)
    response = client.get(f"/ja/proposals/{version.proposal_id}/versions/1/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="application-{version.receipt_number}.pdf"'
    )
    pages = texts(response.content)
    total = len(pages)
    assert total >= 3  # at least one page of form, then the plan's two
    assert "量子センサの実証" in pages[0]
    assert "Quantum sensor demonstration" in pages[0]
    assert "10,000,000円" in "".join(pages[:-2])
    moment = submitted_moment(version.submitted_at, "ja")
    for n, text in enumerate(pages, start=1):
        assert version.receipt_number in text, n
        assert f"{n} / {total}" in text, n
        assert moment in text, n
    # The attachment's own pages follow the form, in their order.
    assert "PLAN-PAGE-ONE" in pages[-2]
    assert "PLAN-PAGE-TWO" in pages[-1]
    assert not any("PLAN-PAGE" in text for text in pages[:-2])


def test_a_broken_or_missing_attachment_is_listed_with_a_note_not_merged(world, weasyprint):
    version = submit(world, submitted_draft(world))
    plan = StoredFile.objects.get(sha256=version.content["attachments"][0]["sha256"])
    with default_storage.open(plan.storage_name, "wb") as handle:
        handle.write(b"%PDF-1.7\nthis is no longer a PDF")
    content = version.content
    content["attachments"].append(
        {"document_code": "letter", "filename": "letter.pdf", "sha256": "0" * 64, "size": 10}
    )
    ProposalVersion.objects.filter(pk=version.pk).update(content=content)
    version.refresh_from_db()
    pages = texts(pdf.application_pdf(version))
    form = "".join(pages)
    assert "not a readable PDF" in form
    assert "file not found" in form
    assert "canary-free test document" not in form  # nothing of the plan was merged
    assert f"1 / {len(pages)}" in pages[0]


def test_odd_frozen_content_still_makes_a_document(world, weasyprint):
    version = submit(world, submitted_draft(world))
    ProposalVersion.objects.filter(pk=version.pk).update(
        content={
            "title_ja": None,
            "title_en": ["not", "text"],
            "budget": "lots",
            "co_investigators": [{"name_ja": 3}, "someone"],
            "attachments": [{"filename": None}],
            "effort_percent": "forty",
        }
    )
    version.refresh_from_db()
    body = pdf.application_pdf(version)
    assert body.startswith(b"%PDF-")
    assert version.receipt_number in texts(body)[0]


def test_without_weasyprint_the_pdf_answers_503_in_both_languages(client, world, monkeypatch):
    def unavailable(html: str) -> bytes:
        raise pdf.PdfUnavailable("no Pango here")

    monkeypatch.setattr(pdf, "html_to_pdf", unavailable)
    version = submit(world, submitted_draft(world))
    client.force_login(world.officer)
    response = client.get(f"/ja/proposals/{version.proposal_id}/versions/1/pdf")
    assert response.status_code == 503
    body = response.content.decode()
    assert "申請書PDFを作成できません" in body
    assert "cannot be made on this server" in body
