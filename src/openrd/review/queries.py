"""What a reviewer and the agency's staff may see of the review.

A reviewer sees only their own assignments, and of a proposal only what an
assignment they accepted (having confirmed no conflict and accepted
confidentiality) opens; a proposal with a stored conflict is never open to
them, whatever the assignment's state. Staff of the call's agency see their
rounds; the PDs and PMs of an agency that runs the call's program read their
panels (``panel_rounds``), nothing else of them. Everything else answers 404
(``core.access.get_visible_or_404``, audited).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from openrd.accounts.models import Role
from openrd.accounts.queries import role_organisation_ids
from openrd.programs.models import Program
from openrd.review.models import (
    AssignmentStatus,
    ReviewAssignment,
    ReviewConflict,
    ReviewRound,
)

# The states in which the reviewer sees the assignment in their list.
LISTED_STATES = (
    AssignmentStatus.INVITED,
    AssignmentStatus.ACCEPTED,
    AssignmentStatus.SUBMITTED,
)
# The states in which the proposal itself is open to the reviewer.
OPEN_STATES = (AssignmentStatus.ACCEPTED, AssignmentStatus.SUBMITTED)


def conflicted() -> Exists:
    """Whether the assignment's pair (round, proposal, reviewer) has a stored conflict."""
    return Exists(
        ReviewConflict.objects.filter(
            round_id=OuterRef("round_id"),
            proposal_id=OuterRef("proposal_id"),
            reviewer_id=OuterRef("reviewer_id"),
        )
    )


def my_assignments(user: Any) -> QuerySet[ReviewAssignment]:
    """The reviewer's own assignments they have been invited to, soonest due first.

    An assignment whose pair has a stored conflict is left out altogether: a
    reviewer never sees a proposal they are in conflict with, not even its title
    (a conflict found after the invitation hides it at once)."""
    if not getattr(user, "is_authenticated", False):
        return ReviewAssignment.objects.none()
    return (
        ReviewAssignment.objects.filter(reviewer=user, status__in=LISTED_STATES)
        .exclude(conflicted())
        .select_related("round__call", "proposal__institution", "proposal__applicant")
        .order_by("round__due_at", "proposal_id", "id")
    )


def open_assignments(user: Any) -> QuerySet[ReviewAssignment]:
    """The assignments whose proposal the reviewer may read now: accepted (so
    confirmed free of conflict and bound to confidentiality) and free of any
    stored conflict."""
    return my_assignments(user).filter(status__in=OPEN_STATES)


def staff_rounds(user: Any) -> QuerySet[ReviewRound]:
    """The rounds of calls run by the agencies the user works for."""
    agencies = role_organisation_ids(user, Role.AGENCY_STAFF)
    return ReviewRound.objects.filter(call__agency_id__in=agencies).select_related("call")


def lead_agency_ids(user: Any) -> frozenset[int]:
    """The agencies where the user is a program director or a program manager."""
    return role_organisation_ids(user, Role.PROGRAM_DIRECTOR) | role_organisation_ids(
        user, Role.PROGRAM_MANAGER
    )


def lead_rounds(user: Any) -> QuerySet[ReviewRound]:
    """The rounds of calls whose program is run by an agency where the user is PD or
    PM: theirs to read on the panel, not to change."""
    programs = Program.objects.filter(agencies__in=lead_agency_ids(user)).values("pk")
    return ReviewRound.objects.filter(call__program__in=programs).select_related("call")


def panel_rounds(user: Any) -> QuerySet[ReviewRound]:
    """The rounds whose panel and exports the user may read: the call's agency staff
    (who also run the round) and the programs' PDs and PMs (who only read it)."""
    staff = role_organisation_ids(user, Role.AGENCY_STAFF)
    programs = Program.objects.filter(agencies__in=lead_agency_ids(user)).values("pk")
    return ReviewRound.objects.filter(
        Q(call__agency_id__in=staff) | Q(call__program__in=programs)
    ).select_related("call")
