"""Pure rules of the immediate-open-access mandate: no ORM, no database.

Callers write ``openrd.repository.rules.is_oa_mandated(...)``; the names below
are the package's contract.
"""

from openrd.repository.rules.compliance import (
    Compliance,
    ComplianceFacts,
    ComplianceStatus,
    ComplianceSummary,
    assess_compliance,
    due_date,
    status_of,
    summarise,
)
from openrd.repository.rules.mandate import Mandate, MandateFacts, is_oa_mandated
from openrd.repository.rules.policy import (
    Clause,
    ExceptionReason,
    OaPolicy,
    covered,
    exception_choices,
    exception_reason_codes,
    oa_policy,
)
from openrd.repository.rules.publisher_policy import (
    Hint,
    HintKind,
    PublisherPolicyFacts,
    publisher_policy_hint,
)

__all__ = [
    "Clause",
    "Compliance",
    "ComplianceFacts",
    "ComplianceStatus",
    "ComplianceSummary",
    "ExceptionReason",
    "Hint",
    "HintKind",
    "Mandate",
    "MandateFacts",
    "OaPolicy",
    "PublisherPolicyFacts",
    "assess_compliance",
    "covered",
    "due_date",
    "exception_choices",
    "exception_reason_codes",
    "is_oa_mandated",
    "oa_policy",
    "publisher_policy_hint",
    "status_of",
    "summarise",
]
