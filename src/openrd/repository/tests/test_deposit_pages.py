"""The depositor's and the curator's pages: typed input kept on an error, the
workflow's buttons, the refusals, and 404 (audited) for everyone else."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from openrd.core.models import AuditEntry
from openrd.repository.models import DepositStatus, Output
from openrd.repository.tests.conftest import PDF

pytestmark = pytest.mark.django_db


def _metadata(output: Output, **changes: str) -> dict[str, str]:
    data = {
        "step": "metadata",
        "resource_type": output.resource_type,
        "title_ja": output.title_ja,
        "title_en": output.title_en,
        "language": output.language,
        "text_version": output.text_version,
        "licence": output.licence,
        "access_rights": output.access_rights,
        "journal_title": output.journal_title,
        "doi": output.doi,
        "creators-TOTAL_FORMS": "1",
        "creators-INITIAL_FORMS": "0",
        "creators-0-family_name_ja": "山田",
        "creators-0-family_name_en": "Yamada",
    }
    return data | changes


def test_a_new_deposit_starts_from_the_researchers_award(repo, client):
    client.force_login(repo.pi)
    page = client.get("/ja/outputs/deposits/")
    assert page.status_code == 200
    assert "TEST-MS6-01" in page.content.decode()
    made = client.post(
        "/ja/outputs/deposits/",
        {"award": repo.award.pk, "kind": "article", "title_ja": "新しい論文"},
    )
    output = Output.objects.get(title_ja="新しい論文")
    assert made.status_code == 302
    assert made["Location"] == f"/ja/outputs/deposits/{output.pk}/"
    assert output.deposited_by == repo.pi
    assert output.status == DepositStatus.DRAFT


def test_someone_elses_award_cannot_be_chosen(repo, client):
    client.force_login(repo.stranger)
    answer = client.post("/ja/outputs/deposits/", {"award": repo.award.pk, "kind": "article"})
    assert answer.status_code == 422
    assert not Output.objects.exists()


def test_bad_metadata_is_refused_by_field_and_what_was_typed_is_kept(repo, client):
    output = repo.deposit(publish=False)
    client.force_login(repo.pi)
    answer = client.post(
        f"/en/outputs/deposits/{output.pk}/",
        _metadata(output, doi="not-a-doi", title_en="Typed title kept"),
    )
    assert answer.status_code == 422
    body = answer.content.decode()
    assert "Typed title kept" in body
    assert 'aria-invalid="true"' in body
    output.refresh_from_db()
    assert output.title_en == "Demonstrating quantum error correction"


def test_saving_good_metadata_replaces_the_authors(repo, client):
    output = repo.deposit(publish=False)
    client.force_login(repo.pi)
    answer = client.post(f"/ja/outputs/deposits/{output.pk}/", _metadata(output, title_en="New"))
    assert answer.status_code == 302
    output.refresh_from_db()
    assert output.title_en == "New"
    assert [c.family_name_ja for c in output.creators.all()] == ["山田"]


def test_a_file_is_attached_and_a_bad_one_refused(repo, client):
    output = repo.deposit(publish=False, files=[])
    client.force_login(repo.pi)
    bad = client.post(f"/en/outputs/deposits/{output.pk}/", {
        "step": "file", "access": "open", "text_version": "AM",
        "file": SimpleUploadedFile("paper.pdf", b"MZ\x90\x00 not a pdf"),
    })  # fmt: skip
    assert bad.status_code == 422
    assert output.files.count() == 0
    good = client.post(f"/en/outputs/deposits/{output.pk}/", {
        "step": "file", "access": "open", "text_version": "AM",
        "file": SimpleUploadedFile("paper.pdf", PDF, content_type="application/pdf"),
    })  # fmt: skip
    assert good.status_code == 302
    assert output.files.get().stored.md5


def test_the_workflow_through_the_buttons(repo, client):
    output = repo.deposit(publish=False)
    client.force_login(repo.pi)
    assert client.post(f"/ja/outputs/deposits/{output.pk}/", {"step": "submit"}).status_code == 302
    # The depositor may not publish.
    assert client.post(f"/ja/outputs/deposits/{output.pk}/", {"step": "publish"}).status_code == 404
    client.force_login(repo.curator)
    queue = client.get("/ja/outputs/curation/")
    assert queue.status_code == 200
    assert output.title_ja in queue.content.decode()
    assert client.post(f"/ja/outputs/deposits/{output.pk}/", {"step": "curate"}).status_code == 302
    assert client.post(f"/ja/outputs/deposits/{output.pk}/", {"step": "publish"}).status_code == 302
    output.refresh_from_db()
    assert output.status == DepositStatus.PUBLISHED


def test_a_refused_step_says_why(repo, client):
    output = repo.deposit(publish=False, files=[])
    client.force_login(repo.pi)
    answer = client.post(f"/en/outputs/deposits/{output.pk}/", {"step": "submit"})
    assert answer.status_code == 409
    assert 'data-code="deposit.no_files"' in answer.content.decode()


def test_a_stranger_gets_404_and_the_probe_is_audited(repo, client):
    output = repo.deposit(publish=False)
    client.force_login(repo.stranger)
    assert client.get(f"/ja/outputs/deposits/{output.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="access.denied", object_id=str(output.pk)).exists()
    assert client.get("/ja/outputs/curation/").status_code == 404


def test_the_exception_and_the_apc_are_recorded_from_the_page(repo, client):
    output = repo.deposit(publish=False)
    client.force_login(repo.pi)
    reported = client.post(f"/ja/outputs/deposits/{output.pk}/",
                           {"step": "exception", "reason": "publisher_embargo"})  # fmt: skip
    assert reported.status_code == 302
    paid = client.post(f"/ja/outputs/deposits/{output.pk}/", {
        "step": "apc", "amount_yen": "385000", "paid_on": "2026-05-01", "payer": "award",
        "agreement": "transformative",
    })  # fmt: skip
    assert paid.status_code == 302
    output.refresh_from_db()
    assert output.oa_exception == "publisher_embargo"
    payment = output.apc_payments.get()
    assert payment.fiscal_year == 2026
    assert payment.funding_award == repo.award
    ledger = client.get("/ja/outputs/apc/")
    assert ledger.status_code == 200
    assert "385,000円" in ledger.content.decode()
