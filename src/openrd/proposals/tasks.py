"""Periodic proposal work: reminding applicants of drafts as a deadline nears."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from openrd.core.fiscal import to_tokyo
from openrd.notifications.services import notify
from openrd.programs.models import CallStatus
from openrd.proposals.models import Proposal, ProposalStatus

# Reminders by Tokyo calendar days left before the closing day: the "7d" one
# once 7 or fewer days remain, the "1d" one on the eve and on the closing day.
REMINDERS = (("1d", 1), ("7d", 7))


def _reminder(days_left: int) -> str | None:
    for name, limit in REMINDERS:
        if days_left <= limit:
            return name
    return None


@transaction.atomic
def send_deadline_reminders(now: datetime) -> int:
    """Remind the applicant of every unsubmitted draft whose open call closes within
    7 days (and again within 1 day); the number of reminders written.

    Idempotent per (proposal, reminder): the notification's dedupe key, so running
    it every hour or twice a day reminds each applicant once per step."""
    drafts = Proposal.objects.select_related("call", "applicant").filter(
        status=ProposalStatus.DRAFT, call__status=CallStatus.OPEN, call__closes_at__gt=now
    )
    today = to_tokyo(now).date()
    written = 0
    for proposal in drafts:
        call = proposal.call
        days_left = (to_tokyo(call.closes_at).date() - today).days
        reminder = _reminder(days_left)
        if reminder is None:
            continue
        written += len(
            notify(
                [proposal.applicant],
                "proposal.deadline_reminder",
                {
                    "title": {"ja": proposal.title_ja, "en": proposal.title_en},
                    "call_title": {"ja": call.title_ja, "en": call.title_en},
                    "closes_at": call.closes_at,
                    "days": max(days_left, 1),
                    "link": {"name": "proposals:detail", "args": [proposal.pk]},
                },
                dedupe_key=f"proposals:deadline:{proposal.pk}:{reminder}",
                now=now,
            )
        )
    return written


@task
def deadline_reminders() -> int:
    """Daily entry of the schedule (openrd/jobs/schedule.toml)."""
    return send_deadline_reminders(timezone.now())


@task
def notify_invitee(member_id: int) -> int:
    """Tell the registered user an invitation names (run after the invitation's commit)."""
    from openrd.proposals.services.members import notify_matched_invitee

    return notify_matched_invitee(member_id)
