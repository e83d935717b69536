"""Periodic award work: reminding PIs of the reports they owe."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from openrd.awards.reports import remind_due_reports


@task
def report_reminders() -> int:
    """Daily entry of the schedule (openrd/jobs/schedule.toml)."""
    return remind_due_reports(timezone.now())
