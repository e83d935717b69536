from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openrd.core.models import AuditEntry
from openrd.proposals import services
from openrd.proposals.models import Endorsement, ProposalStatus, ProposalVersion
from openrd.proposals.queries import agency_proposals, institution_proposals, owned_proposals
from openrd.proposals.tests.conftest import PDF

pytestmark = pytest.mark.django_db

COMPLETE = services.DraftChanges(
    fields={"title_ja": "量子センサの実証", "abstract_ja": "概要", "effort_percent": 40},
    budget=[(2026, 10_000_000), (2027, 8_000_000)],
    co_investigators=["33334444"],
)


def draft(world, changes=COMPLETE):
    p = services.create_proposal(actor=world.applicant, call=world.call)
    p = services.save_draft(p, actor=world.applicant, revision=p.revision, changes=changes)
    services.attach_document(
        p, actor=world.applicant, document_code="plan", upload=PDF, filename="plan.pdf"
    )
    return p


def test_whole_journey_from_draft_to_endorsed_submission_seen_by_the_agency(world):
    p = draft(world)
    assert list(institution_proposals(world.officer)) == []
    version = services.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    assert version.number == 1
    assert version.content["budget"] == [
        {"fiscal_year": 2026, "amount_yen": 10_000_000},
        {"fiscal_year": 2027, "amount_yen": 8_000_000},
    ]
    assert version.disclosure.pledged_at is not None
    assert list(institution_proposals(world.officer)) == [p]
    assert list(agency_proposals(world.nedo_staff)) == []
    services.endorse_proposal(p, actor=world.officer)
    assert list(agency_proposals(world.nedo_staff)) == [p]
    assert list(agency_proposals(world.jst_staff)) == []
    assert list(owned_proposals(world.co_investigator)) == [p]
    actions = list(
        AuditEntry.objects.filter(object_id=str(p.pk), object_type="proposals.proposal")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "proposals.proposal.created",
        "proposals.draft.saved",
        "proposals.document.attached",
        "proposals.proposal.submitted",
        "proposals.proposal.endorsed",
    ]


def test_refused_submission_creates_nothing_and_names_every_reason(world):
    p = services.create_proposal(actor=world.applicant, call=world.call)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    assert refused.value.decision.codes() == [
        "proposal.title_missing",
        "budget.missing",
        "effort.out_of_range",
        "document.missing.plan",
    ]
    assert not ProposalVersion.objects.exists()


def test_the_same_idempotency_key_never_creates_a_second_submission(world):
    p = draft(world)
    first = services.submit_proposal(p, actor=world.applicant, idempotency_key="retry-me")
    again = services.submit_proposal(p, actor=world.applicant, idempotency_key="retry-me")
    assert again == first
    assert ProposalVersion.objects.count() == 1


def test_a_double_click_with_new_keys_but_unchanged_content_makes_one_version(world):
    p = draft(world)
    first = services.submit_proposal(p, actor=world.applicant, idempotency_key="click-1")
    second = services.submit_proposal(p, actor=world.applicant, idempotency_key="click-2")
    assert second == first
    assert ProposalVersion.objects.count() == 1


def test_changes_after_submission_make_a_new_version_and_leave_the_old_one_intact(world):
    p = draft(world)
    v1 = services.submit_proposal(p, actor=world.applicant, idempotency_key="a")
    p.refresh_from_db()
    services.save_draft(
        p,
        actor=world.applicant,
        revision=p.revision,
        changes=services.DraftChanges(fields={"title_ja": "改訂版"}),
    )
    v2 = services.submit_proposal(p, actor=world.applicant, idempotency_key="b")
    v1.refresh_from_db()
    assert (v1.number, v1.content["title_ja"]) == (1, "量子センサの実証")
    assert (v2.number, v2.content["title_ja"], v2.endorsement) == (2, "改訂版", Endorsement.PENDING)


def test_a_stale_save_is_refused_and_the_first_editors_text_stays(world):
    p = services.create_proposal(actor=world.applicant, call=world.call)
    loaded = p.revision
    services.save_draft(
        p,
        actor=world.applicant,
        revision=loaded,
        changes=services.DraftChanges(fields={"title_ja": "先に保存"}),
    )
    with pytest.raises(services.StaleRevision) as stale:
        services.save_draft(
            p,
            actor=world.applicant,
            revision=loaded,
            changes=services.DraftChanges(fields={"title_ja": "後から保存"}),
        )
    assert stale.value.current.title_ja == "先に保存"
    p.refresh_from_db()
    assert (p.title_ja, p.revision) == ("先に保存", loaded + 1)


def test_the_same_save_arriving_twice_is_not_a_conflict(world):
    p = services.create_proposal(actor=world.applicant, call=world.call)
    loaded = p.revision
    change = services.DraftChanges(fields={"title_ja": "同じ内容"})
    services.save_draft(p, actor=world.applicant, revision=loaded, changes=change)
    again = services.save_draft(p, actor=world.applicant, revision=loaded, changes=change)
    assert (again.title_ja, again.revision) == ("同じ内容", loaded + 1)


def test_bad_draft_input_saves_nothing(world):
    p = services.create_proposal(actor=world.applicant, call=world.call)
    bad = services.DraftChanges(
        fields={"title_ja": "新しい題名", "effort_percent": 101},
        budget=[(2026, "-5"), (2027, "1.5")],
        co_investigators=["99999999"],
    )
    with pytest.raises(ValidationError) as exc:
        services.save_draft(p, actor=world.applicant, revision=p.revision, changes=bad)
    assert set(exc.value.message_dict) == {
        "effort_percent",
        "budget.0.amount_yen",
        "budget.1.amount_yen",
        "co_investigators",
    }
    p.refresh_from_db()
    assert (p.title_ja, p.budget_lines.count(), p.revision) == ("", 0, 1)


def test_return_then_resubmit(world):
    p = draft(world)
    services.submit_proposal(p, actor=world.applicant, idempotency_key="a")
    with pytest.raises(ValidationError):
        services.return_proposal(p, actor=world.officer, comment="  ")
    services.return_proposal(p, actor=world.officer, comment="予算の根拠を追記してください")
    p.refresh_from_db()
    assert p.status == ProposalStatus.RETURNED
    again = services.submit_proposal(p, actor=world.applicant, idempotency_key="b")
    assert (again.number, again.endorsement) == (2, Endorsement.PENDING)


def test_withdrawal_before_the_deadline_and_no_changes_after_it(world):
    p = draft(world)
    services.withdraw_proposal(p, actor=world.applicant)
    p.refresh_from_db()
    assert p.status == ProposalStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        services.save_draft(
            p,
            actor=world.applicant,
            revision=p.revision,
            changes=services.DraftChanges(fields={"title_ja": "x"}),
        )


def test_nothing_changes_after_the_deadline(world):
    p = draft(world)
    world.call.__class__.objects.filter(pk=world.call.pk).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )
    p.refresh_from_db()
    with pytest.raises(ValidationError):
        services.withdraw_proposal(p, actor=world.applicant)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit_proposal(p, actor=world.applicant, idempotency_key="late")
    assert refused.value.decision.codes() == ["call.not_open"]


def test_only_pdfs_are_attached_and_only_for_the_calls_documents(world):
    p = services.create_proposal(actor=world.applicant, call=world.call)
    with pytest.raises(ValidationError) as not_pdf:
        services.attach_document(
            p, actor=world.applicant, document_code="plan", upload=b"GIF89a...", filename="plan.pdf"
        )
    assert "file" in not_pdf.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        services.attach_document(
            p, actor=world.applicant, document_code="cv", upload=PDF, filename="cv.pdf"
        )
    assert "document_code" in unknown.value.message_dict
    assert p.attachments.count() == 0
