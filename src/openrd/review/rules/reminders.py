"""When a reviewer is reminded of their outstanding reviews (pure, no database).

A round is due for reminders from seven Tokyo calendar days before its due date
(a round due on the 8th is reminded of from the 1st, all day) and for as long as
it stays open after it. One reminder per reviewer, round and ISO week (in Tokyo):
the week is part of the notification's dedupe key, so the daily job may run
again, or twice, without sending a second one.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from openrd.core.fiscal import TOKYO, to_tokyo

REMIND_WITHIN_DAYS = 7


def reminder_horizon(now: datetime) -> datetime:
    """The first moment that is too far off: midnight in Tokyo starting the day
    eight days from today. A due date before it is within seven days, or past."""
    today = to_tokyo(now).date()
    return datetime.combine(today + timedelta(days=REMIND_WITHIN_DAYS + 1), time(0), tzinfo=TOKYO)


def is_due_for_reminder(due_at: datetime, now: datetime) -> bool:
    return due_at < reminder_horizon(now)


def is_overdue(due_at: datetime, now: datetime) -> bool:
    # Passed one second after the due moment, as ``core.deadlines`` counts.
    return now.replace(microsecond=0) > due_at


def reminder_week(now: datetime) -> str:
    year, week, _weekday = to_tokyo(now).date().isocalendar()
    return f"{year}-W{week:02}"


def reminder_key(round_id: int, now: datetime) -> str:
    return f"review.reminder:{round_id}:{reminder_week(now)}"
