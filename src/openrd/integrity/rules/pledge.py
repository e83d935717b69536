"""When a pledge is due: made on the latest version, it stands for a year."""

from __future__ import annotations

from datetime import datetime, timedelta

# A pledge is renewed every year, by the same rule on the dashboard, in the
# reminders and when the person pledges again.
PLEDGE_VALID_FOR = timedelta(days=365)


def pledge_due_at(pledged_at: datetime) -> datetime:
    """The moment a pledge made at ``pledged_at`` has to be renewed."""
    return pledged_at + PLEDGE_VALID_FOR


def is_pledge_due(pledged_at: datetime | None, now: datetime) -> bool:
    """Whether a pledge made at ``pledged_at`` must be renewed at ``now`` (from the
    moment it is a year old, to the second). No pledge is not a pledge to renew."""
    return pledged_at is not None and now >= pledge_due_at(pledged_at)
