"""The co-investigator rules: pure, no database."""

from dataclasses import replace

from django.utils import translation

from openrd.proposals.rules import MemberFacts, check_members, check_submission, share_errors
from openrd.proposals.rules.guidance import refusal_links
from openrd.proposals.tests.test_rules import VALID

BUDGET = {2026: 10_000_000, 2027: 8_000_000}


def co(name="分担 一郎", status="accepted", shares=()):
    return MemberFacts(name, "co_investigator", status, tuple(shares))


def codes(members, budget=BUDGET):
    return [code for code, _message in share_errors(budget, members)]


def test_answered_invitations_and_shares_within_the_budget_pass():
    members = [co(shares=[(2026, 4_000_000)]), co("分担 二郎", shares=[(2026, 6_000_000)])]
    assert check_members(BUDGET, members).allowed


def test_an_invitation_awaiting_an_answer_blocks_and_is_named():
    members = [co(), co("招待 花子", status="invited"), co("招待 太郎", status="invited")]
    with translation.override("en"):
        decision = check_members(BUDGET, members)
    assert decision.codes() == ["members.pending"]
    assert "招待 花子、招待 太郎" in decision.reasons[0].message
    assert "分担 一郎" not in decision.reasons[0].message


def test_declined_and_withdrawn_invitations_neither_block_nor_count_in_shares():
    members = [
        co(status="declined", shares=[(2026, 99_000_000)]),
        co(status="withdrawn", shares=[(2030, 1)]),
    ]
    assert check_members(BUDGET, members).allowed


def test_shares_of_a_year_may_reach_its_budget_but_not_one_yen_more():
    exact = [co(shares=[(2026, 6_000_000)]), co("b", shares=[(2026, 4_000_000)])]
    assert codes(exact) == []
    over = [co(shares=[(2026, 6_000_000)]), co("b", shares=[(2026, 4_000_001)])]
    assert codes(over) == ["members.shares_over_budget"]


def test_a_share_is_only_for_a_year_of_the_budget():
    assert codes([co(shares=[(2028, 1)])]) == ["members.share_outside_budget"]
    assert codes([co(shares=[(2028, 0)])]) == []


def test_a_collaborator_holds_no_share():
    helper = MemberFacts("協力 者", "collaborator", "accepted", ((2026, 1),))
    assert codes([helper]) == ["members.collaborator_share"]
    assert codes([replace(helper, shares=())]) == []


def test_pending_invitations_refuse_the_submission_with_the_other_reasons_and_a_link():
    facts = replace(
        VALID,
        members=(co("招待 花子", status="invited", shares=[(2023, 20_000_000)]),),
    )
    decision = check_submission(facts)
    assert decision.codes() == ["members.pending", "members.shares_over_budget"]
    links = refusal_links(decision, [2023, 2024])
    assert [link["href"] for link in links] == ["#id_co_investigators"] * 2
