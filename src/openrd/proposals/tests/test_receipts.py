"""Receipt numbers (受付番号): unique, sequential per call, kept by a proposal's
versions, and shown wherever a submission is acknowledged."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from openrd.core.fiscal import fiscal_year_of, to_tokyo
from openrd.notifications.delivery import render
from openrd.notifications.models import Notification
from openrd.proposals import services
from openrd.proposals.documents.receipt import receipt_number
from openrd.proposals.models import Proposal, ProposalVersion
from openrd.proposals.tests.conftest import PDF, World, add_co_investigator, make_call

COMPLETE = services.DraftChanges(
    fields={
        "title_ja": "量子センサの実証",
        "title_en": "Quantum sensor demonstration",
        "abstract_ja": "概要です。",
        "effort_percent": 40,
    },
    budget=[(2026, 10_000_000), (2027, 8_000_000)],
)


def submitted_draft(world: World, call=None, changes=COMPLETE, *, pdf: bytes = PDF):
    """A complete draft with its plan attached, ready to submit."""
    p = services.create_proposal(actor=world.applicant, call=call or world.call, changes=changes)
    add_co_investigator(p, world.co_investigator)
    services.attach_document(
        p, actor=world.applicant, document_code="plan", upload=pdf, filename="plan.pdf"
    )
    return p


def submit(world: World, p, key="k1"):
    return services.submit_proposal(p, actor=world.applicant, idempotency_key=key)


def this_fiscal_year() -> int:
    return fiscal_year_of(to_tokyo(timezone.now()).date())


# --- the format, without a database ---------------------------------------------


def test_the_receipt_names_fiscal_year_call_sequence_and_version():
    at = datetime(2026, 12, 1, 9, 20, 5, tzinfo=UTC)
    made = receipt_number(call_code="sbir-test-01", sequence=7, version=2, submitted_at=at)
    assert made == "2026-SBIR-TEST-01-000007-v2"


def test_the_fiscal_year_turns_on_1_april_in_tokyo_not_in_utc():
    # 2027-03-31 15:00 UTC is 1 April 00:00 in Tokyo: fiscal year 2027.
    at = datetime(2027, 3, 31, 15, 0, 0, tzinfo=UTC)
    assert receipt_number(call_code="c", sequence=1, version=1, submitted_at=at).startswith("2027-")
    before = datetime(2027, 3, 31, 14, 59, 59, tzinfo=UTC)
    assert receipt_number(call_code="c", sequence=1, version=1, submitted_at=before).startswith(
        "2026-"
    )


# --- assigned by the submit service ----------------------------------------------


@pytest.mark.django_db
def test_receipts_are_sequential_per_call_and_kept_by_a_proposals_later_versions(world):
    fy = this_fiscal_year()
    first, second = submitted_draft(world), submitted_draft(world)
    v1 = submit(world, first)
    w1 = submit(world, second)
    assert v1.receipt_number == f"{fy}-SBIR-TEST-01-000001-v1"
    assert w1.receipt_number == f"{fy}-SBIR-TEST-01-000002-v1"
    services.return_proposal(first, actor=world.officer, comment="予算の根拠を追記してください")
    services.save_draft(
        first,
        actor=world.applicant,
        revision=Proposal.objects.get(pk=first.pk).revision,
        changes=services.DraftChanges(fields={"abstract_ja": "根拠を追記した概要。"}),
    )
    v2 = submit(world, first, key="k2")
    assert v2.number == 2
    assert v2.receipt_number == f"{fy}-SBIR-TEST-01-000001-v2"
    other_call = make_call(code="sbir-test-02")
    elsewhere = submit(world, submitted_draft(world, other_call))
    assert elsewhere.receipt_number == f"{fy}-SBIR-TEST-02-000001-v1"
    numbers = list(ProposalVersion.objects.values_list("receipt_number", flat=True))
    assert len(numbers) == len(set(numbers)) == 4


@pytest.mark.django_db
def test_a_repeated_submission_keeps_its_receipt_and_draws_no_new_number(world):
    p = submitted_draft(world)
    first = submit(world, p, key="same")
    again = submit(world, p, key="same")
    assert again.pk == first.pk
    assert again.receipt_number.endswith("-000001-v1")
    assert submit(world, submitted_draft(world), key="next").receipt_number.endswith("-000002-v1")


@pytest.mark.django_db
def test_a_number_taken_meanwhile_by_another_submission_is_drawn_again(world, monkeypatch):
    from openrd.proposals.services import submission

    submit(world, submitted_draft(world))
    real = submission.receipt_sequence
    draws: list[int] = []

    def stale_then_real(locked, latest):
        # The first draw repeats the number already given, as a racing request would.
        draws.append(1 if not draws else real(locked, latest))
        return draws[-1]

    monkeypatch.setattr(submission, "receipt_sequence", stale_then_real)
    version = submit(world, submitted_draft(world), key="racer")
    assert draws == [1, 2]
    assert version.receipt_number.endswith("-000002-v1")
    # The failed first attempt left nothing behind: one receipt mail per submission.
    assert Notification.objects.filter(kind="proposal.submitted").count() == 2


@pytest.mark.django_db
def test_the_database_refuses_a_second_version_with_the_same_receipt(world):
    version = submit(world, submitted_draft(world))
    clash = ProposalVersion(
        proposal=version.proposal,
        number=2,
        submitted_at=version.submitted_at,
        submitted_by=world.applicant,
        idempotency_key="other",
        content={},
        disclosure=version.disclosure,
        receipt_sequence=1,
        receipt_number=version.receipt_number,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()


@pytest.mark.django_db
def test_the_audit_entry_of_a_submission_records_its_receipt(world):
    from openrd.core.models import AuditEntry

    version = submit(world, submitted_draft(world))
    entry = AuditEntry.objects.get(action="proposals.proposal.submitted")
    assert entry.after["receipt_number"] == version.receipt_number


@pytest.mark.django_db
def test_the_migration_gives_existing_versions_numbers_in_order_of_first_submission(world):
    fy = this_fiscal_year()
    first, second = submitted_draft(world), submitted_draft(world)
    submit(world, first)
    submit(world, second)
    ProposalVersion.objects.update(receipt_number=_placeholders(), receipt_sequence=0)
    migration = importlib.import_module(
        "openrd.proposals.migrations.0003_proposal_version_receipt_number"
    )
    migration.backfill(django_apps, None)
    by_proposal = dict(ProposalVersion.objects.values_list("proposal_id", "receipt_number"))
    assert by_proposal == {
        first.pk: f"{fy}-SBIR-TEST-01-000001-v1",
        second.pk: f"{fy}-SBIR-TEST-01-000002-v1",
    }


def _placeholders():
    # Unique per row (from its id), as the unique receipt column demands.
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    return Concat(Value("placeholder-"), F("id"))


# --- shown to the applicant and the officer --------------------------------------


@pytest.mark.django_db
def test_the_submitted_notification_and_the_officers_request_carry_the_receipt(world):
    version = submit(world, submitted_draft(world))
    receipt = Notification.objects.get(kind="proposal.submitted")
    assert receipt.context["receipt_number"] == version.receipt_number
    _subject, text, html = render(receipt, "ja")
    assert version.receipt_number in text
    assert version.receipt_number in html
    request = Notification.objects.get(kind="proposal.endorsement_requested")
    assert version.receipt_number in render(request, "en")[1]


@pytest.mark.django_db
def test_an_old_notification_without_a_receipt_still_renders(world):
    submit(world, submitted_draft(world))
    receipt = Notification.objects.get(kind="proposal.submitted")
    receipt.context = {k: v for k, v in receipt.context.items() if k != "receipt_number"}
    _subject, text, _html = render(receipt, "ja")
    assert "第1版" in text


@pytest.mark.django_db
def test_the_applicant_sees_the_receipt_on_submitting_and_on_the_proposal_page(client, world):
    p = submitted_draft(world)
    client.force_login(world.applicant)
    response = client.post(
        f"/ja/proposals/{p.pk}/submit/", {"submission_key": "web-1"}, follow=True
    )
    version = ProposalVersion.objects.get(proposal=p)
    page = response.content.decode()
    # Once in the confirmation message, once in the list of submitted versions.
    assert page.count(version.receipt_number) >= 2
    assert f'href="/ja/proposals/{p.pk}/versions/1/"' in page


@pytest.mark.django_db
def test_the_officer_sees_the_receipt_on_the_endorsement_page(client, world):
    version = submit(world, submitted_draft(world))
    client.force_login(world.officer)
    page = client.get(f"/ja/proposals/{version.proposal_id}/").content.decode()
    assert f"data-receipt-number>{version.receipt_number}<" in page
    assert f'href="/ja/proposals/{version.proposal_id}/versions/1/pdf"' in page
