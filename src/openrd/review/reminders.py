"""Reminding reviewers of the requests they have not answered and the reviews they
have not submitted, in open rounds due within seven days or already past due.

One notice per reviewer and round, counting what is outstanding there; at most
one per ISO week (``rules.reminders.reminder_key``). A pair with a stored
conflict is never counted: the reviewer does not see it among their assignments.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db import transaction
from django.db.models import Count

from openrd.accounts.models import User
from openrd.notifications.services import notify
from openrd.review.models import AssignmentStatus, ReviewAssignment, ReviewRound, RoundStatus
from openrd.review.queries import conflicted
from openrd.review.rules.reminders import is_overdue, reminder_horizon, reminder_key

# Invited: not answered yet. Accepted: the review is not submitted yet.
OUTSTANDING = (AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED)


def outstanding(now: datetime) -> dict[tuple[int, int], Counter[str]]:
    """(reviewer id, round id) → how many assignments of each outstanding state,
    for the open rounds due for a reminder at ``now``: one query."""
    rows = (
        ReviewAssignment.objects.filter(
            status__in=OUTSTANDING,
            round__status=RoundStatus.OPEN,
            round__due_at__lt=reminder_horizon(now),
            reviewer__is_active=True,
        )
        .exclude(conflicted())
        .values("reviewer_id", "round_id", "status")
        .annotate(n=Count("pk"))
        .order_by("round_id", "reviewer_id", "status")
    )
    found: dict[tuple[int, int], Counter[str]] = {}
    for row in rows:
        found.setdefault((row["reviewer_id"], row["round_id"]), Counter())[row["status"]] = row["n"]
    return found


@transaction.atomic
def remind_reviewers(now: datetime) -> int:
    """Send the week's reminders due at ``now``; the number of notices sent."""
    work = outstanding(now)
    if not work:
        return 0
    people = User.objects.in_bulk({reviewer for reviewer, _ in work})
    rounds = ReviewRound.objects.select_related("call").in_bulk({r for _, r in work})
    sent = 0
    for (reviewer_id, round_id), counts in work.items():
        review_round = rounds[round_id]
        invited = counts[AssignmentStatus.INVITED]
        to_write = counts[AssignmentStatus.ACCEPTED]
        sent += len(
            notify(
                [people[reviewer_id]],
                "review.reminder",
                {
                    "round": {
                        "ja": review_round.name_ja,
                        "en": review_round.name_en or review_round.name_ja,
                    },
                    "call_title": {
                        "ja": review_round.call.title_ja,
                        "en": review_round.call.title_en,
                    },
                    "count": invited + to_write,
                    "invited": invited,
                    "to_write": to_write,
                    "due_at": review_round.due_at,
                    "overdue": is_overdue(review_round.due_at, now),
                    "link": {"name": "review:my_assignments", "args": []},
                },
                dedupe_key=reminder_key(round_id, now),
                now=now,
            )
        )
    return sent
