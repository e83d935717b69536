"""How much time is left before a deadline: one rule for every countdown.

The dashboard, the call lists and the proposal editor all say "3 days left";
they count the same way, so a person never reads two different numbers for the
same call. Days are Tokyo calendar days (as the deadline reminders count them:
a call closing on the 4th is "3 days" away all through the 1st); once less than
a day is left, whole hours, then whole minutes. A deadline has passed one second
after it, as calls are judged (``programs.rules.check_call_accepting``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from openrd.core.fiscal import to_tokyo

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class TimeLeft:
    passed: bool
    # Tokyo calendar days to the deadline's date, when a day or more is left; else 0.
    days: int = 0
    # Whole hours, then whole minutes (at least 1), when less than a day is left.
    hours: int = 0
    minutes: int = 0

    @property
    def under_a_day(self) -> bool:
        return not self.passed and self.days == 0


def time_left(due_at: datetime, now: datetime) -> TimeLeft:
    at = now.replace(microsecond=0)
    if at > due_at:
        return TimeLeft(passed=True)
    remaining = due_at - at
    if remaining >= DAY:
        days = (to_tokyo(due_at).date() - to_tokyo(at).date()).days
        return TimeLeft(passed=False, days=max(days, 1))
    return TimeLeft(
        passed=False,
        hours=remaining // HOUR,
        minutes=max(1, (remaining % HOUR) // timedelta(minutes=1)) if remaining < HOUR else 0,
    )
