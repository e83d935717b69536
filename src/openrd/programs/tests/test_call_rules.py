"""Call rules as data: pure tests, no database."""

from datetime import datetime, timedelta

import pytest
from django.utils import translation

from openrd.core.fiscal import tokyo_datetime
from openrd.programs.rules import (
    CALL_RULE_KEYS,
    CALL_TRANSITIONS,
    TighteningError,
    call_phase,
    call_rules,
    check_call_editable,
    check_call_transition,
    check_call_window,
    describe_rules,
    program_rules,
    rules_as_dict,
)
from openrd.programs.rules.program import SETTING_KEYS

SBIR = program_rules(
    {
        "eligible_org_kinds": ["startup", "company"],
        "sme_required": True,
        "max_years_since_founding": 15,
        "founding_limit_in_principle": True,
        "phases": ["phase1", "phase2", "phase3"],
        "sources": {"max_years_since_founding": {"seed_line": 1179, "seed_text": "15年以内"}},
    }
)
MOONSHOT = program_rules({"max_duration_years": 10, "stage_gates": True})
OPEN = {"opens_at": tokyo_datetime(2023, 9, 1, 10), "closes_at": tokyo_datetime(2023, 10, 25, 12)}


# ---------------------------------------------------------------- tightening


def test_a_call_narrows_organisation_kinds_and_founding_limit():
    rules = call_rules(SBIR, {"eligible_org_kinds": ["startup"], "max_years_since_founding": 10})
    assert rules.eligible_org_kinds == ("startup",)
    assert rules.max_years_since_founding == 10
    # Untouched rules are the program's own.
    assert rules.sme_required is True
    assert rules.phases == ("phase1", "phase2", "phase3")


def test_the_same_limit_as_the_program_is_allowed_one_more_is_not():
    assert call_rules(SBIR, {"max_years_since_founding": 15}).max_years_since_founding == 15
    with pytest.raises(TighteningError, match="max_years_since_founding") as exc:
        call_rules(SBIR, {"max_years_since_founding": 16})
    assert exc.value.key == "max_years_since_founding"


def test_duration_can_only_be_lowered():
    assert call_rules(MOONSHOT, {"max_duration_years": 10}).max_duration_years == 10
    assert call_rules(MOONSHOT, {"max_duration_years": 1}).max_duration_years == 1
    with pytest.raises(ValueError, match="max_duration_years"):
        call_rules(MOONSHOT, {"max_duration_years": 11})


@pytest.mark.parametrize("value", [0, -1, True, 2.5, "5", None])
def test_a_limit_must_be_a_whole_number_of_at_least_one(value):
    with pytest.raises(TighteningError) as exc:
        call_rules(MOONSHOT, {"max_duration_years": value})
    assert exc.value.key == "max_duration_years"


def test_a_program_without_a_limit_accepts_any_limit_from_a_call():
    assert call_rules(program_rules({}), {"max_duration_years": 50}).max_duration_years == 50


def test_organisation_kinds_must_stay_within_the_programs_list():
    with pytest.raises(TighteningError, match="eligible_org_kinds") as exc:
        call_rules(SBIR, {"eligible_org_kinds": ["startup", "university"]})
    assert exc.value.key == "eligible_org_kinds"


def test_any_known_kind_narrows_a_program_open_to_everyone():
    rules = call_rules(program_rules({}), {"eligible_org_kinds": ["university"]})
    assert rules.eligible_org_kinds == ("university",)
    with pytest.raises(TighteningError, match="eligible_org_kinds"):
        call_rules(program_rules({}), {"eligible_org_kinds": ["guild"]})


@pytest.mark.parametrize("value", [[], ["startup", "startup"], "startup", [1]])
def test_an_empty_repeated_or_malformed_kind_list_is_refused(value):
    # An empty list would read as "nobody" but mean "anyone".
    with pytest.raises(TighteningError, match="eligible_org_kinds"):
        call_rules(SBIR, {"eligible_org_kinds": value})


def test_sme_requirement_can_be_switched_on_but_not_off():
    assert call_rules(MOONSHOT, {"sme_required": True}).sme_required is True
    assert call_rules(SBIR, {"sme_required": True}).sme_required is True
    assert call_rules(MOONSHOT, {"sme_required": False}).sme_required is False
    with pytest.raises(TighteningError, match="sme_required"):
        call_rules(SBIR, {"sme_required": False})


def test_other_requirements_can_only_be_switched_on():
    with pytest.raises(TighteningError, match="stage_gates"):
        call_rules(MOONSHOT, {"stage_gates": False})
    rules = call_rules(MOONSHOT, {"matching_funds_required": True, "exit_strategy_required": True})
    assert (rules.matching_funds_required, rules.exit_strategy_required) == (True, True)


def test_a_founding_limit_in_principle_can_be_made_strict_not_the_reverse():
    assert (
        call_rules(SBIR, {"founding_limit_in_principle": False}).founding_limit_in_principle
        is False
    )
    strict = program_rules({"max_years_since_founding": 15})
    with pytest.raises(TighteningError, match="founding_limit_in_principle"):
        call_rules(strict, {"founding_limit_in_principle": True})


def test_a_call_can_choose_among_the_programs_phases_only():
    assert call_rules(SBIR, {"phases": ["phase1"]}).phases == ("phase1",)
    with pytest.raises(TighteningError, match="phases"):
        call_rules(SBIR, {"phases": ["phase4"]})
    with pytest.raises(TighteningError, match="phases"):
        call_rules(MOONSHOT, {"phases": ["phase1"]})


@pytest.mark.parametrize("key", ["sources", "max_duration", "budget"])
def test_keys_a_call_cannot_set_are_refused_by_name(key):
    with pytest.raises(TighteningError, match=key) as exc:
        call_rules(SBIR, {key: 1})
    assert exc.value.key == key


def test_every_rule_but_the_citations_can_be_set_by_a_call():
    assert "sources" not in CALL_RULE_KEYS
    assert {"eligible_org_kinds", "max_years_since_founding", "sme_required"} <= CALL_RULE_KEYS


@pytest.mark.parametrize("key", sorted(SETTING_KEYS))
def test_a_call_cannot_change_the_programs_operating_settings(key):
    assert key not in CALL_RULE_KEYS
    with pytest.raises(TighteningError, match=key):
        call_rules(MOONSHOT, {key: 1})


def test_a_call_keeps_the_programs_operating_settings():
    moonshot = program_rules({"stage_gates": True, "stage_gate_years": [3, 5]})
    assert call_rules(moonshot, {"max_duration_years": 5}).stage_gate_years == (3, 5)


def test_the_eligibility_must_be_an_object():
    with pytest.raises(TighteningError):
        call_rules(SBIR, ["startup"])  # type: ignore[arg-type]


def test_tightening_messages_are_in_the_active_language():
    with translation.override("ja"), pytest.raises(TighteningError) as ja:
        call_rules(SBIR, {"max_years_since_founding": 16})
    with translation.override("en"), pytest.raises(TighteningError) as en:
        call_rules(SBIR, {"max_years_since_founding": 16})
    assert en.value.message == (
        "max_years_since_founding: a call can only lower this limit; the program allows at most 15."
    )
    assert ja.value.message.startswith("max_years_since_founding：")
    assert "15" in ja.value.message


def test_rules_the_call_sets_cite_the_call_guidelines_others_the_seed():
    rules = call_rules(SBIR, {"max_years_since_founding": 10}, call_code="sbir-2023-meti-01")
    with translation.override("ja"):
        lines = dict((text, source) for text, source in describe_rules(rules))
        founding = next(t for t in lines if "10年" in t)
        kinds = next(t for t in lines if t.startswith("応募できる機関"))
        assert lines[founding] == "公募要領（sbir-2023-meti-01）"
        assert lines[kinds].startswith("「統合イノベーション戦略2023」")


def test_effective_rules_as_a_plain_dict():
    rules = call_rules(SBIR, {"eligible_org_kinds": ["startup"]})
    out = rules_as_dict(rules)
    assert out["eligible_org_kinds"] == ["startup"]
    assert out["max_years_since_founding"] == 15
    assert "sources" not in out
    assert set(out) == CALL_RULE_KEYS | SETTING_KEYS


# ---------------------------------------------------------------- the window


def test_the_deadline_second_itself_is_in_time_to_the_last_microsecond():
    deadline = OPEN["closes_at"]
    assert check_call_window(**OPEN, now=deadline).allowed is True
    assert check_call_window(**OPEN, now=deadline + timedelta(microseconds=999_999)).allowed
    assert check_call_window(**OPEN, now=deadline + timedelta(seconds=1)).codes() == [
        "call.not_open"
    ]


def test_the_opening_second_is_in_the_window_the_one_before_is_not():
    opening = OPEN["opens_at"]
    assert check_call_window(**OPEN, now=opening).allowed is True
    assert check_call_window(**OPEN, now=opening - timedelta(microseconds=1)).codes() == [
        "call.not_open"
    ]


def test_the_window_is_the_same_instant_in_any_time_zone():
    utc_deadline = datetime.fromisoformat("2023-10-25T03:00:00+00:00")  # 12:00 in Tokyo
    assert check_call_window(**OPEN, now=utc_deadline).allowed is True
    assert check_call_window(**OPEN, now=utc_deadline + timedelta(seconds=1)).allowed is False


def test_a_closed_window_says_when_it_closed_in_japan_time():
    late = OPEN["closes_at"] + timedelta(seconds=1)
    with translation.override("ja"):
        reason = check_call_window(**OPEN, now=late, call_code="sbir-2023-meti-01").reasons[0]
    assert "令和5年10月25日 12:00（日本時間）" in reason.message
    assert reason.source == "公募要領（sbir-2023-meti-01）"
    with translation.override("en"):
        reason = check_call_window(**OPEN, now=late).reasons[0]
    assert reason.message == "This call closed on 25 October 2023 12:00 JST."
    assert reason.source == "Call guidelines"


def test_an_early_visit_says_when_the_call_opens():
    with translation.override("en"):
        reason = check_call_window(**OPEN, now=tokyo_datetime(2023, 8, 31)).reasons[0]
    assert reason.message == "This call opens on 1 September 2023 10:00 JST."


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="naive"):
        check_call_window(**OPEN, now=datetime(2023, 10, 1, 12))


def test_phase_follows_the_same_window():
    deadline = OPEN["closes_at"]
    assert call_phase("open", **OPEN, now=deadline + timedelta(microseconds=999_999)) == "open"
    assert call_phase("open", **OPEN, now=deadline + timedelta(seconds=1)) == "closed"
    assert call_phase("open", **OPEN, now=OPEN["opens_at"] - timedelta(seconds=1)) == "upcoming"
    assert call_phase("draft", **OPEN, now=deadline) == "draft"
    assert call_phase("closed", **OPEN, now=deadline) == "closed"


# ---------------------------------------------------------------- transitions


def test_the_transition_table_only_moves_forward():
    assert {
        "draft": frozenset({"open"}),
        "open": frozenset({"closed"}),
        "closed": frozenset(),
    } == CALL_TRANSITIONS


@pytest.mark.parametrize(
    ("status", "target", "allowed"),
    [
        ("draft", "open", True),
        ("open", "closed", True),
        ("draft", "closed", False),
        ("open", "open", False),
        ("closed", "open", False),
        ("closed", "closed", False),
        ("open", "draft", False),
    ],
)
def test_transitions(status, target, allowed):
    decision = check_call_transition(
        status, target, closes_at=OPEN["closes_at"], now=OPEN["opens_at"]
    )
    assert decision.allowed is allowed
    if not allowed:
        assert decision.codes() == ["call.transition_not_allowed"]


def test_a_closed_call_cannot_be_opened_and_says_so():
    with translation.override("en"):
        decision = check_call_transition(
            "closed", "open", closes_at=OPEN["closes_at"], now=OPEN["opens_at"]
        )
    assert decision.reasons[0].message == "Only a draft call can be opened; this one is closed."


def test_a_draft_whose_closing_time_has_passed_cannot_be_opened():
    deadline = OPEN["closes_at"]
    late = check_call_transition("draft", "open", closes_at=deadline, now=deadline)
    assert late.codes() == ["call.closing_time_passed"]
    in_time = deadline - timedelta(seconds=1)
    assert check_call_transition("draft", "open", closes_at=deadline, now=in_time).allowed


def test_an_open_call_can_be_closed_before_its_deadline():
    early = check_call_transition(
        "open", "closed", closes_at=OPEN["closes_at"], now=OPEN["opens_at"]
    )
    assert early.allowed is True


def test_only_a_draft_can_be_edited():
    assert check_call_editable("draft").allowed is True
    assert check_call_editable("open").codes() == ["call.not_editable"]
    assert check_call_editable("closed").codes() == ["call.not_editable"]


def test_a_program_may_say_whether_the_open_access_mandate_covers_it():
    assert program_rules({}).oa_mandate is None  # the policy's list decides
    assert program_rules({"oa_mandate": True}).oa_mandate is True
    assert program_rules({"oa_mandate": False}).oa_mandate is False
    with pytest.raises(ValueError, match="oa_mandate"):
        program_rules({"oa_mandate": "false"})  # a string would read as true
