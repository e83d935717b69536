"""Research-integrity disclosure as data: typed entries, their checks and their diff.

Pure: plain values in, field errors, ``Decision`` or changes out; no ORM. The
service turns raw input (an API body, a submitted form) into a ``Disclosure``
with :func:`parse_disclosure`, refuses it when :func:`validate_disclosure`
finds anything, and stores it with :meth:`Disclosure.to_json`.
"""

from openrd.integrity.rules.completeness import DisclosureFacts, check_disclosure_complete
from openrd.integrity.rules.diff import Change, diff_disclosures, entry_label
from openrd.integrity.rules.entries import (
    FUNDING_FIELDS,
    FUNDING_STATUSES,
    GUIDELINE_SOURCE,
    PLEDGE_TEXT_VERSION,
    POLICY_SOURCE,
    POSITION_FIELDS,
    POSITION_KINDS,
    Disclosure,
    Funding,
    Position,
    pledge_text,
)
from openrd.integrity.rules.pledge import PLEDGE_VALID_FOR, is_pledge_due, pledge_due_at
from openrd.integrity.rules.validation import (
    MAX_ENTRIES,
    MAX_TEXT,
    FieldError,
    parse_disclosure,
    validate_disclosure,
)

__all__ = [
    "FUNDING_FIELDS",
    "FUNDING_STATUSES",
    "GUIDELINE_SOURCE",
    "MAX_ENTRIES",
    "MAX_TEXT",
    "PLEDGE_TEXT_VERSION",
    "PLEDGE_VALID_FOR",
    "POLICY_SOURCE",
    "POSITION_FIELDS",
    "POSITION_KINDS",
    "Change",
    "Disclosure",
    "DisclosureFacts",
    "FieldError",
    "Funding",
    "Position",
    "check_disclosure_complete",
    "diff_disclosures",
    "entry_label",
    "is_pledge_due",
    "parse_disclosure",
    "pledge_due_at",
    "pledge_text",
    "validate_disclosure",
]
