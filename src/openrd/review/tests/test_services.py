"""The review services: conflicts stored, reviewers assigned, invited, answering, reviewing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openrd.accounts.models import Affiliation
from openrd.core.models import AuditEntry
from openrd.core.refusals import Refused
from openrd.notifications.models import Notification
from openrd.review import queries, services
from openrd.review.models import AssignmentStatus, ReviewAssignment, ReviewConflict, RoundStatus

pytestmark = pytest.mark.django_db

GOOD = {"novelty": "5", "feasibility": "4", "impact": "3"}


def opened(reviewing):
    services.auto_assign(reviewing.round, actor=reviewing.world.nedo_staff)
    services.open_round(reviewing.round, actor=reviewing.world.nedo_staff)
    return list(ReviewAssignment.objects.filter(round=reviewing.round).order_by("id"))


def accept(assignment):
    return services.accept_assignment(
        assignment,
        actor=assignment.reviewer,
        confirmed_no_conflict=True,
        accepted_confidentiality=True,
    )


def test_conflicts_are_stored_with_their_grounds_in_both_languages(reviewing):
    count = services.compute_conflicts(reviewing.round, actor=reviewing.world.nedo_staff)
    rows = list(ReviewConflict.objects.filter(round=reviewing.round))
    assert count == len(rows) >= 2
    assert {r.reviewer_id for r in rows} == {reviewing.colleague.pk}
    assert {r.proposal_id for r in rows} == {p.pk for p in reviewing.proposals}
    same = [r for r in rows if r.code == "review.conflict.same_institution"]
    assert same
    assert "さくら量子" in same[0].message_ja
    assert "institution submitting this proposal" in same[0].message_en
    assert same[0].evidence


def test_automatic_assignment_fills_every_proposal_and_never_with_a_conflict(reviewing):
    report = services.auto_assign(reviewing.round, actor=reviewing.world.nedo_staff)
    assert report.shortfalls == ()
    rows = list(ReviewAssignment.objects.filter(round=reviewing.round))
    assert len(rows) == 4
    assert reviewing.colleague.pk not in {a.reviewer_id for a in rows}
    for p in reviewing.proposals:
        assert sum(1 for a in rows if a.proposal_id == p.pk) == 2
    for r in reviewing.reviewers:
        assert sum(1 for a in rows if a.reviewer_id == r.pk) <= 2
    assert all(a.match > 0 and a.status == AssignmentStatus.PROPOSED for a in rows)
    assert AuditEntry.objects.filter(action="review.round.assigned").exists()


def test_running_the_assignment_again_gives_the_same_pairs(reviewing):
    staff = reviewing.world.nedo_staff
    services.auto_assign(reviewing.round, actor=staff)
    first = sorted(ReviewAssignment.objects.values_list("proposal_id", "reviewer_id"))
    services.auto_assign(reviewing.round, actor=staff)
    assert sorted(ReviewAssignment.objects.values_list("proposal_id", "reviewer_id")) == first


def test_a_short_pool_is_reported_per_proposal(reviewing):
    staff = reviewing.world.nedo_staff
    for person in reviewing.reviewers[1:]:
        services.save_reviewer(
            person, actor=staff, research_fields=["量子工学"], keywords=["量子"], is_active=False
        )
    report = services.auto_assign(reviewing.round, actor=staff)
    assert {s.proposal for s in report.shortfalls} == {str(p.pk) for p in reviewing.proposals}
    assert sum(s.missing for s in report.shortfalls) == 2  # 4 slots, one reviewer of load 2


def test_staff_cannot_assign_a_conflicted_reviewer_by_hand(reviewing):
    with pytest.raises(Refused) as refused:
        services.assign_by_hand(
            reviewing.round,
            reviewing.proposals[0],
            reviewing.colleague,
            actor=reviewing.world.nedo_staff,
        )
    assert "review.conflict.same_institution" in refused.value.decision.codes()
    assert not ReviewAssignment.objects.exists()


def test_a_reviewer_outside_the_pool_cannot_be_assigned(reviewing):
    with pytest.raises(ValidationError) as error:
        services.assign_by_hand(
            reviewing.round,
            reviewing.proposals[0],
            reviewing.world.stranger,
            actor=reviewing.world.nedo_staff,
        )
    assert "reviewer" in error.value.message_dict


def test_opening_invites_every_proposed_reviewer_once(reviewing):
    rows = opened(reviewing)
    assert {a.status for a in rows} == {AssignmentStatus.INVITED}
    invited = {a.reviewer_id for a in rows}
    notices = Notification.objects.filter(kind="review.invitation")
    assert sorted(n.recipient_id for n in notices) == sorted(invited)


def test_accepting_needs_the_confirmation_and_confidentiality(reviewing):
    assignment = opened(reviewing)[0]
    with pytest.raises(Refused) as refused:
        services.accept_assignment(
            assignment,
            actor=assignment.reviewer,
            confirmed_no_conflict=False,
            accepted_confidentiality=False,
        )
    assert set(refused.value.decision.codes()) == {
        "review.no_conflict_unconfirmed",
        "review.confidentiality_not_accepted",
    }
    assert assignment not in queries.open_assignments(assignment.reviewer)
    accept(assignment)
    row = ReviewAssignment.objects.get(pk=assignment.pk)
    assert row.status == AssignmentStatus.ACCEPTED
    assert row.no_conflict_confirmed_at
    assert row.confidentiality_accepted_at
    assert list(queries.open_assignments(assignment.reviewer)) == [row]


def test_a_conflict_found_after_the_assignment_refuses_acceptance_and_hides_it(reviewing):
    assignment = opened(reviewing)[0]
    Affiliation.objects.create(
        person=assignment.reviewer,
        organisation=reviewing.world.startup,
        kind="advisory",
        start_date=date(2022, 4, 1),
    )
    services.compute_conflicts(reviewing.round, actor=reviewing.world.nedo_staff)
    with pytest.raises(Refused) as refused:
        accept(assignment)
    assert "review.conflicted" in refused.value.decision.codes()
    # Even an assignment accepted before the conflict was found opens nothing.
    ReviewAssignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.ACCEPTED)
    assert not queries.open_assignments(assignment.reviewer).exists()


def test_only_the_reviewer_answers_their_assignment(reviewing):
    assignment = opened(reviewing)[0]
    other = next(r for r in reviewing.reviewers if r.pk != assignment.reviewer_id)
    with pytest.raises(PermissionDenied):
        services.accept_assignment(
            assignment, actor=other, confirmed_no_conflict=True, accepted_confidentiality=True
        )
    with pytest.raises(PermissionDenied):
        services.decline_assignment(assignment, actor=other)


def test_a_declined_pair_is_not_proposed_again(reviewing):
    assignment = opened(reviewing)[0]
    services.decline_assignment(assignment, actor=assignment.reviewer, reason="多忙のため")
    row = ReviewAssignment.objects.get(pk=assignment.pk)
    assert (row.status, row.decline_reason) == (AssignmentStatus.DECLINED, "多忙のため")
    services.auto_assign(reviewing.round, actor=reviewing.world.nedo_staff)
    live = ReviewAssignment.objects.filter(
        proposal=assignment.proposal, reviewer=assignment.reviewer
    )
    assert list(live.values_list("status", flat=True)) == [AssignmentStatus.DECLINED]


def test_a_draft_review_keeps_what_was_typed_and_submitting_asks_the_rules(reviewing):
    assignment = accept(opened(reviewing)[0])
    typed = {"novelty": "5", "feasibility": "とても良い"}
    review = services.save_review(
        assignment, actor=assignment.reviewer, scores=typed, comment="途中です"
    )
    assert review.scores == {"novelty": 5, "feasibility": "とても良い"}
    with pytest.raises(Refused) as refused:
        services.save_review(
            assignment, actor=assignment.reviewer, scores=typed, comment="途中", submit=True
        )
    codes = refused.value.decision.codes()
    assert "review.score_missing" in codes
    assert "review.score_not_integer" in codes
    assert ReviewAssignment.objects.get(pk=assignment.pk).status == AssignmentStatus.ACCEPTED
    done = services.save_review(
        assignment, actor=assignment.reviewer, scores=GOOD, comment="良い提案です。", submit=True
    )
    assert done.submitted_at is not None
    assert ReviewAssignment.objects.get(pk=assignment.pk).status == AssignmentStatus.SUBMITTED
    assert AuditEntry.objects.filter(action="review.assignment.submitted").exists()


def test_a_review_cannot_be_written_before_accepting(reviewing):
    assignment = opened(reviewing)[0]
    with pytest.raises(Refused) as refused:
        services.save_review(assignment, actor=assignment.reviewer, scores=GOOD)
    assert refused.value.decision.codes() == ["review.not_accepted"]


def test_a_round_opens_only_with_reviewers_and_before_it_is_due(reviewing):
    staff = reviewing.world.nedo_staff
    with pytest.raises(Refused) as refused:
        services.open_round(reviewing.round, actor=staff)
    assert refused.value.decision.codes() == ["review.round_without_reviewers"]
    services.auto_assign(reviewing.round, actor=staff)
    with pytest.raises(Refused) as refused:
        services.open_round(
            reviewing.round, actor=staff, now=reviewing.round.due_at + timedelta(seconds=1)
        )
    assert refused.value.decision.codes() == ["review.round_past_due"]
    services.open_round(reviewing.round, actor=staff)
    closed = services.close_round(reviewing.round, actor=staff)
    assert closed.status == RoundStatus.CLOSED
    with pytest.raises(Refused):
        services.auto_assign(reviewing.round, actor=staff)


def test_answers_after_the_due_date_are_refused(reviewing):
    assignment = opened(reviewing)[0]
    late = reviewing.round.due_at + timedelta(minutes=1)
    with pytest.raises(Refused) as refused:
        services.accept_assignment(
            assignment,
            actor=assignment.reviewer,
            confirmed_no_conflict=True,
            accepted_confidentiality=True,
            now=late,
        )
    assert "review.past_due" in refused.value.decision.codes()


def test_pool_entries_are_checked_field_by_field(reviewing):
    with pytest.raises(ValidationError) as error:
        services.save_reviewer(
            reviewing.world.stranger,
            actor=reviewing.world.nedo_staff,
            research_fields=[],
            keywords=["x" * 61],
            max_load=0,
        )
    assert set(error.value.message_dict) == {"keywords", "max_load"}


def test_the_reviewer_lists_only_their_own_invited_assignments(reviewing):
    rows = opened(reviewing)
    mine = rows[0].reviewer
    listed = list(queries.my_assignments(mine))
    assert listed
    assert all(a.reviewer_id == mine.pk for a in listed)
    assert not queries.my_assignments(reviewing.world.stranger).exists()
    assert timezone.now() < reviewing.round.due_at


def test_a_declared_conflict_declines_and_outlives_a_recomputation(reviewing):
    assignment = opened(reviewing)[0]
    services.declare_conflict(assignment, actor=assignment.reviewer, note="共同研究の予定がある")
    row = ReviewAssignment.objects.get(pk=assignment.pk)
    assert row.status == AssignmentStatus.DECLINED
    pair = {"round": reviewing.round, "proposal": assignment.proposal,
            "reviewer": assignment.reviewer}  # fmt: skip
    declared = ReviewConflict.objects.get(code="review.conflict.declared", **pair)
    assert "共同研究の予定がある" in declared.message_ja
    services.compute_conflicts(reviewing.round, actor=reviewing.world.nedo_staff)
    assert ReviewConflict.objects.filter(code="review.conflict.declared", **pair).count() == 1
    services.auto_assign(reviewing.round, actor=reviewing.world.nedo_staff)
    assert not ReviewAssignment.objects.filter(
        status=AssignmentStatus.PROPOSED, proposal=assignment.proposal,
        reviewer=assignment.reviewer,
    ).exists()  # fmt: skip
    assert not queries.my_assignments(assignment.reviewer).filter(pk=assignment.pk).exists()
