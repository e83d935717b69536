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
    "ProposalFacts",
    "SubmissionFacts",
    "check_budget",
    "check_content",
    "check_documents",
    "check_editable",
    "check_effort",
    "check_proposal_transition",
    "check_submission",
    "may_move",
]
