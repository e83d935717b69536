"""The read-only page of exactly one submitted version, and who may read it."""

from __future__ import annotations

import pytest

from openrd.core.fiscal import format_wareki_date, to_tokyo
from openrd.core.models import AuditEntry
from openrd.proposals import services
from openrd.proposals.models import Proposal
from openrd.proposals.tests.test_receipts import submit, submitted_draft

pytestmark = pytest.mark.django_db


def page_of(client, user, version, suffix=""):
    client.force_login(user)
    return client.get(f"/ja/proposals/{version.proposal_id}/versions/{version.number}/{suffix}")


def test_the_page_shows_every_submitted_field_the_budget_total_and_the_receipt(client, world):
    version = submit(world, submitted_draft(world))
    response = page_of(client, world.applicant, version)
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "量子センサの実証",
        "Quantum sensor demonstration",
        "概要です。",
        "40%",
        version.receipt_number,
        "1,000万円",  # 2026's line
        "18,000,000円",  # the total
        world.co_investigator.name_ja,
        "さくら量子株式会社",  # a position from the disclosure
        "plan.pdf",
        world.applicant.name_ja,  # submitted by
    ):
        assert text in page, text
    at = to_tokyo(version.submitted_at)
    assert f"{format_wareki_date(at, 'ja')} {at:%H:%M:%S}（日本時間）" in page
    assert "年度（" in page  # the fiscal year of the submission, by era
    sha = version.content["attachments"][0]["sha256"]
    assert f'href="/ja/proposals/{version.proposal_id}/files/{sha}/"' in page


def test_the_page_shows_what_was_submitted_not_later_edits_to_the_draft(client, world):
    version = submit(world, submitted_draft(world))
    p = version.proposal
    services.return_proposal(p, actor=world.officer, comment="題名を見直してください")
    services.save_draft(
        p,
        actor=world.applicant,
        revision=Proposal.objects.get(pk=p.pk).revision,
        changes=services.DraftChanges(fields={"title_ja": "書き換えた題名"}),
    )
    page = page_of(client, world.applicant, version).content.decode()
    assert "量子センサの実証" in page
    assert "書き換えた題名" not in page


def test_a_later_version_has_its_own_page_and_receipt(client, world):
    first = submit(world, submitted_draft(world))
    p = first.proposal
    services.return_proposal(p, actor=world.officer, comment="題名を見直してください")
    services.save_draft(
        p,
        actor=world.applicant,
        revision=Proposal.objects.get(pk=p.pk).revision,
        changes=services.DraftChanges(fields={"title_ja": "改訂した題名"}),
    )
    second = submit(world, p, key="k2")
    page = page_of(client, world.applicant, second).content.decode()
    assert "改訂した題名" in page
    assert second.receipt_number in page
    assert first.receipt_number not in page


@pytest.mark.parametrize(
    ("who", "before", "after"),
    [
        ("applicant", 200, 200),
        ("co_investigator", 200, 200),
        ("officer", 200, 200),
        ("nedo_staff", 404, 200),  # the call's agency, once endorsed
        ("jst_staff", 404, 404),  # another agency
        ("stranger", 404, 404),
    ],
)
@pytest.mark.parametrize("suffix", ["", "pdf"])
def test_who_may_read_a_version_before_and_after_endorsement(
    client, world, who, before, after, suffix, monkeypatch
):
    # The access rule is the same for the page and the PDF; the PDF's making is
    # tested in test_pdf.py, so here it is a stand-in.
    monkeypatch.setattr(
        "openrd.proposals.documents.pdf.application_pdf", lambda version: b"%PDF-1.7 stand-in"
    )
    version = submit(world, submitted_draft(world))
    user = getattr(world, who)
    assert page_of(client, user, version, suffix).status_code == before
    services.endorse_proposal(version.proposal, actor=world.officer)
    assert page_of(client, user, version, suffix).status_code == after


def test_a_refused_reader_gets_404_and_an_audit_entry(client, world):
    version = submit(world, submitted_draft(world))
    assert page_of(client, world.nedo_staff, version).status_code == 404
    assert AuditEntry.objects.filter(action="access.denied").count() == 1


def test_a_version_that_does_not_exist_is_404_and_audited(client, world):
    version = submit(world, submitted_draft(world))
    client.force_login(world.applicant)
    assert client.get(f"/ja/proposals/{version.proposal_id}/versions/9/").status_code == 404
    assert AuditEntry.objects.filter(action="access.denied").exists()


def test_the_agency_reads_the_endorsed_version_but_not_the_returned_one(client, world):
    first = submit(world, submitted_draft(world))
    p = first.proposal
    services.return_proposal(p, actor=world.officer, comment="題名を見直してください")
    second = submit(world, p, key="k2")  # unchanged content, resubmitted after the return
    services.endorse_proposal(p, actor=world.officer)
    assert page_of(client, world.nedo_staff, second).status_code == 200
    assert page_of(client, world.nedo_staff, first).status_code == 404
    assert page_of(client, world.officer, first).status_code == 200


def test_anonymous_readers_are_sent_to_sign_in(client, world):
    version = submit(world, submitted_draft(world))
    response = client.get(f"/ja/proposals/{version.proposal_id}/versions/1/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_english_page_gives_the_time_in_jst_with_the_fiscal_year(client, world):
    version = submit(world, submitted_draft(world))
    client.force_login(world.officer)
    page = client.get(f"/en/proposals/{version.proposal_id}/versions/1/").content.decode()
    at = to_tokyo(version.submitted_at)
    assert f"{at:%H:%M:%S} JST, FY{at.year if at.month >= 4 else at.year - 1}" in page
    assert version.receipt_number in page
    assert f'href="/en/proposals/{version.proposal_id}/versions/1/pdf"' in page
