"""Reads of proposals, always filtered by who is asking.

Three views of a proposal exist: the owners' (applicant and co-investigators:
the working copy and every version), the institution's (submitted versions
only) and the agency's (endorsed versions only). Everything else is a 404,
audited by core.access.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from openrd.core.access import get_visible_or_404
from openrd.proposals.models import Endorsement, Proposal, ProposalStatus, ProposalVersion
from openrd.proposals.permissions import agency_ids, institution_ids

if TYPE_CHECKING:
    from django.http import HttpRequest

OWNER, INSTITUTION, AGENCY = "owner", "institution", "agency"


def _base() -> QuerySet[Proposal]:
    return Proposal.objects.select_related(
        "call__program", "call__agency", "institution", "applicant"
    )


def owned_proposals(user: Any) -> QuerySet[Proposal]:
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    return _base().filter(Q(applicant=user) | Q(members__person=user)).distinct()


def institution_proposals(user: Any) -> QuerySet[Proposal]:
    """Proposals of the officer's institutions that have been submitted at least once."""
    orgs = institution_ids(user)
    return (
        _base()
        .filter(institution_id__in=orgs)
        .exclude(status=ProposalStatus.DRAFT)
        .filter(Exists(ProposalVersion.objects.filter(proposal=OuterRef("pk"))))
    )


def agency_proposals(user: Any) -> QuerySet[Proposal]:
    """Proposals to the staff member's agencies with an endorsed version."""
    endorsed = ProposalVersion.objects.filter(
        proposal=OuterRef("pk"), endorsement=Endorsement.ENDORSED
    )
    return _base().filter(call__agency_id__in=agency_ids(user)).filter(Exists(endorsed))


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
    for mode, visible in (
        (OWNER, owned_proposals),
        (INSTITUTION, institution_proposals),
        (AGENCY, agency_proposals),
    ):
        found = visible(user).filter(pk=pk).first()
        if found is not None:
            return ProposalAccess(found, mode)
    return ProposalAccess(
        get_visible_or_404(Proposal.objects.none(), request=request, user=user, pk=pk), OWNER
    )


def visible_file_digests(access: ProposalAccess) -> set[str]:
    """The SHA-256 digests of the files this viewer may download for the proposal."""
    digests = {a["sha256"] for v in access.versions() for a in v.content.get("attachments", [])}
    if access.mode == OWNER:
        digests |= set(access.proposal.attachments.values_list("file__sha256", flat=True))
    return digests


def visible_accesses(user: Any) -> list[ProposalAccess]:
    """Every proposal the user may see, each in the most direct view the user has
    (owner over institution over agency), with versions prefetched for listing."""
    versions = Prefetch("versions", queryset=ProposalVersion.objects.order_by("-number"))
    seen: dict[int, ProposalAccess] = {}
    for mode, visible in (
        (AGENCY, agency_proposals),
        (INSTITUTION, institution_proposals),
        (OWNER, owned_proposals),
    ):
        for proposal in visible(user).prefetch_related(versions):
            seen[proposal.pk] = ProposalAccess(proposal, mode)
    return list(seen.values())
