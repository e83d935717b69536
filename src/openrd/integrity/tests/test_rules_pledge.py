"""When a pledge is due for renewal: a year after it was made, to the second."""

from datetime import UTC, datetime, timedelta

from openrd.integrity.rules import PLEDGE_VALID_FOR, is_pledge_due, pledge_due_at

PLEDGED = datetime(2025, 4, 1, 0, 0, tzinfo=UTC)


def test_a_pledge_is_due_from_the_second_it_is_a_year_old():
    assert timedelta(days=365) == PLEDGE_VALID_FOR
    assert pledge_due_at(PLEDGED) == datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
    assert is_pledge_due(PLEDGED, pledge_due_at(PLEDGED) - timedelta(microseconds=1)) is False
    assert is_pledge_due(PLEDGED, pledge_due_at(PLEDGED)) is True
    assert is_pledge_due(PLEDGED, PLEDGED + timedelta(days=400)) is True


def test_no_pledge_is_not_a_pledge_to_renew():
    assert is_pledge_due(None, PLEDGED) is False
