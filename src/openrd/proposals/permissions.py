"""Who may do what with a proposal.

The applicant (PI) edits; co-investigators read; the institution's officer
endorses or returns submitted versions; the call's agency reads endorsed
versions. Nobody else sees a proposal at all: not even that it exists.
"""

from __future__ import annotations

from typing import Any

import rules

from openrd.accounts.models import Role
from openrd.accounts.permissions import is_researcher


def _role_orgs(user: Any, role: Role) -> set[int]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return set(
        user.role_assignments.filter(role=role, organisation__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )


@rules.predicate
def is_applicant(user: Any, proposal: Any) -> bool:
    return proposal is not None and proposal.applicant_id == getattr(user, "pk", None)


@rules.predicate
def is_co_investigator(user: Any, proposal: Any) -> bool:
    return proposal is not None and proposal.members.filter(person_id=user.pk).exists()


@rules.predicate
def is_officer_of_institution(user: Any, proposal: Any) -> bool:
    return proposal is not None and proposal.institution_id in _role_orgs(
        user, Role.INSTITUTION_OFFICER
    )


@rules.predicate
def is_staff_of_call_agency(user: Any, proposal: Any) -> bool:
    return proposal is not None and proposal.call.agency_id in _role_orgs(user, Role.AGENCY_STAFF)


rules.add_perm("proposals.create_proposal", is_researcher)
rules.add_perm("proposals.edit_proposal", is_applicant)
rules.add_perm("proposals.view_working_copy", is_applicant | is_co_investigator)
rules.add_perm("proposals.endorse_proposal", is_officer_of_institution)
rules.add_perm("proposals.view_endorsed_versions", is_staff_of_call_agency)


def institution_ids(user: Any) -> set[int]:
    return _role_orgs(user, Role.INSTITUTION_OFFICER)


def agency_ids(user: Any) -> set[int]:
    return _role_orgs(user, Role.AGENCY_STAFF)
