"""The lives of a review round and of each assignment in it, as tables.

A round is prepared (reviewers assigned, by the solver and by hand), opened (the
proposed reviewers are invited) and closed. An assignment is proposed, the
reviewer is invited and accepts (confirming no conflict of interest and accepting
confidentiality: before that, nothing of the proposal is shown) or declines;
an accepted reviewer submits the review while the round is open and before it
is due. Staff may remove an assignment that holds no submitted review. Once the
round is closed, each reviewed proposal is selected, waitlisted or not selected,
always with a reason; a waitlisted one is later selected or not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason
from openrd.review.models import AssignmentStatus as A
from openrd.review.models import RoundStatus as R
from openrd.review.models import SelectionOutcome as S
from openrd.review.rules.conflicts import REVIEW_POLICY_SOURCE, Conflict, check_may_review

ROUND_TRANSITIONS: dict[str, frozenset[str]] = {
    R.DRAFT: frozenset({R.OPEN}),
    R.OPEN: frozenset({R.CLOSED}),
    R.CLOSED: frozenset({R.OPEN}),
}

ASSIGNMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    A.PROPOSED: frozenset({A.INVITED, A.REMOVED}),
    A.INVITED: frozenset({A.ACCEPTED, A.DECLINED, A.REMOVED}),
    A.ACCEPTED: frozenset({A.SUBMITTED, A.REMOVED}),
    A.SUBMITTED: frozenset(),
    A.DECLINED: frozenset(),
    A.REMOVED: frozenset(),
}


@dataclass(frozen=True)
class RoundFacts:
    status: str
    now: datetime
    due_at: datetime
    live_assignments: int = 0


@dataclass(frozen=True)
class AssignmentFacts:
    status: str
    now: datetime
    round_status: str
    due_at: datetime
    conflicts: tuple[Conflict, ...] = ()
    confirmed_no_conflict: bool = False
    accepted_confidentiality: bool = False
    # The scoring rules' answer on the review being submitted (entering "submitted").
    review: Decision | None = None


def _reason(code: str, message: str) -> Decision:
    return Decision.of(Reason(code, message, REVIEW_POLICY_SOURCE))


def _round_opens(facts: RoundFacts) -> Decision:
    if facts.now >= facts.due_at:
        return _reason(
            "review.round_past_due",
            _("The reviews' due date has passed: set a later one before opening the round."),
        )
    if not facts.live_assignments:
        return _reason(
            "review.round_without_reviewers",
            _("Assign reviewers to the proposals before opening the round."),
        )
    return Decision()


def _round_closes(facts: RoundFacts) -> Decision:
    return Decision()


_ROUND_GUARDS: dict[str, Callable[[RoundFacts], Decision]] = {
    R.OPEN: _round_opens,
    R.CLOSED: _round_closes,
}
assert set(_ROUND_GUARDS) == {t for targets in ROUND_TRANSITIONS.values() for t in targets}


def _while_open(facts: AssignmentFacts) -> Decision:
    if facts.round_status != R.OPEN:
        return _reason("review.round_not_open", _("This review round is not open."))
    if facts.now >= facts.due_at:
        return _reason("review.past_due", _("The reviews of this round were due; it is too late."))
    return Decision()


def _invited(facts: AssignmentFacts) -> Decision:
    return _while_open(facts)


def _accepted(facts: AssignmentFacts) -> Decision:
    return _while_open(facts) + check_may_review(
        facts.conflicts,
        confirmed_no_conflict=facts.confirmed_no_conflict,
        accepted_confidentiality=facts.accepted_confidentiality,
    )


def _declined(facts: AssignmentFacts) -> Decision:
    return _while_open(facts)


def _submitted(facts: AssignmentFacts) -> Decision:
    if facts.review is None:
        raise ValueError("entering 'submitted' needs the scoring rules' decision")
    return _while_open(facts) + facts.review


def _removed(facts: AssignmentFacts) -> Decision:
    return Decision()


_ASSIGNMENT_GUARDS: dict[str, Callable[[AssignmentFacts], Decision]] = {
    A.INVITED: _invited,
    A.ACCEPTED: _accepted,
    A.DECLINED: _declined,
    A.SUBMITTED: _submitted,
    A.REMOVED: _removed,
}
assert set(_ASSIGNMENT_GUARDS) == {
    t for targets in ASSIGNMENT_TRANSITIONS.values() for t in targets
}


def _not_allowed(label: str, status: str) -> str:
    return _("This step is not possible for a %(what)s in this state: %(status)s.") % {
        "what": label,
        "status": status,
    }


def check_round_transition(facts: RoundFacts, target: str) -> Decision:
    if target not in ROUND_TRANSITIONS.get(facts.status, frozenset()):
        return _reason(
            "review.round_transition_not_allowed",
            _not_allowed(_("review round"), str(R(facts.status).label)),
        )
    return _ROUND_GUARDS[target](facts)


def may_move_assignment(status: str, target: str) -> bool:
    return target in ASSIGNMENT_TRANSITIONS.get(status, frozenset())


def check_assignment_transition(facts: AssignmentFacts, target: str) -> Decision:
    if not may_move_assignment(facts.status, target):
        return _reason(
            "review.assignment_transition_not_allowed",
            _not_allowed(_("review assignment"), str(A(facts.status).label)),
        )
    return _ASSIGNMENT_GUARDS[target](facts)


# ------------------------------------------------------------------ selection

SELECTION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.UNDECIDED: frozenset({S.SELECTED, S.WAITLISTED, S.REJECTED}),
    S.WAITLISTED: frozenset({S.SELECTED, S.REJECTED}),
    S.SELECTED: frozenset(),
    S.REJECTED: frozenset(),
}
MAX_SELECTION_REASON = 4000


@dataclass(frozen=True)
class SelectionFacts:
    status: str
    round_status: str
    reason: str
    submitted_reviews: int


def _decided(facts: SelectionFacts) -> Decision:
    reasons = []
    if facts.round_status != R.CLOSED:
        reasons.append(
            Reason(
                "review.selection_round_not_closed",
                _("Close the review round before deciding on its proposals."),
                REVIEW_POLICY_SOURCE,
            )
        )
    if not facts.submitted_reviews:
        reasons.append(
            Reason(
                "review.selection_without_reviews",
                _("No review of this proposal was submitted: it cannot be decided on yet."),
                REVIEW_POLICY_SOURCE,
            )
        )
    if not facts.reason.strip():
        reasons.append(
            Reason(
                "review.selection_reason_missing",
                _("Give the reason for the decision."),
                REVIEW_POLICY_SOURCE,
            )
        )
    elif len(facts.reason) > MAX_SELECTION_REASON:
        reasons.append(
            Reason(
                "review.selection_reason_too_long",
                _("Keep the reason to %(max)d characters.") % {"max": MAX_SELECTION_REASON},
                REVIEW_POLICY_SOURCE,
            )
        )
    return Decision(tuple(reasons))


def check_selection_transition(facts: SelectionFacts, target: str) -> Decision:
    if target not in SELECTION_TRANSITIONS.get(facts.status, frozenset()):
        return _reason(
            "review.selection_transition_not_allowed",
            _not_allowed(_("selection decision"), str(S(facts.status).label)),
        )
    return _decided(facts)
