"""Who may do what with a proposal: the role and the state, together.

Seeing a proposal comes from the audiences declared in ``queries`` (owners,
institution, agency), so a permission can never grant what a list hides. Each
step combines who you are with what the lifecycle table (``rules.lifecycle``)
allows in the proposal's state: ``can_endorse = is_officer_of_institution &
is_awaiting_endorsement``. The call's window is not a permission: it changes by
the second, and the services refuse with the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from openrd.accounts.models import Role
from openrd.accounts.permissions import is_researcher
from openrd.accounts.queries import role_organisation_ids
from openrd.core.access import deny
from openrd.proposals.models import ProposalStatus
from openrd.proposals.queries import INSTITUTION, OWNER, ProposalAccess, proposal_access, view_mode
from openrd.proposals.rules import EDITABLE_STATES, may_move

if TYPE_CHECKING:
    from django.http import HttpRequest


@rules.predicate
def is_applicant(user: Any, proposal: Any) -> bool:
    return proposal is not None and proposal.applicant_id == getattr(user, "pk", None)


@rules.predicate
def may_see(user: Any, proposal: Any) -> bool:
    return proposal is not None and view_mode(user, proposal) is not None


@rules.predicate
def is_officer_of_institution(user: Any, proposal: Any) -> bool:
    return proposal is not None and proposal.institution_id in role_organisation_ids(
        user, Role.INSTITUTION_OFFICER
    )


@rules.predicate
def is_editable(user: Any, proposal: Any) -> bool:
    return proposal is not None and proposal.status in EDITABLE_STATES


@rules.predicate
def is_submittable(user: Any, proposal: Any) -> bool:
    return proposal is not None and may_move(proposal.status, ProposalStatus.SUBMITTED)


@rules.predicate
def is_withdrawable(user: Any, proposal: Any) -> bool:
    return proposal is not None and may_move(proposal.status, ProposalStatus.WITHDRAWN)


@rules.predicate
def is_awaiting_endorsement(user: Any, proposal: Any) -> bool:
    return proposal is not None and may_move(proposal.status, ProposalStatus.ENDORSED)


rules.add_perm("proposals.create_proposal", is_researcher)
rules.add_perm("proposals.view_proposal", may_see)
rules.add_perm("proposals.edit_proposal", is_applicant & is_editable)
rules.add_perm("proposals.submit_proposal", is_applicant & is_submittable)
rules.add_perm("proposals.withdraw_proposal", is_applicant & is_withdrawable)
rules.add_perm("proposals.endorse_proposal", is_officer_of_institution & is_awaiting_endorsement)


def applicant_access(request: HttpRequest, pk: int) -> ProposalAccess:
    """The proposal for a step only its applicant takes (pages and API alike);
    anyone else gets 404, audited. Whether its state allows the step is the
    service's to say (409 with the reason)."""
    access = proposal_access(request.user, pk, request=request)
    if access.mode != OWNER or not is_applicant(request.user, access.proposal):
        deny(request, access.proposal)
    return access


def officer_access(request: HttpRequest, pk: int) -> ProposalAccess:
    """The proposal for the institution's answer, seen as the institution; else 404."""
    access = proposal_access(request.user, pk, request=request)
    if not is_officer_of_institution(request.user, access.proposal):
        deny(request, access.proposal)
    return ProposalAccess(access.proposal, INSTITUTION)
