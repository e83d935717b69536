"""The pure rules of a call's form: only stricter than the program, and what an
open call may still change. No database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openrd.core.fiscal import tokyo_datetime
from openrd.programs.rules import program_rules
from openrd.programs.rules.call_terms import (
    check_call_change,
    check_eligibility_choices,
    choices_from_eligibility,
    eligibility_from_choices,
    eligibility_options,
)

SBIR = program_rules(
    {
        "eligible_org_kinds": ["startup", "company"],
        "sme_required": True,
        "max_years_since_founding": 15,
        "founding_limit_in_principle": True,
        "phases": ["phase1", "phase2", "phase3"],
        "stage_gates": True,
    }
)
MOONSHOT = program_rules({"max_duration_years": 10, "stage_gates": True})


def test_the_options_offer_only_the_programs_values_or_every_kind_when_it_lists_none():
    sbir = eligibility_options(SBIR)
    assert sbir.org_kinds == ("startup", "company")
    assert sbir.phases == ("phase1", "phase2", "phase3")
    assert sbir.fixed_requirements == {"sme_required", "stage_gates"}
    assert sbir.may_remove_exceptions is True
    moonshot = eligibility_options(MOONSHOT)
    assert "university" in moonshot.org_kinds
    assert "startup" in moonshot.org_kinds
    assert moonshot.phases == ()
    assert moonshot.limits == {"max_duration_years": 10, "max_years_since_founding": None}
    assert moonshot.may_remove_exceptions is False


def test_the_programs_own_values_are_accepted():
    assert check_eligibility_choices(SBIR, choices_from_eligibility(SBIR, {})) == {}
    assert check_eligibility_choices(MOONSHOT, choices_from_eligibility(MOONSHOT, {})) == {}


@pytest.mark.parametrize(
    ("rules", "chosen", "field"),
    [
        (SBIR, {"eligible_org_kinds": ["startup", "university"]}, "eligible_org_kinds"),
        (SBIR, {"eligible_org_kinds": []}, "eligible_org_kinds"),
        (SBIR, {"phases": ["phase4"]}, "phases"),
        (SBIR, {"phases": []}, "phases"),
        (MOONSHOT, {"max_duration_years": 11}, "max_duration_years"),
        (MOONSHOT, {"max_duration_years": 0}, "max_duration_years"),
        (SBIR, {"max_years_since_founding": 20}, "max_years_since_founding"),
        (SBIR, {"sme_required": False}, "sme_required"),
        (SBIR, {"stage_gates": False}, "stage_gates"),
        (MOONSHOT, {"founding_limit_in_principle": True}, "founding_limit_in_principle"),
    ],
)
def test_a_looser_value_is_an_error_on_its_field(rules, chosen, field):
    errors = check_eligibility_choices(rules, chosen)
    assert list(errors) == [field]
    assert errors[field]


@pytest.mark.parametrize(
    ("rules", "chosen", "stored"),
    [
        (SBIR, {"eligible_org_kinds": ["startup"]}, {"eligible_org_kinds": ["startup"]}),
        (SBIR, {"phases": ["phase1"]}, {"phases": ["phase1"]}),
        (MOONSHOT, {"max_duration_years": 5}, {"max_duration_years": 5}),
        (MOONSHOT, {"max_years_since_founding": 10}, {"max_years_since_founding": 10}),
        (MOONSHOT, {"sme_required": True}, {"sme_required": True}),
        (MOONSHOT, {"matching_funds_required": True}, {"matching_funds_required": True}),
        (MOONSHOT, {"exit_strategy_required": True}, {"exit_strategy_required": True}),
        (SBIR, {"founding_limit_in_principle": False}, {"founding_limit_in_principle": False}),
    ],
)
def test_each_tightening_is_accepted_and_stored_as_the_narrowing_only(rules, chosen, stored):
    full = choices_from_eligibility(rules, {}) | chosen
    assert check_eligibility_choices(rules, full) == {}
    assert eligibility_from_choices(rules, full) == stored
    # Read back, the form shows what was chosen.
    assert choices_from_eligibility(rules, stored) | chosen == choices_from_eligibility(
        rules, stored
    )


def test_the_programs_own_values_store_no_narrowing():
    assert eligibility_from_choices(SBIR, choices_from_eligibility(SBIR, {})) == {}


CLOSES = tokyo_datetime(2026, 6, 30, 12, 0)
NOW = tokyo_datetime(2026, 6, 1, 9, 0)


def test_a_draft_may_change_anything():
    changed = {"title_ja": "新", "closes_at": CLOSES - timedelta(days=9)}
    assert check_call_change("draft", changed, closes_at=CLOSES, now=NOW).allowed


def test_an_open_call_may_have_its_closing_time_extended_to_the_second():
    later = CLOSES + timedelta(seconds=1)
    assert check_call_change("open", {"closes_at": later}, closes_at=CLOSES, now=NOW).allowed
    same = check_call_change("open", {"closes_at": CLOSES}, closes_at=CLOSES, now=NOW)
    assert same.allowed


def test_an_open_calls_closing_time_cannot_be_brought_forward():
    earlier = CLOSES - timedelta(seconds=1)
    decision = check_call_change("open", {"closes_at": earlier}, closes_at=CLOSES, now=NOW)
    assert decision.codes() == ["call.closing_time_shortened"]


def test_an_open_calls_other_terms_are_fixed():
    decision = check_call_change("open", {"cap_per_proposal_yen": 1}, closes_at=CLOSES, now=NOW)
    assert decision.codes() == ["call.open_terms_fixed"]


def test_an_extension_must_still_lie_in_the_future():
    past_deadline = NOW - timedelta(days=2)
    decision = check_call_change(
        "open", {"closes_at": NOW - timedelta(days=1)}, closes_at=past_deadline, now=NOW
    )
    assert decision.codes() == ["call.closing_time_in_past"]


def test_a_closed_call_never_changes():
    later = CLOSES + timedelta(days=1)
    decision = check_call_change("closed", {"closes_at": later}, closes_at=CLOSES, now=NOW)
    assert decision.codes() == ["call.not_editable"]
