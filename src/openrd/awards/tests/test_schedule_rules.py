"""The gate schedule from the program's operating settings, and the carry-over rule:
pure tests, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from django.utils import translation

from openrd.awards.rules import (
    CARRY_OVER_FIELDS,
    BudgetYear,
    CarryOverFacts,
    carry_over_available,
    check_carry_over,
    gate_schedule,
)
from openrd.programs.rules import program_rules

MOONSHOT = program_rules(
    {"max_duration_years": 10, "stage_gates": True, "stage_gate_years": [3, 5]}
)
SBIR = program_rules({"stage_gates": True, "stage_gate_at_end": True})


# ---------------------------------------------------------------- gate_schedule


def test_a_gate_falls_on_the_last_day_of_each_gate_year():
    assert gate_schedule(MOONSHOT, date(2020, 12, 1), date(2030, 11, 30)) == [
        ("第3年度末ステージゲート", "Stage gate after year 3", date(2023, 11, 30)),
        ("第5年度末ステージゲート", "Stage gate after year 5", date(2025, 11, 30)),
    ]


def test_a_gate_year_beyond_the_period_is_left_out():
    four_years = gate_schedule(MOONSHOT, date(2024, 4, 1), date(2028, 3, 31))
    assert [due for _ja, _en, due in four_years] == [date(2027, 3, 31)]


def test_a_gate_on_the_awards_last_day_is_inside_the_period_and_a_day_short_is_not():
    assert [d for *_n, d in gate_schedule(MOONSHOT, date(2024, 4, 1), date(2029, 3, 31))] == [
        date(2027, 3, 31),
        date(2029, 3, 31),
    ]
    assert [d for *_n, d in gate_schedule(MOONSHOT, date(2024, 4, 1), date(2029, 3, 30))] == [
        date(2027, 3, 31)
    ]


def test_a_29_february_start_ends_its_years_on_27_february():
    # Year N ends the day before the same date N years on (29 February -> 28 February).
    got = gate_schedule(MOONSHOT, date(2024, 2, 29), date(2034, 2, 27))
    assert [due for *_n, due in got] == [date(2027, 2, 27), date(2029, 2, 27)]


def test_the_phase_gate_falls_on_the_awards_end():
    assert gate_schedule(SBIR, date(2025, 4, 1), date(2026, 3, 31)) == [
        ("フェーズ終了時ゲート", "Phase gate at the end", date(2026, 3, 31))
    ]


def test_a_year_gate_on_the_last_day_is_not_doubled_by_the_phase_gate():
    both = program_rules({"stage_gates": True, "stage_gate_years": [2], "stage_gate_at_end": True})
    assert [n for _ja, n, _d in gate_schedule(both, date(2025, 4, 1), date(2027, 3, 31))] == [
        "Stage gate after year 2"
    ]
    assert [n for _ja, n, _d in gate_schedule(both, date(2025, 4, 1), date(2028, 3, 31))] == [
        "Stage gate after year 2",
        "Phase gate at the end",
    ]


def test_a_program_without_a_schedule_gets_no_gates():
    assert (
        gate_schedule(program_rules({"stage_gates": True}), date(2025, 4, 1), date(2030, 3, 31))
        == []
    )


# ---------------------------------------------------------------- check_carry_over

BUDGET = {
    2024: BudgetYear(amount_yen=100_000_000, carried_in_yen=0),
    2025: BudgetYear(amount_yen=80_000_000, carried_in_yen=30_000_000),
    2026: BudgetYear(amount_yen=50_000_000, carried_in_yen=0),
}
FACTS = CarryOverFacts(
    award_status="active",
    starts_on=date(2024, 4, 1),
    ends_on=date(2027, 3, 31),
    budget=BUDGET,
    from_fiscal_year=2025,
    amount_yen=10_000_000,
    reason="装置の納期遅延のため",
)


def test_a_carry_over_within_what_is_left_is_allowed():
    assert check_carry_over(FACTS).allowed is True


def test_a_suspended_award_carries_over_and_an_ended_one_does_not():
    assert check_carry_over(replace(FACTS, award_status="suspended")).allowed is True
    for status in ("completed", "terminated", "spun_out"):
        assert check_carry_over(replace(FACTS, award_status=status)).codes() == [
            "award.carry_over_award_not_running"
        ]


def test_the_available_amount_is_the_years_own_plus_carried_in_less_carried_out():
    # FY2025: 80M + 30M carried in; nothing carried out into FY2026 yet.
    assert carry_over_available(BUDGET, 2025) == 110_000_000
    # FY2024: 100M, of which 30M was carried into FY2025 already.
    assert carry_over_available(BUDGET, 2024) == 70_000_000
    assert carry_over_available(BUDGET, 2023) == 0


def test_exactly_what_is_left_is_allowed_and_one_yen_more_is_not():
    assert check_carry_over(replace(FACTS, amount_yen=110_000_000)).allowed is True
    assert check_carry_over(replace(FACTS, amount_yen=110_000_001)).codes() == [
        "award.carry_over_more_than_available"
    ]
    assert check_carry_over(
        replace(FACTS, from_fiscal_year=2024, amount_yen=70_000_001)
    ).codes() == ["award.carry_over_more_than_available"]


@pytest.mark.parametrize("amount", [0, -1])
def test_an_amount_of_zero_or_less_is_refused(amount):
    assert check_carry_over(replace(FACTS, amount_yen=amount)).codes() == [
        "award.carry_over_amount_not_positive"
    ]


def test_the_next_year_must_be_in_the_period():
    # FY2026 is the award's last fiscal year: there is no next year to carry into.
    assert check_carry_over(replace(FACTS, from_fiscal_year=2026)).codes() == [
        "award.carry_over_next_year_outside_period"
    ]


def test_the_next_year_must_have_a_budget_line():
    gap = {2024: BUDGET[2024], 2026: BUDGET[2026]}
    decision = check_carry_over(replace(FACTS, budget=gap, from_fiscal_year=2024))
    assert decision.codes() == ["award.carry_over_next_year_without_budget"]


def test_every_failing_reason_is_given_at_once_each_with_its_field():
    decision = check_carry_over(
        replace(FACTS, award_status="completed", from_fiscal_year=2026, amount_yen=0, reason=" ")
    )
    assert decision.codes() == [
        "award.carry_over_award_not_running",
        "award.carry_over_next_year_outside_period",
        "award.carry_over_amount_not_positive",
        "award.carry_over_reason_missing",
    ]
    fields = [CARRY_OVER_FIELDS.get(code) for code in decision.codes()]
    assert fields == [None, "from_fiscal_year", "amount_yen", "reason"]


def test_carry_over_reasons_are_in_the_active_language():
    too_much = replace(FACTS, amount_yen=200_000_000)
    with translation.override("en"):
        en = check_carry_over(too_much).reasons[0].message
    with translation.override("ja"):
        ja = check_carry_over(too_much).reasons[0].message
    assert en == "At most ¥110 million can be carried over from FY2025 (Reiwa 7)."
    assert "1.1億円" in ja
    assert "令和7年度" in ja
