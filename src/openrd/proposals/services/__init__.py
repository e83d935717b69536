"""The only writers of proposals: drafting, attaching, submitting, endorsing."""

from openrd.proposals.services.common import TEXT_FIELDS
from openrd.proposals.services.drafts import (
    DraftChanges,
    StaleRevision,
    attach_document,
    create_proposal,
    save_draft,
)
from openrd.proposals.services.endorsement import (
    endorse_proposal,
    return_proposal,
    withdraw_proposal,
)
from openrd.proposals.services.submission import (
    SubmissionRefused,
    snapshot_content,
    submission_facts,
    submit_proposal,
)

__all__ = [
    "TEXT_FIELDS",
    "DraftChanges",
    "StaleRevision",
    "SubmissionRefused",
    "attach_document",
    "create_proposal",
    "endorse_proposal",
    "return_proposal",
    "save_draft",
    "snapshot_content",
    "submission_facts",
    "submit_proposal",
    "withdraw_proposal",
]
