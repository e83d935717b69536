"""One count of the time left, for the dashboard, the call lists and the editor."""

from datetime import timedelta

from openrd.core.deadlines import TimeLeft, time_left
from openrd.core.fiscal import tokyo_datetime

CLOSES = tokyo_datetime(2026, 12, 8, 12)


def test_days_are_tokyo_calendar_days():
    assert time_left(CLOSES, tokyo_datetime(2026, 12, 1, 0, 0, 1)).days == 7
    assert time_left(CLOSES, tokyo_datetime(2026, 12, 1, 23, 59, 59)).days == 7
    assert time_left(CLOSES, tokyo_datetime(2026, 12, 2, 0, 0, 0)).days == 6
    assert time_left(CLOSES, tokyo_datetime(2026, 12, 7, 12, 0, 0)).days == 1


def test_under_a_day_whole_hours_then_minutes():
    assert time_left(CLOSES, tokyo_datetime(2026, 12, 7, 12, 0, 1)) == TimeLeft(False, 0, 23, 0)
    assert time_left(CLOSES, CLOSES - timedelta(hours=4, minutes=10)).hours == 4
    assert time_left(CLOSES, CLOSES - timedelta(minutes=10)) == TimeLeft(False, 0, 0, 10)
    assert time_left(CLOSES, CLOSES - timedelta(seconds=5)) == TimeLeft(False, 0, 0, 1)
    assert time_left(CLOSES, CLOSES - timedelta(hours=3)).under_a_day


def test_the_deadline_passes_one_second_after_it():
    assert not time_left(CLOSES, CLOSES + timedelta(microseconds=500_000)).passed
    assert time_left(CLOSES, CLOSES + timedelta(seconds=1)).passed
    assert not time_left(CLOSES, CLOSES + timedelta(seconds=1)).under_a_day
