"""When reviewers are reminded (``rules.reminders``): pure, no database."""

from __future__ import annotations

from datetime import UTC, datetime

from openrd.core.fiscal import TOKYO
from openrd.review.rules.reminders import (
    is_due_for_reminder,
    is_overdue,
    reminder_horizon,
    reminder_key,
    reminder_week,
)

# Tuesday 1 December 2026, 10:00 in Tokyo (the job's time).
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)


def test_a_due_date_seven_tokyo_days_ahead_is_reminded_all_that_day():
    assert reminder_horizon(NOW) == datetime(2026, 12, 9, 0, 0, tzinfo=TOKYO)
    assert is_due_for_reminder(datetime(2026, 12, 8, 23, 59, 59, tzinfo=TOKYO), NOW)
    assert not is_due_for_reminder(datetime(2026, 12, 9, 0, 0, tzinfo=TOKYO), NOW)


def test_the_days_are_counted_in_tokyo_not_utc():
    # 23:30 UTC on 30 November is already 1 December in Tokyo.
    late_utc = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert reminder_horizon(late_utc) == datetime(2026, 12, 9, 0, 0, tzinfo=TOKYO)


def test_a_past_due_date_is_reminded_and_overdue():
    past = datetime(2026, 11, 20, 17, 0, tzinfo=TOKYO)
    assert is_due_for_reminder(past, NOW)
    assert is_overdue(past, NOW)


def test_overdue_only_one_second_after_the_due_moment():
    assert not is_overdue(NOW, NOW.replace(microsecond=500_000))
    assert is_overdue(NOW, datetime(2026, 12, 1, 10, 0, 1, tzinfo=TOKYO))


def test_one_key_per_round_and_iso_week():
    monday = datetime(2026, 11, 30, 0, 0, tzinfo=TOKYO)
    sunday = datetime(2026, 12, 6, 23, 59, 59, tzinfo=TOKYO)
    next_monday = datetime(2026, 12, 7, 0, 0, tzinfo=TOKYO)
    assert reminder_week(NOW) == "2026-W49"
    assert reminder_key(5, monday) == reminder_key(5, sunday) == "review.reminder:5:2026-W49"
    assert reminder_key(5, next_monday) == "review.reminder:5:2026-W50"
    assert reminder_key(6, NOW) != reminder_key(5, NOW)


def test_the_iso_year_is_used_at_the_turn_of_the_year():
    # 1 January 2027 (Friday) belongs to ISO week 53 of 2026.
    assert reminder_week(datetime(2027, 1, 1, 10, 0, tzinfo=TOKYO)) == "2026-W53"
