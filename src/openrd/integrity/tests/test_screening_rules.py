"""Screening rules from plain values: at a threshold is not over it, just over is."""

from django.utils import translation

from openrd.integrity.rules.screening import (
    SAME_THEME_SIMILARITY,
    Concentration,
    FundingLine,
    Limits,
    breakdown,
    check_concentration,
    is_near_duplicate,
    is_same_theme,
)

LIMITS = Limits(max_yen_per_fiscal_year=10_000_000, max_effort_percent=80)


def facts(award_yen: int, this_yen: int, award_effort: int = 40, this_effort: int = 20):
    award = FundingLine("既存課題", "award", {2026: award_yen, 2027: award_yen}, award_effort)
    outside = FundingLine("民間財団", "outside", {2026: 1_000_000}, 10)
    this = FundingLine("本提案", "this", {2026: this_yen}, this_effort)
    return Concentration((award, outside), this)


def test_near_duplicate_from_the_threshold_on():
    assert is_near_duplicate(0.6, Limits())
    assert not is_near_duplicate(0.5999, Limits())
    assert is_near_duplicate(0.45, Limits(duplicate_similarity=0.45))


def test_same_theme_needs_the_same_person_and_the_lower_similarity():
    assert is_same_theme(SAME_THEME_SIMILARITY, same_person=True)
    assert not is_same_theme(SAME_THEME_SIMILARITY - 0.001, same_person=True)
    assert not is_same_theme(0.95, same_person=False)


def test_funding_at_the_limit_is_not_flagged_and_one_yen_over_is():
    at = facts(award_yen=5_000_000, this_yen=4_000_000)  # 5M + 1M outside + 4M = 10M
    assert at.yen_in(2026) == 10_000_000
    assert check_concentration(at, LIMITS).allowed
    over = facts(award_yen=5_000_000, this_yen=4_000_001)
    decision = check_concentration(over, LIMITS)
    assert decision.codes() == ["screening.over_yen"]
    with translation.override("en"):
        message = check_concentration(over, LIMITS).reasons[0].message
    assert "2026" in message
    assert "10,000,001" in message
    assert "10,000,000" in message


def test_only_the_proposals_own_years_are_judged():
    # 2027 has no funding from this proposal: a heavy 2027 elsewhere is not its concern.
    heavy_later = facts(award_yen=5_000_000, this_yen=1)
    heavy_later = Concentration(
        (*heavy_later.lines, FundingLine("x", "award", {2027: 99_000_000})), heavy_later.adding
    )
    assert heavy_later.years() == [2026]
    assert check_concentration(heavy_later, LIMITS).allowed


def test_effort_at_the_limit_is_not_flagged_and_one_percent_over_is():
    assert facts(1, 1, award_effort=50, this_effort=20).effort_percent == 80
    assert check_concentration(facts(1, 1, award_effort=50, this_effort=20), LIMITS).allowed
    decision = check_concentration(facts(1, 1, award_effort=50, this_effort=21), LIMITS)
    assert decision.codes() == ["screening.over_effort"]


def test_no_limit_set_checks_nothing():
    assert check_concentration(facts(10**12, 10**12, 100, 100), Limits()).allowed


def test_the_breakdown_names_every_line_and_the_totals():
    shown = breakdown(facts(award_yen=5_000_000, this_yen=4_000_001))
    assert [line["source"] for line in shown["lines"]] == ["award", "outside", "this"]
    assert shown["years"] == {"2026": 10_000_001}
    assert shown["effort_percent"] == 70
