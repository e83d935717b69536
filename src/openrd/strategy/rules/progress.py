"""How far an indicator has come toward its target, and whether it keeps pace.

Progress is the position of the latest value between the baseline and the
target, in the indicator's direction: 0 at the baseline, 1 at the target, more
past it, less than 0 when it moved the wrong way. The status compares that
position with the share of the time from the baseline to the target that has
gone by: at least that share is on track; at least ``AT_RISK_SHARE`` of it is at
risk; less is off track, as is a target year gone by with the target missed.
Fiscal years count as whole steps (a value for FY2024 is the state at its end).

Every status is a ``Reason`` in the reader's language that names the numbers
it was decided from and cites the pacing rule — an operating setting of
OpenRD, since the strategy states targets but not how to judge the pace.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext as _

from openrd.core.decisions import Reason
from openrd.core.fiscal import format_fiscal_year
from openrd.core.i18n import current_lang

# Below the pace but within a quarter of it is "at risk", not yet "off track".
AT_RISK_SHARE = Decimal("0.75")


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Point:
    """A value at the end of a fiscal year."""

    fiscal_year: int
    value: Decimal


@dataclass(frozen=True)
class Assessment:
    status: Status
    progress: Decimal | None  # None when it cannot be computed
    expected: Decimal | None  # the share of the time gone by, 0..1
    reached: bool
    reason: Reason


def pacing_source() -> str:
    return _(
        "Operating setting of OpenRD, not stated in the strategy: on track when progress "
        "toward the target is at least the share of the time from the baseline to the "
        "target year gone by; at risk when it is at least %(share)s%% of that share; "
        "off track otherwise, or when the target year has passed with the target missed."
    ) % {"share": int(AT_RISK_SHARE * 100)}


def progress(baseline: Decimal, target: Decimal, value: Decimal, direction: Direction) -> Decimal:
    """``value``'s position from ``baseline`` (0) to ``target`` (1)."""
    if target == baseline:
        # Nothing to travel: the target holds or it does not.
        met = value >= target if direction == Direction.UP else value <= target
        return Decimal(1) if met else Decimal(0)
    return (value - baseline) / (target - baseline)


def reached(target: Decimal, value: Decimal, direction: Direction) -> bool:
    return value >= target if direction == Direction.UP else value <= target


def _achieved(target: Decimal, value: Decimal, direction: Direction) -> Decimal:
    if direction == Direction.UP:
        return value / target
    return target / value if value else Decimal(1)


def _time_gone(baseline_year: int, target_year: int, year: int) -> Decimal:
    """The share of the fiscal years from the baseline to the target gone by."""
    span = target_year - baseline_year
    if span <= 0:
        return Decimal(1)
    return Decimal(min(max(year - baseline_year, 0), span)) / Decimal(span)


def _percent(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal('1'))}%"


def assess(
    *,
    baseline: Point | None,
    target: Point,
    latest: Point | None,
    direction: Direction,
) -> Assessment:
    """The status of an indicator whose latest value is ``latest``, toward
    ``target`` from ``baseline`` (when the strategy gives no baseline, the
    earliest observation is the caller's to pass)."""
    source = pacing_source()
    if latest is None:
        return Assessment(
            Status.NO_DATA, None, None, False,
            Reason("strategy.no_observation", _("No value has been observed yet."), source),
        )  # fmt: skip
    done = reached(target.value, latest.value, direction)
    if baseline is None:
        if latest.fiscal_year < target.fiscal_year or not target.value:
            return Assessment(
                Status.NO_DATA, None, None, done,
                Reason("strategy.no_baseline",
                       _("There is no baseline to measure progress from."), source),
            )  # fmt: skip
        # The target year has come: met or not, with the share of the target
        # achieved (the achievement rate) in place of a position from a baseline.
        share, expected = _achieved(target.value, latest.value, direction), Decimal(1)
    else:
        share = progress(baseline.value, target.value, latest.value, direction)
        expected = _time_gone(baseline.fiscal_year, target.fiscal_year, latest.fiscal_year)
    numbers = {
        "progress": _percent(share),
        "expected": _percent(expected),
        "year": format_fiscal_year(latest.fiscal_year, current_lang()),
        "target_year": format_fiscal_year(target.fiscal_year, current_lang()),
    }
    if done:
        status, code = Status.ON_TRACK, "strategy.reached"
        message = _("Target for %(target_year)s reached in %(year)s (%(progress)s).") % numbers
    elif latest.fiscal_year >= target.fiscal_year:
        status, code = Status.OFF_TRACK, "strategy.missed"
        message = (
            _("Target for %(target_year)s not reached: %(progress)s of the way in %(year)s.")
            % numbers
        )
    elif share >= expected:
        status, code = Status.ON_TRACK, "strategy.on_pace"
        message = (
            _("%(progress)s of the way in %(year)s, with %(expected)s of the time gone.") % numbers
        )
    elif share >= expected * AT_RISK_SHARE:
        status, code = Status.AT_RISK, "strategy.behind_pace"
        message = (
            _("%(progress)s of the way in %(year)s, with %(expected)s of the time gone: "
              "slightly behind the pace the target needs.") % numbers
        )  # fmt: skip
    else:
        status, code = Status.OFF_TRACK, "strategy.far_behind_pace"
        message = (
            _("%(progress)s of the way in %(year)s, with %(expected)s of the time gone: "
              "well behind the pace the target needs.") % numbers
        )  # fmt: skip
    return Assessment(status, share, expected, done, Reason(code, message, source))
