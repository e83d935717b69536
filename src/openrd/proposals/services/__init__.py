"""The only writers of proposals: drafting, inviting co-investigators, attaching,
submitting, endorsing."""

from openrd.proposals.services.common import TEXT_FIELDS, move
from openrd.proposals.services.drafts import (
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
from openrd.proposals.services.members import (
    MAX_CO_INVESTIGATORS,
    Invited,
    accept_invitation,
    decline_invitation,
    invite_member,
    notify_matched_invitee,
    set_member,
    token_digest,
    withdraw_member,
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
    "Invited",
    "StaleRevision",
    "accept_invitation",
    "attach_document",
    "attachment_entry",
    "create_proposal",
    "decline_invitation",
    "endorse_proposal",
    "existing_proposal",
    "invite_member",
    "move",
    "notify_matched_invitee",
    "return_proposal",
    "save_draft",
    "set_member",
    "snapshot_content",
    "submission_facts",
    "submit_proposal",
    "token_digest",
    "validate_idempotency_key",
    "withdraw_member",
    "withdraw_proposal",
]
