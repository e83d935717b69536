"""The rules of proposals, pure (no database): the content a submission needs
(``submission``) and the life of a proposal (``lifecycle``)."""

from openrd.proposals.rules.lifecycle import (
    EDITABLE_STATES,
    PROPOSAL_TRANSITIONS,
    CallWindow,
    ProposalFacts,
    check_editable,
    check_proposal_transition,
    may_move,
)
from openrd.proposals.rules.members import (
    MemberFacts,
    check_answered,
    check_members,
    check_shares,
    share_errors,
)
from openrd.proposals.rules.submission import (
    CALL_TERMS,
    BudgetLine,
    SubmissionFacts,
    check_budget,
    check_content,
    check_documents,
    check_effort,
    check_submission,
)

__all__ = [
    "CALL_TERMS",
    "EDITABLE_STATES",
    "PROPOSAL_TRANSITIONS",
    "BudgetLine",
    "CallWindow",
    "MemberFacts",
    "ProposalFacts",
    "SubmissionFacts",
    "check_answered",
    "check_budget",
    "check_content",
    "check_documents",
    "check_editable",
    "check_effort",
    "check_members",
    "check_proposal_transition",
    "check_shares",
    "check_submission",
    "may_move",
    "share_errors",
]
