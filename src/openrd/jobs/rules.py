"""Pure policy of jobs: how fast a job goes and when it should end (no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Estimate:
    """Progress of a running job: a fraction 0..1, items per second, seconds left.

    ``None`` means "not known yet" (no total, or nothing done so far)."""

    fraction: float | None
    rate: float | None
    eta_seconds: int | None


def estimate(
    *, done: int, total: int | None, started_at: dt.datetime | None, now: dt.datetime
) -> Estimate:
    """The rate since the start and the time left at that rate."""
    fraction = None
    if total:
        fraction = min(1.0, max(0.0, done / total))
    elif total == 0:
        fraction = 1.0
    if started_at is None or done <= 0:
        return Estimate(fraction=fraction, rate=None, eta_seconds=None)
    elapsed = (now - started_at).total_seconds()
    if elapsed <= 0:
        return Estimate(fraction=fraction, rate=None, eta_seconds=None)
    rate = done / elapsed
    eta = None
    if total is not None:
        # Rounded up: "0 seconds left" while work remains would be a lie.
        remaining = max(0, total - done)
        eta = int(-(-remaining // rate)) if remaining else 0
    return Estimate(fraction=fraction, rate=rate, eta_seconds=eta)
