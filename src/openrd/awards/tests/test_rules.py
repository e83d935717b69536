"""The award rules, without a database: the period, the lifecycle, the gates."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from openrd.awards.rules import (
    AWARD_TRANSITIONS,
    AwardFacts,
    GateFacts,
    check_award_period,
    check_award_transition,
    check_gate_evaluation,
    last_day,
)
from openrd.programs.rules import ProgramRules

MOONSHOT = ProgramRules(max_duration_years=10, stage_gates=True)
SIP = ProgramRules(max_duration_years=5, stage_gates=True)


@pytest.mark.parametrize(
    ("rules", "ends_on", "allowed"),
    [
        (MOONSHOT, date(2035, 3, 31), True),  # ten years to the day
        (MOONSHOT, date(2035, 4, 1), False),  # one day more
        (SIP, date(2030, 3, 31), True),
        (SIP, date(2030, 4, 1), False),
        (ProgramRules(), date(2060, 3, 31), True),  # no maximum
    ],
)
def test_the_period_fits_the_programs_maximum_to_the_day(rules, ends_on, allowed):
    decision = check_award_period(rules, date(2025, 4, 1), ends_on, [])
    assert decision.allowed is allowed
    if not allowed:
        assert decision.codes() == ["award.period_too_long"]


def test_a_leap_day_start_ends_on_the_last_day_of_february():
    assert last_day(date(2024, 2, 29), 5) == date(2029, 2, 27)


def test_budget_years_must_lie_inside_the_period_and_the_end_after_the_start():
    decision = check_award_period(SIP, date(2025, 4, 1), date(2027, 3, 31), [2024, 2025, 2027])
    assert decision.codes() == ["award.budget_outside_period"]
    with translation.override("en"):
        assert (
            "FY2024, FY2027"
            in check_award_period(SIP, date(2025, 4, 1), date(2027, 3, 31), [2024, 2027])
            .reasons[0]
            .message
        )
    assert (
        "award.ends_before_start"
        in check_award_period(SIP, date(2025, 4, 1), date(2025, 3, 1), []).codes()
    )


def test_the_maximum_cites_the_programs_source_and_dates_by_era():
    with translation.override("ja"):
        (reason,) = check_award_period(SIP, date(2025, 4, 1), date(2031, 3, 31), []).reasons
    assert "令和12年3月31日" in reason.message


@pytest.mark.parametrize("status", list(AWARD_TRANSITIONS))
@pytest.mark.parametrize("target", list(AWARD_TRANSITIONS))
def test_every_award_transition_is_allowed_exactly_as_the_table_says(status, target):
    decision = check_award_transition(AwardFacts(status), target)
    assert decision.allowed is (target in AWARD_TRANSITIONS[status])


def gate(**overrides):
    fields = {"status": "pending", "award_status": "active", "program_has_gates": True,
              "reasons": "目標達成の見込みが高い"} | overrides  # fmt: skip
    return GateFacts(**fields)


def test_a_gate_is_evaluated_once_on_an_active_award_with_reasons():
    assert check_gate_evaluation(gate(), "continue").allowed
    assert check_gate_evaluation(gate(status="continue"), "terminate").codes() == [
        "award.gate_decided"
    ]
    assert set(
        check_gate_evaluation(gate(award_status="suspended", reasons=" "), "continue").codes()
    ) == {
        "award.gate_award_not_active",
        "award.gate_reasons_missing",
    }
    assert check_gate_evaluation(gate(program_has_gates=False), "spin_out").codes() == [
        "award.program_without_gates"
    ]


def test_continuing_with_changes_says_what_changes():
    assert check_gate_evaluation(gate(), "modify").codes() == ["award.gate_changes_missing"]
    assert check_gate_evaluation(gate(changes="予算を2割減額"), "modify").allowed
    assert check_gate_evaluation(gate(), "pending").codes() == ["award.gate_outcome_unknown"]
