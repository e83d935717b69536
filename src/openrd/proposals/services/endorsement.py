"""The institution's answer to a submitted version, and the applicant's withdrawal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import User
from openrd.notifications.services import notify
from openrd.proposals.models import Endorsement, Proposal, ProposalStatus, ProposalVersion
from openrd.proposals.services.common import (
    lock,
    move,
    proposal_facts,
    refresh_latest_versions,
)
from openrd.proposals.services.integrity_record import hand_down

MAX_RETURN_COMMENT = 2000


def _answer(
    proposal: Proposal,
    *,
    actor: User,
    endorsement: Endorsement,
    comment: str,
    now: datetime | None,
) -> ProposalVersion:
    """Record the institution's answer on the latest version, awaiting endorsement."""
    moment = now or timezone.now()
    locked = lock(proposal)
    facts = proposal_facts(locked, moment)
    version = locked.versions.order_by("-number").first()

    def effect(_p: Proposal) -> dict[str, Any]:
        assert version is not None  # the guard refused a proposal without a pending version
        version.endorsement = endorsement
        version.endorsed_by, version.endorsed_at = actor, moment
        version.return_comment = comment
        version.save(update_fields=["endorsement", "endorsed_by", "endorsed_at", "return_comment"])
        refresh_latest_versions(locked.pk)
        return {"version": version.number} | ({"comment": comment} if comment else {})

    target = (
        ProposalStatus.ENDORSED if endorsement == Endorsement.ENDORSED else ProposalStatus.RETURNED
    )
    move(
        locked,
        target,
        actor=actor,
        action=f"proposals.proposal.{endorsement}",
        facts=facts,
        effect=effect,
    )
    assert version is not None
    # A returned proposal is back with its applicant, no longer under review.
    hand_down(locked, active=endorsement == Endorsement.ENDORSED)
    notify(
        [locked.applicant],
        "proposal.endorsed" if endorsement == Endorsement.ENDORSED else "proposal.returned",
        {
            "title": {"ja": locked.title_ja, "en": locked.title_en},
            "version": version.number,
            "answered_at": moment,
            "comment": comment,
            "link": {"name": "proposals:detail", "args": [locked.pk]},
        },
    )
    return version


@transaction.atomic
def endorse_proposal(
    proposal: Proposal, *, actor: User, now: datetime | None = None
) -> ProposalVersion:
    """The institution vouches for the latest submitted version; the agency then sees it."""
    return _answer(proposal, actor=actor, endorsement=Endorsement.ENDORSED, comment="", now=now)


@transaction.atomic
def return_proposal(
    proposal: Proposal, *, actor: User, comment: str, now: datetime | None = None
) -> ProposalVersion:
    """The institution sends the latest version back, saying why; the applicant may
    then edit and submit again."""
    text = (comment or "").strip()
    if not text:
        raise ValidationError({"comment": _("Say why the proposal is returned.")})
    if len(text) > MAX_RETURN_COMMENT:
        raise ValidationError(
            {"comment": _("Enter at most %(max)d characters.") % {"max": MAX_RETURN_COMMENT}}
        )
    return _answer(proposal, actor=actor, endorsement=Endorsement.RETURNED, comment=text, now=now)


@transaction.atomic
def withdraw_proposal(proposal: Proposal, *, actor: User, now: datetime | None = None) -> Proposal:
    """The applicant takes the proposal back for good, while the call takes proposals."""
    moment = now or timezone.now()
    locked = lock(proposal)
    moved = move(
        locked,
        ProposalStatus.WITHDRAWN,
        actor=actor,
        action="proposals.proposal.withdrawn",
        facts=proposal_facts(locked, moment),
    )
    hand_down(moved, active=False)
    proposal.status = moved.status
    return moved
