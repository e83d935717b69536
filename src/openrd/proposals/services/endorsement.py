"""The institution's answer to a submitted version, and the applicant's withdrawal."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import User
from openrd.core import audit
from openrd.proposals.models import Endorsement, Proposal, ProposalStatus, ProposalVersion
from openrd.proposals.services.common import _locked_reason


def _pending_version(proposal: Proposal) -> ProposalVersion:
    version = proposal.versions.order_by("-number").first()
    if version is None or version.endorsement != Endorsement.PENDING:
        raise ValidationError({"__all__": _("There is no submitted version awaiting endorsement.")})
    return version


def _answer(
    proposal: Proposal, *, actor: User, endorsement: Endorsement, comment: str = ""
) -> ProposalVersion:
    """Record the institution's answer on the latest pending version, in one place."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    version = _pending_version(proposal)
    version.endorsement = endorsement
    version.endorsed_by, version.endorsed_at = actor, timezone.now()
    version.return_comment = comment
    version.save(update_fields=["endorsement", "endorsed_by", "endorsed_at", "return_comment"])
    proposal.status = (
        ProposalStatus.ENDORSED if endorsement == Endorsement.ENDORSED else ProposalStatus.RETURNED
    )
    proposal.save(update_fields=["status", "updated_at"])
    after: dict[str, object] = {"version": version.number}
    if comment:
        after["comment"] = comment
    audit.record(f"proposals.proposal.{endorsement}", actor=actor, obj=proposal, after=after)
    return version


@transaction.atomic
def endorse_proposal(proposal: Proposal, *, actor: User) -> ProposalVersion:
    """The institution vouches for the latest submitted version; the agency then sees it."""
    return _answer(proposal, actor=actor, endorsement=Endorsement.ENDORSED)


@transaction.atomic
def return_proposal(proposal: Proposal, *, actor: User, comment: str) -> ProposalVersion:
    if not comment.strip():
        raise ValidationError({"comment": _("Say why the proposal is returned.")})
    return _answer(proposal, actor=actor, endorsement=Endorsement.RETURNED, comment=comment.strip())


@transaction.atomic
def withdraw_proposal(proposal: Proposal, *, actor: User) -> Proposal:
    locked = _locked_reason(proposal, timezone.now())
    if locked:
        raise ValidationError({"__all__": locked})
    before = proposal.status
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.save(update_fields=["status", "updated_at"])
    audit.record(
        "proposals.proposal.withdrawn",
        actor=actor,
        obj=proposal,
        before={"status": before},
        after={"status": proposal.status},
    )
    return proposal
