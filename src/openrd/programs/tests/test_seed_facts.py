"""The facts of the Integrated Innovation Strategy 2023 briefing, as the presets
carry them (pure: the preset files only, no database)."""

from datetime import date

import pytest

from openrd.programs.preset_files import read_presets
from openrd.programs.rules import ApplicantFacts, check_applicant, program_rules

PRESETS = {spec.code: spec for spec in read_presets()}


def _elements(code, kind, parent=None):
    return [
        e for e in PRESETS[code].elements
        if e.kind == kind and (parent is None or e.parent == parent)
    ]  # fmt: skip


def _figures(code, kind=None):
    return {(f.fiscal_year, f.amount_yen) for f in PRESETS[code].figures
            if kind is None or f.kind == kind}  # fmt: skip


def test_moonshot_has_nine_goals_and_ten_years_of_support():
    assert [g.code for g in _elements("moonshot", "goal")] == [f"goal-{n}" for n in range(1, 10)]
    assert program_rules(PRESETS["moonshot"].rules).max_duration_years == 10


def test_moonshot_goal_6_targets_2030_and_2050():
    years = sorted(t.attrs["target_year"] for t in _elements("moonshot", "target", "goal-6"))
    assert years == [2030, 2050]


def test_moonshot_goal_6_projects_pm1_to_pm12_with_their_pms():
    projects = _elements("moonshot", "project", "goal-6")
    assert [p.code for p in projects] == [f"goal-6-pm{n}" for n in range(1, 13)]
    assert projects[0].attrs["pm_name_ja"] == "山本 剛"
    assert projects[0].attrs["organisation_ja"] == "日本電気"
    assert projects[11].attrs["pm_name_ja"] == "永山 翔太"


def test_moonshot_funds_fy2018_fy2019_fy2021():
    assert _figures("moonshot") == {
        (2018, 100_000_000_000),
        (2019, 15_000_000_000),
        (2021, 80_000_000_000),
    }


def test_sip_periods_years_and_theme_counts():
    periods = {p.code: p.attrs for p in _elements("sip", "period")}
    assert [(a["start_fiscal_year"], a["end_fiscal_year"], a["theme_count"])
            for a in periods.values()] == [(2014, 2018, 11), (2018, 2022, 12),
                                           (2023, 2027, 14)]  # fmt: skip


def test_sip_period_3_budget_fy2023_is_28_billion_yen():
    assert (2023, 28_000_000_000) in _figures("sip")


def test_sip_has_the_five_viewpoints_matching_funds_and_gates():
    assert len(_elements("sip", "viewpoint")) == 5
    rules = program_rules(PRESETS["sip"].rules)
    assert rules.matching_funds_required is True
    assert _elements("sip", "stage_gate")
    assert _elements("sip", "exit_strategy")


def test_k_program_funds_fy2021_and_fy2022_supplementary():
    assert _figures("k_program") == {(2021, 250_000_000_000), (2022, 250_000_000_000)}
    assert set(PRESETS["k_program"].agencies) == {"jst", "nedo"}


def test_k_program_visions_carry_technologies_as_topics():
    visions = [v.code for v in _elements("k_program", "vision")]
    assert len(visions) == 2
    assert len(_elements("k_program", "topic")) >= 40


def test_sbir_spending_targets_fy2022_and_fy2023():
    assert _figures("sbir", "spending_target") == {
        (2022, 54_600_000_000),
        (2023, 106_620_000_000),
    }


def test_sbir_has_three_phases_in_order():
    assert program_rules(PRESETS["sbir"].rules).phases == ("phase1", "phase2", "phase3")


@pytest.mark.parametrize(
    ("founded_on", "allowed"),
    [(date(2008, 10, 1), True), (date(2008, 9, 30), False)],
)
def test_sbir_sme_founded_within_15_years_on_the_call_day(founded_on, allowed):
    rules = program_rules(PRESETS["sbir"].rules)
    startup = ApplicantFacts(org_kind="startup", is_sme=True, founded_on=founded_on)
    assert check_applicant(rules, startup, on=date(2023, 10, 1)).allowed is allowed


def test_university_fund_is_10_trillion_yen_with_611_1_billion_investment():
    assert (2021, 10_000_000_000_000) in _figures("university_fund")
    assert (None, 611_100_000_000) in _figures("university_fund", "government_investment")


def test_regional_core_university_package_amounts():
    assert _figures("regional_university") == {(None, 44_200_000_000), (None, 72_000_000_000)}


def test_startup_accelerator_budgets():
    assert _figures("startup_accelerator") == {
        (2020, 150_000_000),
        (2020, 1_000_000_000),
        (2021, 1_500_000_000),
        (2022, 1_500_000_000),
    }
