"""Program rules as data: pure tests, no database."""

from datetime import date

import pytest
from django.utils import translation

from openrd.programs.rules import (
    RULE_KEYS,
    ApplicantFacts,
    RuleSource,
    add_years,
    check_applicant,
    check_duration,
    describe_rules,
    program_rules,
)
from openrd.programs.rules.program import SETTING_KEYS, OperatingSetting

SBIR = program_rules(
    {
        "eligible_org_kinds": ["company", "startup"],
        "sme_required": True,
        "max_years_since_founding": 15,
        "founding_limit_in_principle": True,
        "sources": {"max_years_since_founding": {"seed_line": 1160, "seed_text": "15年以内"}},
    }
)
STARTUP = ApplicantFacts(org_kind="startup", is_sme=True, founded_on=date(2008, 10, 1))


def test_founded_exactly_15_years_before_the_call_opens_is_eligible():
    assert check_applicant(SBIR, STARTUP, on=date(2023, 10, 1)).allowed is True


def test_founded_15_years_and_one_day_before_the_call_opens_is_not_eligible():
    decision = check_applicant(SBIR, STARTUP, on=date(2023, 10, 2))
    assert decision.codes() == ["sbir.founded_over_15_years"]
    with translation.override("ja"):
        source = check_applicant(SBIR, STARTUP, on=date(2023, 10, 2)).reasons[0].source
    assert (
        source
        == "「統合イノベーション戦略2023」について（内閣府、令和5年9月14日）1160行目「15年以内」"
    )


def test_leap_day_founding_reaches_15_years_on_28_february():
    leap = ApplicantFacts(org_kind="startup", is_sme=True, founded_on=date(2008, 2, 29))
    assert add_years(date(2008, 2, 29), 15) == date(2023, 2, 28)
    assert check_applicant(SBIR, leap, on=date(2023, 2, 28)).allowed is True
    assert check_applicant(SBIR, leap, on=date(2023, 3, 1)).allowed is False


def test_every_failing_applicant_rule_is_reported_at_once():
    university = ApplicantFacts(org_kind="university", is_sme=None, founded_on=None)
    decision = check_applicant(SBIR, university, on=date(2023, 10, 1))
    assert decision.codes() == [
        "program.org_kind_not_eligible",
        "sbir.not_sme",
        "sbir.founding_date_missing",
    ]


def test_reasons_are_in_the_active_language():
    big = ApplicantFacts(org_kind="company", is_sme=False, founded_on=date(1950, 1, 1))
    with translation.override("ja"):
        ja = check_applicant(SBIR, big, on=date(2023, 10, 1))
    with translation.override("en"):
        en = check_applicant(SBIR, big, on=date(2023, 10, 1))
    assert ja.codes() == en.codes() == ["sbir.not_sme", "sbir.founded_over_15_years"]
    assert en.reasons[0].message == "Only small and medium-sized enterprises can apply."
    assert ja.reasons[0].message == "中小企業等に限り応募できます。"


def test_program_without_applicant_rules_allows_anyone():
    anyone = ApplicantFacts(org_kind="municipality")
    assert check_applicant(program_rules({}), anyone, on=date(2023, 4, 1)).allowed is True


def test_support_beyond_the_maximum_duration_is_refused():
    moonshot = program_rules({"max_duration_years": 10})
    assert check_duration(moonshot, 10).allowed is True
    assert check_duration(moonshot, 11).codes() == ["program.duration_too_long"]


def test_unknown_rule_key_is_an_error_not_ignored():
    with pytest.raises(ValueError, match="max_duration"):
        program_rules({"max_duration": 10})


def test_rules_in_plain_words_in_japanese():
    with translation.override("ja"):
        texts = [text for text, _ in describe_rules(SBIR)]
    assert texts[0] == "応募できる機関：企業、スタートアップ。"


def test_rules_in_plain_words_cite_their_source():
    with translation.override("en"):
        lines = describe_rules(SBIR)
    texts = [text for text, _ in lines]
    assert texts[0] == "Who can apply: Company, Startup."
    assert "Applicants must be small and medium-sized enterprises." in texts
    assert (
        "Applicants must have been founded within 15 years. "
        "(In principle; exceptions are set per call.)"
    ) in texts
    assert dict(lines)[texts[-1]].endswith(", line 1160: “15年以内”")


# ---------------------------------------------------------------- operating settings (ADR 0025)

GATES_NOTE = {"setting_ja": "3年目と5年目の終わりに置く。", "setting_en": "End of years 3 and 5."}
SETTINGS = program_rules(
    {
        "stage_gates": True,
        "stage_gate_years": [3, 5],
        "stage_gate_at_end": True,
        "matching_funds_ratio": 0.5,
        "conflict_years": 5,
        "sources": {
            "stage_gates": {"seed_line": 847, "seed_text": "ステージゲート"},
            "stage_gate_years": GATES_NOTE,
            "stage_gate_at_end": {"setting_ja": "終了時に置く。", "setting_en": "At the end."},
            "matching_funds_ratio": {"setting_ja": "公的予算の5割。"},
            "conflict_years": {"setting_ja": "過去5年。", "setting_en": "Five years."},
        },
    }
)


def test_operating_settings_are_read_into_the_rules():
    assert SETTINGS.stage_gate_years == (3, 5)
    assert SETTINGS.stage_gate_at_end is True
    assert SETTINGS.matching_funds_ratio == 0.5
    assert SETTINGS.conflict_years == 5
    assert isinstance(SETTINGS.sources["stage_gate_years"], OperatingSetting)
    assert isinstance(SETTINGS.sources["stage_gates"], RuleSource)


def test_without_settings_conflicts_reach_back_3_years_and_nothing_is_scheduled():
    rules = program_rules({})
    assert (rules.conflict_years, rules.stage_gate_years) == (3, ())
    assert (rules.stage_gate_at_end, rules.matching_funds_ratio) == (False, None)
    assert set(RULE_KEYS) & SETTING_KEYS == set()


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"conflict_years": "3"}, "conflict_years"),
        ({"conflict_years": True}, "conflict_years"),
        ({"conflict_years": -1}, "conflict_years"),
        ({"stage_gates": True, "stage_gate_years": [5, 3]}, "stage_gate_years"),
        ({"stage_gates": True, "stage_gate_years": [0]}, "stage_gate_years"),
        ({"stage_gates": True, "stage_gate_years": 3}, "stage_gate_years"),
        ({"stage_gates": True, "stage_gate_at_end": "yes"}, "stage_gate_at_end"),
        ({"stage_gate_years": [3]}, "stage_gates"),
        ({"matching_funds_ratio": 0}, "matching_funds_ratio"),
        ({"matching_funds_ratio": "half"}, "matching_funds_ratio"),
        ({"sources": {"conflict_years": {"setting": "x"}}}, "conflict_years"),
        ({"sources": {"conflict_yeers": {"setting_ja": "x"}}}, "conflict_yeers"),
        ({"conflict_yeers": 3}, "conflict_yeers"),
    ],
)
def test_a_bad_operating_setting_is_an_error_naming_it(data, match):
    with pytest.raises(ValueError, match=match):
        program_rules(data)


def test_a_setting_cites_itself_as_a_setting_not_the_seed_in_the_readers_language():
    with translation.override("en"):
        en = SETTINGS.cite("stage_gate_years")
    with translation.override("ja"):
        ja = SETTINGS.cite("stage_gate_years")
        ja_only = SETTINGS.cite("matching_funds_ratio")
    assert en == (
        "Operating setting of this program in OpenRD, not stated in the Cabinet Office "
        "briefing the program's facts cite: End of years 3 and 5."
    )
    assert ja.endswith("3年目と5年目の終わりに置く。")
    assert "End of years" not in ja
    assert ja_only.endswith("公的予算の5割。")
    with translation.override("en"):
        assert SETTINGS.cite("matching_funds_ratio").endswith(": 公的予算の5割。")


def test_settings_in_plain_words_with_their_setting_citation():
    with translation.override("en"):
        lines = dict(describe_rules(SETTINGS))
    gates = "Stage gates fall at the end of project years 3, 5."
    ratio = (
        "Each fiscal year, industry provides matching funds of at least 50% of the public budget."
    )
    at_end = "A phase gate falls at the end of each award."
    conflict = (
        "A reviewer is in conflict with an institution they belong to or belonged to within the "
        "last 5 years."
    )
    assert {gates, ratio, at_end, conflict} <= set(lines)
    assert lines[gates].endswith("End of years 3 and 5.")
    assert lines[conflict].startswith("Operating setting of this program in OpenRD")
    with translation.override("ja"):
        texts = [text for text, _ in describe_rules(SETTINGS)]
    assert any("3、5" in text for text in texts)


def test_the_default_conflict_period_is_not_described_as_the_programs_own():
    texts = [text for text, _ in describe_rules(program_rules({}))]
    assert texts == []
