"""Selection after a round: who decides, when, with a reason, and what the applicant is told."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from openrd.accounts.models import Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.core.refusals import Refused
from openrd.notifications.delivery import render
from openrd.notifications.models import Notification
from openrd.review import services
from openrd.review.models import ReviewAssignment, Selection, SelectionOutcome

pytestmark = pytest.mark.django_db

SCORES = {"novelty": "5", "feasibility": "4", "impact": "4"}


@pytest.fixture
def reviewed(reviewing):
    staff = reviewing.world.nedo_staff
    services.auto_assign(reviewing.round, actor=staff)
    services.open_round(reviewing.round, actor=staff)
    first = reviewing.proposals[0]
    for a in ReviewAssignment.objects.filter(round=reviewing.round, proposal=first):
        services.accept_assignment(
            a, actor=a.reviewer, confirmed_no_conflict=True, accepted_confidentiality=True
        )
        services.save_review(
            a, actor=a.reviewer, scores=SCORES, comment=f"講評{a.reviewer_id}", submit=True
        )
    services.close_round(reviewing.round, actor=staff)
    return reviewing


def test_staff_select_a_reviewed_proposal_with_a_reason_and_the_applicant_is_told(reviewed):
    p = reviewed.proposals[0]
    decided = services.decide(
        reviewed.round, p, SelectionOutcome.SELECTED, actor=reviewed.world.nedo_staff,
        reason="総合評価が高い",
    )  # fmt: skip
    assert (decided.status, decided.reason) == ("selected", "総合評価が高い")
    assert AuditEntry.objects.filter(action="review.selection.selected").exists()
    notice = Notification.objects.get(kind="review.decision", recipient=p.applicant)
    subject, text, _html = render(notice, "ja")
    assert "採択" in subject
    assert "総合評価が高い" in text
    # The comments travel, the reviewers' names never do.
    for a in ReviewAssignment.objects.filter(round=reviewed.round, proposal=p):
        assert f"講評{a.reviewer_id}" in text
        assert a.reviewer.username not in text
        assert a.reviewer.name_ja not in text


def test_a_round_that_keeps_its_comments_sends_none(reviewed):
    reviewed.round.share_comments = False
    reviewed.round.save(update_fields=["share_comments"])
    p = reviewed.proposals[0]
    services.decide(
        reviewed.round, p, SelectionOutcome.REJECTED, actor=reviewed.world.nedo_staff,
        reason="予算の範囲を超える",
    )  # fmt: skip
    _subject, text, _html = render(Notification.objects.get(kind="review.decision"), "ja")
    assert "講評" not in text


def test_a_waitlisted_proposal_is_decided_later_and_a_final_decision_stays(reviewed):
    p, staff = reviewed.proposals[0], reviewed.world.nedo_staff
    services.decide(reviewed.round, p, SelectionOutcome.WAITLISTED, actor=staff, reason="補欠")
    services.decide(reviewed.round, p, SelectionOutcome.SELECTED, actor=staff, reason="繰上げ")
    with pytest.raises(Refused) as refused:
        services.decide(reviewed.round, p, SelectionOutcome.REJECTED, actor=staff, reason="x")
    assert refused.value.decision.codes() == ["review.selection_transition_not_allowed"]
    assert Selection.objects.get(proposal=p).status == "selected"


def test_no_decision_without_a_reason_or_a_submitted_review(reviewed):
    staff = reviewed.world.nedo_staff
    with pytest.raises(Refused) as refused:
        services.decide(
            reviewed.round, reviewed.proposals[1], SelectionOutcome.SELECTED, actor=staff,
            reason=" ",
        )  # fmt: skip
    assert set(refused.value.decision.codes()) == {
        "review.selection_without_reviews",
        "review.selection_reason_missing",
    }
    assert not Selection.objects.exclude(status="undecided").exists()


def test_no_decision_before_the_round_is_closed(reviewing):
    staff = reviewing.world.nedo_staff
    services.auto_assign(reviewing.round, actor=staff)
    services.open_round(reviewing.round, actor=staff)
    with pytest.raises(Refused) as refused:
        services.decide(
            reviewing.round, reviewing.proposals[0], SelectionOutcome.SELECTED, actor=staff,
            reason="早すぎる",
        )  # fmt: skip
    assert "review.selection_round_not_closed" in refused.value.decision.codes()


def test_only_the_calls_agency_decides(reviewed):
    p = reviewed.proposals[0]
    for outsider in (reviewed.world.jst_staff, reviewed.reviewers[0], p.applicant):
        with pytest.raises(PermissionDenied):
            services.decide(
                reviewed.round, p, SelectionOutcome.SELECTED, actor=outsider, reason="x"
            )
    director = UserFactory(username="pd-nedo")
    assign_role(director, Role.PROGRAM_DIRECTOR, organisation=reviewed.world.call.agency)
    services.decide(reviewed.round, p, SelectionOutcome.SELECTED, actor=director, reason="可")
    assert Selection.objects.get(proposal=p).decided_by == director
