"""What drafting, submitting and withdrawing share: the editable fields and the lock."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from openrd.proposals.models import Proposal, ProposalStatus

TEXT_FIELDS = ("title_ja", "title_en", "abstract_ja", "abstract_en", "effort_percent")


def _locked_reason(proposal: Proposal, now: datetime) -> str | None:
    if proposal.status == ProposalStatus.WITHDRAWN:
        return _("This proposal has been withdrawn.")
    if now > proposal.call.closes_at:
        return _("The call has closed: the proposal can no longer be changed.")
    return None
