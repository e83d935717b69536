"""The reviewer's work on "My tasks": review requests to answer and reviews to write,
each against the round's due date. Both come from ``queries.my_assignments`` (never
a proposal with a conflict), in one query, and only for people with the reviewer role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy

from openrd.accounts.models import Role
from openrd.accounts.permissions import is_reviewer
from openrd.core.my_tasks import Section, Task, register, urgency_of
from openrd.review.models import AssignmentStatus
from openrd.review.queries import my_assignments

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
