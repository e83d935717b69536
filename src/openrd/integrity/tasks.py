"""Periodic integrity work: reminding people whose pledge is over a year old."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.tasks import task
from django.utils import timezone

from openrd.accounts.models import User
from openrd.integrity.models import DisclosureVersion
from openrd.integrity.rules import PLEDGE_VALID_FOR
from openrd.notifications.services import notify

__all__ = ["PLEDGE_VALID_FOR", "pledge_reminders", "send_pledge_reminders"]


@transaction.atomic
def send_pledge_reminders(now: datetime) -> int:
    """Notify everyone whose latest pledge is older than a year; the number notified.

    Idempotent: the key names the pledge being renewed, so a second run (or a
    second day) reminds nobody twice, and a new pledge starts the count again."""
    stale = (
        DisclosureVersion.objects.filter(pledged_at__isnull=False)
        .values("person_id")
        .annotate(last=Max("pledged_at"))
        .filter(last__lte=now - PLEDGE_VALID_FOR)
    )
    people = User.objects.in_bulk([row["person_id"] for row in stale])
    notified = 0
    for row in stale:
        person = people[row["person_id"]]
        notified += len(
            notify(
                [person],
                "integrity.pledge_due",
                {"pledged_at": row["last"], "link": {"name": "integrity:pledge", "args": []}},
                dedupe_key=f"integrity:pledge-due:{row['last'].isoformat()}",
                now=now,
            )
        )
    return notified


@task
def pledge_reminders() -> int:
    """Daily entry of the schedule (openrd/jobs/schedule.toml)."""
    return send_pledge_reminders(timezone.now())
