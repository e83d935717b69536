"""The review work on "My tasks".

A reviewer's review requests to answer and reviews to write, each against the
round's due date: both come from ``queries.my_assignments`` (never a proposal
with a conflict), in one query, and only for people with the reviewer role.

A program director's or manager's panels to follow (``queries.lead_rounds``):
rounds under review, and closed rounds whose proposals are not all decided yet,
in one query, and only for people with one of those roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from openrd.accounts.models import Role
from openrd.accounts.permissions import is_reviewer
from openrd.core.my_tasks import Section, Task, register, urgency_of
from openrd.proposals.models import Proposal, ProposalStatus
from openrd.review.models import AssignmentStatus, RoundStatus, Selection, SelectionOutcome
from openrd.review.queries import lead_rounds, my_assignments

REQUEST, TO_WRITE = "review.request", "review.to_write"
_KIND = {AssignmentStatus.INVITED: REQUEST, AssignmentStatus.ACCEPTED: TO_WRITE}


def _awaiting(user: Any) -> Any:
    if Role.REVIEWER.value not in user.role_codes():
        return None  # no query for everyone else
    return my_assignments(user).filter(status__in=list(_KIND))


def reviewer_tasks(user: Any, now: datetime) -> list[Task]:
    rows = _awaiting(user)
    if rows is None:
        return []
    return [
        Task(
            kind=_KIND[a.status],
            title=a.title,
            detail=a.round.name,
            url=reverse("review:assignment", args=[a.pk]),
            due_at=a.round.due_at,
            urgency=urgency_of(a.round.due_at, now),
        )
        for a in rows
    ]


def reviewer_count(user: Any, now: datetime) -> int:
    rows = _awaiting(user)
    return 0 if rows is None else rows.count()


register(
    "review.reviewer",
    reviewer_tasks,
    counter=reviewer_count,
    sections=[
        Section(
            kind=REQUEST,
            order=12,
            heading=gettext_lazy("Review requests awaiting your answer"),
            shown_to=is_reviewer,
            empty=gettext_lazy("No review request awaits your answer."),
            next_step=gettext_lazy("See your review assignments"),
            next_url="review:my_assignments",
        ),
        Section(kind=TO_WRITE, order=13, heading=gettext_lazy("Reviews to write")),
    ],
)


# ------------------------------------------------------------------ the PD's and PM's panels

PANEL = "review.panel"


def _undecided() -> Exists:
    """The round's call has an endorsed proposal without a decision in the round."""
    decided = Selection.objects.filter(
        round_id=OuterRef(OuterRef("pk")), proposal_id=OuterRef("pk")
    ).exclude(status=SelectionOutcome.UNDECIDED)
    return Exists(
        Proposal.objects.filter(
            call_id=OuterRef("call_id"), status=ProposalStatus.ENDORSED
        ).exclude(Exists(decided))
    )


def _panels(user: Any) -> Any:
    if not {Role.PROGRAM_DIRECTOR.value, Role.PROGRAM_MANAGER.value} & set(user.role_codes()):
        return None  # no query for everyone else
    return (
        lead_rounds(user)
        .filter(Q(status=RoundStatus.OPEN) | (Q(status=RoundStatus.CLOSED) & Q(_undecided())))
        .order_by("due_at", "id")
    )


def panel_tasks(user: Any, now: datetime) -> list[Task]:
    """The panels a program's PD or PM has to follow: their rounds under review, and
    those closed with proposals still waiting for a decision."""
    rows = _panels(user)
    if rows is None:
        return []
    return [
        Task(
            kind=PANEL,
            title=r.name,
            detail=f"{r.call.title} — {r.get_status_display()}",
            url=reverse("review:panel", args=[r.pk]),
        )
        for r in rows
    ]


def panel_count(user: Any, now: datetime) -> int:
    rows = _panels(user)
    return 0 if rows is None else rows.count()


register(
    "review.panels",
    panel_tasks,
    counter=panel_count,
    sections=[
        Section(kind=PANEL, order=41, heading=gettext_lazy("Review panels to follow")),
    ],
)
