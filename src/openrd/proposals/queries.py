"""Reads of proposals, always filtered by who is asking.

Three audiences see a proposal, each declared once below as a filter: the
owners (applicant and co-investigators: the working copy and every version),
the institution (once a version has been submitted) and the call's agency
(once a version has been endorsed). Lists, the detail page, the API, file
downloads and the ``proposals.view_proposal`` permission all read these same
declarations, so "may see this" and "is in my list" cannot disagree.
Everything else is a 404, audited by core.access.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from openrd.accounts.models import Role
from openrd.accounts.queries import is_active_user, role_organisation_ids
from openrd.core.access import get_visible_or_404
from openrd.programs.models import Call
from openrd.proposals.models import (
    Endorsement,
    Proposal,
    ProposalMember,
    ProposalStatus,
    ProposalVersion,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

OWNER, INSTITUTION, AGENCY = "owner", "institution", "agency"


def _owners(user: Any) -> Q:
    member = ProposalMember.objects.filter(proposal=OuterRef("pk"), person=user)
    return Q(applicant=user) | Q(Exists(member))


def _institution(user: Any) -> Q:
    submitted = ProposalVersion.objects.filter(proposal=OuterRef("pk"))
    return (
        Q(institution_id__in=role_organisation_ids(user, Role.INSTITUTION_OFFICER))
        & ~Q(status=ProposalStatus.DRAFT)
        & Q(Exists(submitted))
    )


def _agency(user: Any) -> Q:
    endorsed = ProposalVersion.objects.filter(
        proposal=OuterRef("pk"), endorsement=Endorsement.ENDORSED
    )
    return Q(call__agency_id__in=role_organisation_ids(user, Role.AGENCY_STAFF)) & Q(
        Exists(endorsed)
    )


@dataclass(frozen=True)
class Audience:
    mode: str
    condition: Callable[[Any], Q]


# The most direct view first: an officer who is also the applicant edits as the owner.
AUDIENCES = (
    Audience(OWNER, _owners),
    Audience(INSTITUTION, _institution),
    Audience(AGENCY, _agency),
)


def _base() -> QuerySet[Proposal]:
    return Proposal.objects.select_related(
        "call__program", "call__agency", "institution", "applicant"
    )


def _visible_as(user: Any, mode: str) -> QuerySet[Proposal]:
    if not is_active_user(user):
        return Proposal.objects.none()
    audience = next(a for a in AUDIENCES if a.mode == mode)
    return _base().filter(audience.condition(user))


def owned_proposals(user: Any) -> QuerySet[Proposal]:
    return _visible_as(user, OWNER)


def institution_proposals(user: Any) -> QuerySet[Proposal]:
    """Proposals of the officer's institutions that have been submitted at least once."""
    return _visible_as(user, INSTITUTION)


def agency_proposals(user: Any) -> QuerySet[Proposal]:
    """Proposals to the staff member's agencies with an endorsed version."""
    return _visible_as(user, AGENCY)


def visible_proposals(user: Any) -> QuerySet[Proposal]:
    """Every proposal the user may see, in any audience."""
    if not is_active_user(user):
        return Proposal.objects.none()
    condition = Q()
    for audience in AUDIENCES:
        condition |= audience.condition(user)
    return _base().filter(condition)


def view_mode(user: Any, proposal: Proposal) -> str | None:
    """The audience the user sees ``proposal`` as, or None."""
    if not is_active_user(user):
        return None
    for audience in AUDIENCES:
        if Proposal.objects.filter(pk=proposal.pk).filter(audience.condition(user)).exists():
            return audience.mode
    return None


@dataclass(frozen=True)
class ProposalAccess:
    proposal: Proposal
    mode: str  # OWNER, INSTITUTION or AGENCY

    def versions(self) -> QuerySet[ProposalVersion]:
        qs = self.proposal.versions.select_related("disclosure", "endorsed_by").order_by("-number")
        if self.mode == AGENCY:
            return qs.filter(endorsement=Endorsement.ENDORSED)
        return qs


def proposal_access(user: Any, pk: int, *, request: HttpRequest | None = None) -> ProposalAccess:
    """The proposal as this user may see it, or Http404 (audited when it exists)."""
    for audience in AUDIENCES:
        found = _visible_as(user, audience.mode).filter(pk=pk).first()
        if found is not None:
            return ProposalAccess(found, audience.mode)
    return ProposalAccess(
        get_visible_or_404(Proposal.objects.none(), request=request, user=user, pk=pk), OWNER
    )


def visible_file_digests(access: ProposalAccess) -> set[str]:
    """The SHA-256 digests of the files this viewer may download for the proposal:
    the files of the versions the viewer sees, and for the owners the working copy's."""
    digests = {a["sha256"] for v in access.versions() for a in v.content.get("attachments", [])}
    if access.mode == OWNER:
        digests |= set(access.proposal.attachments.values_list("file__sha256", flat=True))
    return digests


def visible_accesses(user: Any) -> list[ProposalAccess]:
    """Every proposal the user may see, each in the most direct view the user has
    (owner over institution over agency), with versions prefetched for listing."""
    versions = Prefetch("versions", queryset=ProposalVersion.objects.order_by("-number"))
    seen: dict[int, ProposalAccess] = {}
    for audience in reversed(AUDIENCES):
        for proposal in _visible_as(user, audience.mode).prefetch_related(versions):
            seen[proposal.pk] = ProposalAccess(proposal, audience.mode)
    return list(seen.values())


def startable_call(pk: int) -> Call | None:
    """A published call a draft may be started for (the window is the service's to judge)."""
    return Call.objects.exclude(status="draft").filter(pk=pk).first()
