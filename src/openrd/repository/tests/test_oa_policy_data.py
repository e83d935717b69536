"""The policy file: its shape (pure) and its agreement with the seed."""

from datetime import date

import pytest
from django.utils import translation

from openrd.repository.rules.policy import (
    REQUIRED_CLAUSES,
    PolicyError,
    covered,
    exception_choices,
    oa_policy,
    parse_policy,
)

POLICY = oa_policy()

MINIMAL = """
[policy]
name_ja = "方針"
name_en = "Policy"
decided_on = 2024-02-16
revised_on = 2024-10-08
first_fiscal_year = 2025
deposit_grace_days = 30
grace_setting_ja = "日数"
grace_setting_en = "days"

[[exception_reasons]]
code = "other"
label_en = "Other"
label_ja = "その他"
""" + "".join(
    f'\n[[clauses]]\ncode = "{code}"\nsource = "出典"\n' for code in sorted(REQUIRED_CLAUSES)
)


def test_the_policy_head_is_the_national_policy_of_2024():
    assert (POLICY.decided_on, POLICY.revised_on) == (date(2024, 2, 16), date(2024, 10, 8))
    assert POLICY.first_fiscal_year == 2025
    assert POLICY.name_ja == "学術論文等の即時オープンアクセスの実現に向けた基本方針"


def test_the_policy_cites_the_three_seed_lines_of_the_mandate():
    assert {c.seed_line for c in POLICY.clauses} >= {980, 983, 989}


def test_every_excerpt_is_on_the_seed_line_it_cites(seed_lines):
    cited = [c for c in POLICY.clauses if c.seed_line is not None]
    wrong = [c.code for c in cited if c.seed_text not in seed_lines[c.seed_line - 1]]
    assert wrong == []


def test_every_clause_cites_a_source_and_the_required_ones_exist():
    assert {c.code for c in POLICY.clauses} >= REQUIRED_CLAUSES
    assert all(c.source for c in POLICY.clauses)


def test_the_grace_days_cite_themselves_as_an_operating_setting():
    with translation.override("en"):
        assert POLICY.cite_grace_days().startswith("Operating setting of OpenRD")


def test_the_covered_programs_include_the_presets_whose_outputs_are_papers():
    assert {"moonshot", "k_program", "kakenhi", "jst-strategic"} <= POLICY.covered_program_codes
    assert covered("moonshot", {})
    assert not covered("sip", {})


def test_exception_choices_follow_the_language_at_render_time():
    choices = dict(exception_choices())
    with translation.override("en"):
        assert str(choices["apc_unaffordable"]) == (
            "The article processing charge (APC) cannot be paid"
        )
    with translation.override("ja"):
        assert str(choices["apc_unaffordable"]) == "掲載公開料（APC）を負担できない"


def test_a_minimal_policy_parses():
    policy = parse_policy(MINIMAL)
    assert (policy.deposit_grace_days, [r.code for r in policy.exception_reasons]) == (
        30,
        ["other"],
    )


def test_an_unknown_key_is_refused_with_its_name():
    with pytest.raises(PolicyError, match="grace_dayz"):
        parse_policy(
            MINIMAL.replace("deposit_grace_days = 30", "deposit_grace_days = 30\ngrace_dayz = 1")
        )


def test_a_missing_clause_is_refused_by_code():
    text = MINIMAL.replace('code = "no_embargo"', 'code = "elsewhere"')
    with pytest.raises(PolicyError, match="no_embargo"):
        parse_policy(text)


def test_an_excerpt_without_its_seed_line_is_refused():
    text = MINIMAL + '\n[[clauses]]\ncode = "x"\nsource = "s"\nseed_text = "t"\n'
    with pytest.raises(PolicyError, match="seed_text without seed_line"):
        parse_policy(text)


def test_a_negative_grace_period_is_refused():
    with pytest.raises(PolicyError, match="negative"):
        parse_policy(MINIMAL.replace("deposit_grace_days = 30", "deposit_grace_days = -1"))


def test_a_reason_listed_twice_is_refused():
    twice = MINIMAL + '\n[[exception_reasons]]\ncode = "other"\nlabel_en = "O"\nlabel_ja = "他"\n'
    with pytest.raises(PolicyError, match="twice"):
        parse_policy(twice)
