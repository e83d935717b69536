"""Periodic review work: reminding reviewers of what they still owe."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from openrd.review.reminders import remind_reviewers


@task
def review_reminders() -> int:
    """Daily entry of the schedule (openrd/jobs/schedule.toml)."""
    return remind_reviewers(timezone.now())
