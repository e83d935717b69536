"""Progress between baseline and target, and the status from the pace, at their
edges; pure rules, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from openrd.strategy.rules.progress import (
    AT_RISK_SHARE,
    Direction,
    Point,
    Status,
    assess,
    progress,
)

D = Decimal
UP, DOWN = Direction.UP, Direction.DOWN


def test_progress_is_the_position_between_baseline_and_target_in_either_direction():
    assert progress(D(100), D(200), D(150), UP) == D("0.5")
    assert progress(D(100), D(200), D(250), UP) == D("1.5")  # past the target
    assert progress(D(100), D(200), D(90), UP) == D("-0.1")  # the wrong way
    # Down: from 40 % to 20 %, now 35 %: a quarter of the way.
    assert progress(D(40), D(20), D(35), DOWN) == D("0.25")
    assert progress(D(40), D(20), D(45), DOWN) == D("-0.25")


def test_a_target_equal_to_its_baseline_is_met_or_not():
    assert progress(D(5), D(5), D(5), UP) == 1
    assert progress(D(5), D(5), D(4), UP) == 0
    assert progress(D(5), D(5), D(4), DOWN) == 1


def status(latest_year: int, value: str, *, direction: Direction = UP) -> Status:
    # From 0 in FY2020 to 100 in FY2030: each year is a tenth of the time.
    start, goal = (D(0), D(100)) if direction == UP else (D(100), D(0))
    return assess(
        baseline=Point(2020, start),
        target=Point(2030, goal),
        latest=Point(latest_year, D(value)),
        direction=direction,
    ).status


def test_exactly_on_pace_is_on_track_and_just_below_is_at_risk():
    assert status(2024, "40") == Status.ON_TRACK  # 40 % of the way, 40 % of the time
    assert status(2024, "39.99") == Status.AT_RISK


def test_at_risk_ends_at_three_quarters_of_the_pace():
    edge = str(40 * AT_RISK_SHARE)  # 30 in FY2024
    assert status(2024, edge) == Status.AT_RISK
    assert status(2024, str(D(edge) - D("0.01"))) == Status.OFF_TRACK


def test_the_same_edges_hold_for_an_indicator_that_should_go_down():
    assert status(2024, "60", direction=DOWN) == Status.ON_TRACK
    assert status(2024, "60.01", direction=DOWN) == Status.AT_RISK
    assert status(2024, "70.01", direction=DOWN) == Status.OFF_TRACK


def test_a_reached_target_is_on_track_even_early_and_a_missed_one_is_off_track():
    early = assess(baseline=Point(2020, D(0)), target=Point(2030, D(100)),
                   latest=Point(2022, D(100)), direction=UP)  # fmt: skip
    assert (early.status, early.reached, early.reason.code) == (
        Status.ON_TRACK, True, "strategy.reached",
    )  # fmt: skip
    assert status(2030, "99.9") == Status.OFF_TRACK
    assert status(2031, "99.9") == Status.OFF_TRACK
    assert status(2030, "100") == Status.ON_TRACK


def test_without_a_value_or_a_baseline_the_status_says_so():
    none = assess(baseline=Point(2020, D(0)), target=Point(2030, D(1)), latest=None,
                  direction=UP)  # fmt: skip
    assert (none.status, none.reason.code) == (Status.NO_DATA, "strategy.no_observation")
    no_base = assess(baseline=None, target=Point(2030, D(1)), latest=Point(2023, D(1)),
                     direction=UP)  # fmt: skip
    assert (no_base.status, no_base.reason.code, no_base.progress) == (
        Status.NO_DATA, "strategy.no_baseline", None,
    )  # fmt: skip


def test_without_a_baseline_the_target_year_judges_by_the_achievement_rate():
    # SBIR: FY2023's spending target against FY2023's spending.
    target = Point(2023, D("106620000000"))
    half = assess(baseline=None, target=target, latest=Point(2023, D("53310000000")),
                  direction=UP)  # fmt: skip
    assert (half.status, half.progress, half.reason.code) == (
        Status.OFF_TRACK, D("0.5"), "strategy.missed",
    )  # fmt: skip
    met = assess(baseline=None, target=target, latest=Point(2024, D("106620000000")),
                 direction=UP)  # fmt: skip
    assert (met.status, met.progress, met.reached) == (Status.ON_TRACK, 1, True)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_reason_names_the_numbers_and_cites_the_pacing_setting(lang):
    with translation.override(lang):
        result = assess(baseline=Point(2020, D(0)), target=Point(2030, D(100)),
                        latest=Point(2024, D(35)), direction=UP)  # fmt: skip
    assert result.status == Status.AT_RISK
    assert "35%" in result.reason.message
    assert "40%" in result.reason.message
    assert "2024" in result.reason.message
    assert "75" in result.reason.source
