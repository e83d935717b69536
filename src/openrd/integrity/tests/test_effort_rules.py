"""The 100 % limit on awarded effort, without a database: exactly 100 allowed, 101 refused."""

from django.utils import translation

from openrd.integrity.rules.effort import EffortFacts, EffortLine, check_awarded_effort

AWARD = EffortLine("量子センサの実証", 40, awarded=True, source="award", agency="NEDO")
OUTSIDE = EffortLine("民間財団の助成", 30, awarded=True, source="outside")
PENDING = EffortLine("応募中の課題", 50, awarded=False, source="proposal")


def facts(adding: int) -> EffortFacts:
    return EffortFacts((AWARD, OUTSIDE, PENDING), adding, "新しい提案")


def test_totals_count_awarded_lines_and_show_pending_ones_apart():
    f = facts(10)
    assert (f.awarded_percent, f.pending_percent, f.with_pending_percent) == (70, 50, 120)
    assert f.total_after == 80


def test_exactly_100_percent_awarded_is_allowed_whatever_is_pending():
    assert check_awarded_effort(facts(30)).allowed


def test_101_percent_is_refused_with_the_breakdown_naming_each_awarded_line():
    with translation.override("en"):
        decision = check_awarded_effort(facts(31))
    assert decision.codes() == ["effort.over_100"]
    message = decision.reasons[0].message
    assert "101%" in message
    assert "量子センサの実証 40%" in message
    assert "民間財団の助成 30%" in message
    assert "新しい提案 (this one) 31%" in message
    # A pending proposal does not count, so it is not part of the breakdown.
    assert "応募中の課題" not in message
    assert decision.reasons[0].source


def test_no_effort_given_is_left_to_the_proposals_own_rule():
    # check_effort already refuses a missing effort: this rule must not say it twice.
    assert check_awarded_effort(None).allowed


def test_an_empty_ledger_takes_up_to_100_percent():
    assert check_awarded_effort(EffortFacts((), 100)).allowed
    assert not check_awarded_effort(EffortFacts((), 101)).allowed
