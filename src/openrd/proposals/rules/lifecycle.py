"""The life of a proposal, as a table: which state may follow which, and what
each target state asks before it is entered.

draft → submitted → endorsed, or returned → submitted again; withdrawn from any
state but withdrawn. Only a draft or a returned proposal can be edited: once it
is with the institution, what the institution reads is what the agency will read.
Every step an applicant takes is bound to the call's window, decided by one
function (``programs.rules.check_call_accepting``) to the second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason
from openrd.core.i18n import current_lang
from openrd.programs.rules import CallTermsSource, check_call_accepting
from openrd.proposals.models import ProposalStatus as S
from openrd.proposals.rules.submission import SubmissionFacts, check_submission

PROPOSAL_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.ENDORSED, S.RETURNED, S.WITHDRAWN}),
    S.RETURNED: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.ENDORSED: frozenset({S.WITHDRAWN}),
    S.WITHDRAWN: frozenset(),
}
# The states in which the applicant's working copy may change.
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})


@dataclass(frozen=True)
class CallWindow:
    """The call a proposal is made under, as far as its timing matters."""

    status: str
    opens_at: datetime
    closes_at: datetime
    code: str = ""

    def check(self, now: datetime) -> Decision:
        return check_call_accepting(
            self.status, self.opens_at, self.closes_at, now, call_code=self.code
        )


@dataclass(frozen=True)
class ProposalFacts:
    """What the lifecycle rules need to know about one proposal at one moment."""

    status: str
    now: datetime
    window: CallWindow
    has_pending_version: bool = False
    # The content rules: needed only to enter "submitted".
    submission: SubmissionFacts | None = None


def _status_label(status: str) -> str:
    label = str(S(status).label)
    return label.lower() if current_lang() == "en" else label


def _not_allowed(status: str, target: str) -> str:
    labels = {"status": _status_label(status)}
    if status == S.WITHDRAWN:
        return _("This proposal has been withdrawn; nothing more can be done with it.")
    if target == S.SUBMITTED:
        return (
            _("Only a draft or a returned proposal can be submitted; this one is: %(status)s.")
            % labels
        )
    if target in {S.ENDORSED, S.RETURNED}:
        return (
            _(
                "Only a proposal awaiting endorsement can be endorsed or returned; "
                "this one is: %(status)s."
            )
            % labels
        )
    return _("This step is not possible for a proposal in this state: %(status)s.") % labels


def _guard_submitted(facts: ProposalFacts) -> Decision:
    if facts.submission is None:
        raise ValueError("entering 'submitted' needs the submission facts")
    return check_submission(facts.submission)


def _guard_answered(facts: ProposalFacts) -> Decision:
    if facts.has_pending_version:
        return Decision()
    return Decision.of(
        Reason(
            "proposal.no_pending_version",
            _("There is no submitted version awaiting endorsement."),
            CallTermsSource(facts.window.code).cite(),
        )
    )


def _guard_withdrawn(facts: ProposalFacts) -> Decision:
    return facts.window.check(facts.now)


# One guard per target state, asked only once the table allows the move.
_GUARDS: dict[str, Callable[[ProposalFacts], Decision]] = {
    S.SUBMITTED: _guard_submitted,
    S.ENDORSED: _guard_answered,
    S.RETURNED: _guard_answered,
    S.WITHDRAWN: _guard_withdrawn,
}
assert set(_GUARDS) == {t for targets in PROPOSAL_TRANSITIONS.values() for t in targets}


def may_move(status: str, target: str) -> bool:
    """Whether the table allows the move at all (for buttons and permissions)."""
    return target in PROPOSAL_TRANSITIONS.get(status, frozenset())


def check_proposal_transition(facts: ProposalFacts, target: str) -> Decision:
    """Whether the proposal may move from its state to ``target`` now, with every reason."""
    if not may_move(facts.status, target):
        return Decision.of(
            Reason(
                "proposal.transition_not_allowed",
                _not_allowed(facts.status, target),
                CallTermsSource(facts.window.code).cite(),
            )
        )
    return _GUARDS[target](facts)


def check_editable(facts: ProposalFacts) -> Decision:
    """Whether the working copy may change now (save, attach): the state, then the window."""
    if facts.status in EDITABLE_STATES:
        return facts.window.check(facts.now)
    if facts.status == S.WITHDRAWN:
        message = _("This proposal has been withdrawn; nothing more can be done with it.")
    elif facts.status == S.SUBMITTED:
        message = _(
            "The proposal is with your institution for endorsement and cannot be changed; "
            "it can be edited again if the institution returns it."
        )
    else:
        message = _(
            "The proposal has been endorsed and sent to the agency; it can no longer be changed."
        )
    return Decision.of(
        Reason("proposal.not_editable", message, CallTermsSource(facts.window.code).cite())
    )
