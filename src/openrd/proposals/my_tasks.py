"""The proposal work that awaits a person on "My tasks".

The applicant: drafts to finish and proposals the institution returned (with its
reason), each against the call's deadline. The institution officer: submitted
versions awaiting the institution's endorsement. Each list starts from the
audiences of ``queries`` (what the person may see) and costs one query, plus
the officer's organisations once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openrd.accounts.models import Role
from openrd.accounts.permissions import is_institution_officer, is_researcher
from openrd.core.i18n import localized
from openrd.core.my_tasks import Section, Task, Urgency, register, urgency_of
from openrd.programs.models import CallPhase
from openrd.programs.rules import call_phase
from openrd.proposals.models import Proposal, ProposalStatus, ProposalVersion
from openrd.proposals.queries import institution_proposals, invitations_for, owned_proposals
from openrd.proposals.rules import PROPOSAL_TRANSITIONS, may_move

DRAFT, RETURNED, ENDORSEMENT = "proposals.draft", "proposals.returned", "proposals.endorsement"
INVITATION = "proposals.invitation"

# The states the applicant still has to act in, and the one the institution answers in,
# read from the lifecycle table rather than restated.
_AWAITING_APPLICANT = (ProposalStatus.DRAFT, ProposalStatus.RETURNED)
_AWAITING_ENDORSEMENT = [s for s in PROPOSAL_TRANSITIONS if may_move(s, ProposalStatus.ENDORSED)]


# What a draft's or a returned proposal's task reads of it and of its call.
_TASK_FIELDS = (
    "title_ja", "title_en", "status", "call_id",
    "call__title_ja", "call__title_en", "call__status", "call__opens_at", "call__closes_at",
)  # fmt: skip


def _latest_version() -> Any:
    return ProposalVersion.objects.filter(proposal=OuterRef("pk")).order_by("-number")


def _deadline(proposal: Proposal, now: datetime) -> tuple[datetime | None, Urgency, str]:
    """The call's closing time, how pressing it is, and a word when the call closed early."""
    call = proposal.call
    if call_phase(call.status, call.opens_at, call.closes_at, now) == CallPhase.CLOSED and (
        call.closes_at >= now
    ):
        return None, Urgency.OVERDUE, _("The call has closed; it no longer takes proposals.")
    return call.closes_at, urgency_of(call.closes_at, now), ""


def applicant_tasks(user: Any, now: datetime) -> list[Task]:
    """Drafts and returned proposals of which ``user`` is the applicant (who alone submits)."""
    rows = (
        owned_proposals(user)
        .filter(applicant=user, status__in=_AWAITING_APPLICANT)
        # The header counts these on every page: the columns a task shows, not
        # the program, agency, institution and applicant of every row.
        .select_related(None)
        .select_related("call")
        .only(*_TASK_FIELDS)
        .annotate(reason=Subquery(_latest_version().values("return_comment")[:1]))
        .order_by("call__closes_at", "pk")
    )
    tasks = []
    for proposal in rows:
        due_at, urgency, closed = _deadline(proposal, now)
        returned = proposal.status == ProposalStatus.RETURNED
        tasks.append(
            Task(
                kind=RETURNED if returned else DRAFT,
                title=proposal.title or _("(untitled)"),
                # A returned proposal says why (the section labels it); a draft, its call.
                detail=(proposal.reason or "") if returned else (closed or proposal.call.title),
                url=reverse("proposals:detail", args=[proposal.pk]),
                due_at=due_at,
                urgency=urgency,
                about=f"call:{proposal.call_id}",  # stands in for "this call is open"
            )
        )
    return tasks


def _awaiting_endorsement(user: Any) -> QuerySet[Proposal] | None:
    if Role.INSTITUTION_OFFICER.value not in user.role_codes():
        return None  # no query for everyone else
    return institution_proposals(user).filter(status__in=_AWAITING_ENDORSEMENT)


def endorsement_tasks(user: Any, now: datetime) -> list[Task]:
    """Submitted versions awaiting the endorsement of an institution ``user`` is officer of."""
    awaiting = _awaiting_endorsement(user)
    if awaiting is None:
        return []
    # A proposal awaiting endorsement has its latest version pending: the
    # institution reads that version's title and time, copied onto the row.
    rows = awaiting.order_by("latest_submitted_at", "pk")
    return [
        Task(
            kind=ENDORSEMENT,
            title=localized(p.latest_title_ja, p.latest_title_en)
            or _("Proposal #%(n)s") % {"n": p.pk},
            detail=_("%(applicant)s, for the call %(call)s")
            % {"applicant": p.applicant.display_name, "call": p.call.title},
            url=reverse("proposals:detail", args=[p.pk]),
        )
        for p in rows
    ]


def endorsement_count(user: Any, now: datetime) -> int:
    """How many :func:`endorsement_tasks` there are, in one COUNT: the header asks on
    every page, and the officer of a large institution has hundreds."""
    awaiting = _awaiting_endorsement(user)
    return 0 if awaiting is None else awaiting.count()


def invitation_tasks(user: Any, now: datetime) -> list[Task]:
    """Invitations awaiting the user's answer (naming their e-Rad number or a verified
    address), against the call's deadline: one query."""
    tasks = []
    for member in invitations_for(user):
        proposal = member.proposal
        due_at, urgency, closed = _deadline(proposal, now)
        tasks.append(
            Task(
                kind=INVITATION,
                title=proposal.title or _("(untitled)"),
                detail=closed
                or _("%(applicant)s invites you as %(role)s")
                % {"applicant": proposal.applicant.display_name, "role": member.get_role_display()},
                url=reverse("invitations:list"),
                due_at=due_at,
                urgency=urgency,
            )
        )
    return tasks


register(
    "proposals.invitations",
    invitation_tasks,
    sections=[
        Section(
            kind=INVITATION,
            order=15,
            heading=gettext_lazy("Invitations awaiting your answer"),
        )
    ],
)
register(
    "proposals.applicant",
    applicant_tasks,
    sections=[
        Section(
            kind=DRAFT,
            order=20,
            heading=gettext_lazy("Drafts to finish"),
            shown_to=is_researcher,
            empty=gettext_lazy("You have no drafts in progress."),
            next_step=gettext_lazy("Find an open call to apply to"),
            next_url="calls:list",
            next_query="status=open",
        ),
        Section(
            kind=RETURNED,
            order=10,
            heading=gettext_lazy("Returned by your institution"),
            detail_label=gettext_lazy("Reason for return"),
        ),
    ],
)
register(
    "proposals.endorsement",
    endorsement_tasks,
    counter=endorsement_count,
    sections=[
        Section(
            kind=ENDORSEMENT,
            order=30,
            heading=gettext_lazy("Awaiting your endorsement"),
            shown_to=is_institution_officer,
            empty=gettext_lazy("No proposal awaits your institution's endorsement."),
            next_step=gettext_lazy("See your institution's proposals"),
            next_url="proposals:list",
        )
    ],
)
