"""The writers of proposals: drafting, saving, attaching, submitting, answering.

Each refusal is shown to write nothing (no row, no audit entry); each change to
leave exactly the audit trail it should.
"""

import pytest
from django.core.exceptions import ValidationError

from openrd.core.models import AuditEntry
from openrd.core.refusals import Refused
from openrd.proposals import services
from openrd.proposals.models import Endorsement, Proposal, ProposalStatus, ProposalVersion
from openrd.proposals.queries import agency_proposals, institution_proposals, owned_proposals
from openrd.proposals.tests.conftest import PDF, add_co_investigator

pytestmark = pytest.mark.django_db

COMPLETE = services.DraftChanges(
    fields={"title_ja": "量子センサの実証", "abstract_ja": "概要", "effort_percent": 40},
    budget=[(2026, 10_000_000), (2027, 8_000_000)],
)


def draft(world, changes=COMPLETE):
    """A complete draft, with world.co_investigator invited and accepted."""
    p = services.create_proposal(actor=world.applicant, call=world.call, changes=changes)
    add_co_investigator(p, world.co_investigator)
    services.attach_document(
        p, actor=world.applicant, document_code="plan", upload=PDF, filename="plan.pdf"
    )
    return p


def actions(p):
    return list(
        AuditEntry.objects.filter(object_id=str(p.pk), object_type="proposals.proposal")
        .order_by("id")
        .values_list("action", flat=True)
    )


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
    assert actions(p) == [
        "proposals.proposal.created",
        "proposals.member.invited",
        "proposals.member.accepted",
        "proposals.document.attached",
        "proposals.proposal.submitted",
        "proposals.proposal.endorsed",
    ]
    submitted = AuditEntry.objects.get(action="proposals.proposal.submitted")
    assert submitted.before == {"status": "draft"}
    assert (submitted.after["status"], submitted.after["version"]) == ("submitted", 1)


def test_create_and_fill_is_one_step_and_a_bad_field_leaves_nothing(world):
    bad = services.DraftChanges(fields={"title_ja": "題名"}, budget=[(2026, "-1")])
    with pytest.raises(ValidationError) as exc:
        services.create_proposal(actor=world.applicant, call=world.call, changes=bad)
    assert set(exc.value.message_dict) == {"budget.0.amount_yen"}
    assert not Proposal.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="proposals.").exists()


def test_create_records_what_it_filled_in_one_audit_entry(world):
    p = services.create_proposal(actor=world.applicant, call=world.call, changes=COMPLETE)
    (entry,) = AuditEntry.objects.filter(action="proposals.proposal.created")
    assert entry.after["title_ja"] == "量子センサの実証"
    assert entry.after["budget"] == [[2026, 10_000_000], [2027, 8_000_000]]
    assert "co_investigators" not in entry.after  # invited on their own (test_members)
    assert (p.revision, p.members.count()) == (1, 0)


def test_create_without_an_institution_is_a_field_error(world):
    world.applicant.organisation = None
    world.applicant.save()
    with pytest.raises(ValidationError) as exc:
        services.create_proposal(actor=world.applicant, call=world.call)
    assert set(exc.value.message_dict) == {"institution"}
    assert not Proposal.objects.exists()


def test_refused_submission_creates_nothing_and_names_every_reason(world):
    p = services.create_proposal(actor=world.applicant, call=world.call)
    with pytest.raises(Refused) as refused:
        services.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    assert refused.value.decision.codes() == [
        "proposal.title_missing",
        "budget.missing",
        "effort.out_of_range",
        "document.missing.plan",
    ]
    assert not ProposalVersion.objects.exists()
    assert actions(p) == ["proposals.proposal.created"]
    p.refresh_from_db()
    assert p.status == ProposalStatus.DRAFT


def test_the_same_idempotency_key_never_creates_a_second_submission(world):
    p = draft(world)
    first = services.submit_proposal(p, actor=world.applicant, idempotency_key="retry-me")
    again = services.submit_proposal(p, actor=world.applicant, idempotency_key="retry-me")
    assert again == first
    assert ProposalVersion.objects.count() == 1


def test_the_same_key_with_different_content_is_refused_not_answered_with_the_old_version(world):
    p = draft(world)
    services.submit_proposal(p, actor=world.applicant, idempotency_key="once")
    services.return_proposal(p, actor=world.officer, comment="予算を見直してください")
    services.save_draft(
        p,
        actor=world.applicant,
        revision=p.revision,
        changes=services.DraftChanges(fields={"title_ja": "改訂版"}),
    )
    with pytest.raises(Refused) as refused:
        services.submit_proposal(p, actor=world.applicant, idempotency_key="once")
    assert refused.value.decision.codes() == ["submission.key_reused"]
    assert ProposalVersion.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 101, "has space", "日本語キー"])
def test_an_empty_over_long_or_odd_key_is_a_field_error_never_cut(world, key):
    p = draft(world)
    with pytest.raises(ValidationError) as exc:
        services.submit_proposal(p, actor=world.applicant, idempotency_key=key)
    assert set(exc.value.message_dict) == {"idempotency_key"}
    assert not ProposalVersion.objects.exists()


def test_two_long_keys_that_share_a_prefix_are_two_keys(world):
    p = draft(world)
    first = services.submit_proposal(p, actor=world.applicant, idempotency_key="a" * 100)
    assert first.idempotency_key == "a" * 100
    assert services.validate_idempotency_key("a" * 99 + "b") == "a" * 99 + "b"


def test_a_double_click_with_new_keys_but_unchanged_content_makes_one_version(world):
    p = draft(world)
    first = services.submit_proposal(p, actor=world.applicant, idempotency_key="click-1")
    second = services.submit_proposal(p, actor=world.applicant, idempotency_key="click-2")
    assert second == first
    assert ProposalVersion.objects.count() == 1


def test_a_submitted_proposal_cannot_be_edited_until_it_is_returned(world):
    p = draft(world)
    v1 = services.submit_proposal(p, actor=world.applicant, idempotency_key="a")
    title = services.DraftChanges(fields={"title_ja": "改訂版"})
    with pytest.raises(Refused) as refused:
        services.save_draft(p, actor=world.applicant, revision=p.revision, changes=title)
    assert refused.value.decision.codes() == ["proposal.not_editable"]
    with pytest.raises(Refused):
        services.attach_document(
            p, actor=world.applicant, document_code="letter", upload=PDF, filename="l.pdf"
        )
    p.refresh_from_db()
    assert p.title_ja == "量子センサの実証"
    services.return_proposal(p, actor=world.officer, comment="題名を見直してください")
    services.save_draft(p, actor=world.applicant, revision=p.revision, changes=title)
    v2 = services.submit_proposal(p, actor=world.applicant, idempotency_key="b")
    v1.refresh_from_db()
    assert (v1.number, v1.content["title_ja"], v1.endorsement) == (
        1,
        "量子センサの実証",
        Endorsement.RETURNED,
    )
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
    assert (again.proposal.title_ja, again.proposal.revision) == ("同じ内容", loaded + 1)
    assert AuditEntry.objects.filter(action="proposals.draft.saved").count() == 1


def test_bad_draft_input_saves_nothing_without_partial(world):
    p = services.create_proposal(actor=world.applicant, call=world.call)
    bad = services.DraftChanges(
        fields={"title_ja": "新しい題名", "effort_percent": 101},
        budget=[(2026, "-5"), (2027, "1.5")],
    )
    with pytest.raises(ValidationError) as exc:
        services.save_draft(p, actor=world.applicant, revision=p.revision, changes=bad)
    assert set(exc.value.message_dict) == {
        "effort_percent",
        "budget.0.amount_yen",
        "budget.1.amount_yen",
    }
    p.refresh_from_db()
    assert (p.title_ja, p.budget_lines.count(), p.revision) == ("", 0, 1)
    assert not AuditEntry.objects.filter(action="proposals.draft.saved").exists()


def test_a_partial_save_keeps_every_valid_field_and_the_stored_amount_of_a_bad_one(world):
    p = services.create_proposal(actor=world.applicant, call=world.call, changes=COMPLETE)
    typo = services.DraftChanges(
        fields={"title_ja": "新しい題名", "effort_percent": 101},
        budget=[(2026, "-1"), (2027, "9000000")],
    )
    saved = services.save_draft(
        p, actor=world.applicant, revision=p.revision, changes=typo, partial=True
    )
    assert set(saved.refused) == {"effort_percent", "budget.0.amount_yen"}
    p.refresh_from_db()
    assert (p.title_ja, p.effort_percent, p.revision) == ("新しい題名", 40, 2)
    assert list(p.budget_lines.values_list("fiscal_year", "amount_yen")) == [
        (2026, 10_000_000),
        (2027, 9_000_000),
    ]
    entry = AuditEntry.objects.get(action="proposals.draft.saved")
    assert entry.after["refused"] == ["budget.0.amount_yen", "effort_percent"]


def test_return_needs_a_reason_and_the_applicant_may_resubmit(world):
    p = draft(world)
    services.submit_proposal(p, actor=world.applicant, idempotency_key="a")
    with pytest.raises(ValidationError) as blank:
        services.return_proposal(p, actor=world.officer, comment="  ")
    assert set(blank.value.message_dict) == {"comment"}
    services.return_proposal(p, actor=world.officer, comment="予算の根拠を追記してください")
    p.refresh_from_db()
    assert p.status == ProposalStatus.RETURNED
    returned = AuditEntry.objects.get(action="proposals.proposal.returned")
    assert returned.after["comment"] == "予算の根拠を追記してください"
    again = services.submit_proposal(p, actor=world.applicant, idempotency_key="b")
    assert (again.number, again.endorsement) == (2, Endorsement.PENDING)


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


def test_losing_the_same_key_race_answers_with_the_winners_version(world, monkeypatch):
    from django.db import IntegrityError

    from openrd.proposals.services import submission

    p = draft(world)
    real = submission._submit

    def winner_then_collision(proposal, **kwargs):
        # The other request commits its version with this key first; this one's
        # insert then collides on the unique (proposal, key) constraint.
        real(proposal, **kwargs)
        raise IntegrityError("unique_submission_key")

    monkeypatch.setattr(submission, "_submit", winner_then_collision)
    version = services.submit_proposal(p, actor=world.applicant, idempotency_key="race")
    assert (version.number, version.idempotency_key) == (1, "race")
    assert ProposalVersion.objects.count() == 1


def test_losing_the_race_to_different_content_under_the_same_key_is_refused(world, monkeypatch):
    from django.db import IntegrityError

    from openrd.proposals.services import submission

    p = draft(world)
    real = submission._submit

    def winner_then_changed(proposal, **kwargs):
        real(proposal, **kwargs)
        # Content changed under the winner's version (as if submitted from another
        # editor state) before this request's insert collided.
        ProposalVersion.objects.filter(idempotency_key="race").update(content={"other": True})
        raise IntegrityError("unique_submission_key")

    monkeypatch.setattr(submission, "_submit", winner_then_changed)
    with pytest.raises(Refused) as refused:
        services.submit_proposal(p, actor=world.applicant, idempotency_key="race")
    assert refused.value.decision.codes() == ["submission.key_reused"]


def test_a_title_with_a_bidi_override_is_refused_on_its_field(world):
    p = services.create_proposal(actor=world.applicant, call=world.call)
    spoof = services.DraftChanges(
        fields={"title_ja": "量子\u202eセンサ", "abstract_ja": "行1\n行2"}
    )
    with pytest.raises(ValidationError) as exc:
        services.save_draft(p, actor=world.applicant, revision=p.revision, changes=spoof)
    assert set(exc.value.message_dict) == {"title_ja"}
    assert "U+202E" in exc.value.message_dict["title_ja"][0]
