"""The only writers of proposals: drafting, attaching, submitting, endorsing."""

from openrd.proposals.services.common import TEXT_FIELDS, move
from openrd.proposals.services.drafts import (
    MAX_CO_INVESTIGATORS,
    DraftChanges,
    DraftSaved,
    StaleRevision,
    attach_document,
    create_proposal,
    existing_proposal,
    save_draft,
)
from openrd.proposals.services.endorsement import (
    endorse_proposal,
    return_proposal,
    withdraw_proposal,
)
from openrd.proposals.services.submission import (
    MAX_KEY_LENGTH,
    attachment_entry,
    snapshot_content,
    submission_facts,
    submit_proposal,
    validate_idempotency_key,
)

__all__ = [
    "MAX_CO_INVESTIGATORS",
    "MAX_KEY_LENGTH",
    "TEXT_FIELDS",
    "DraftChanges",
    "DraftSaved",
    "StaleRevision",
    "attach_document",
    "attachment_entry",
    "create_proposal",
    "endorse_proposal",
    "existing_proposal",
    "move",
    "return_proposal",
    "save_draft",
    "snapshot_content",
    "submission_facts",
    "submit_proposal",
    "validate_idempotency_key",
    "withdraw_proposal",
]
