"""The proposal lifecycle table and its guards: pure, no database."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from openrd.core.fiscal import TOKYO
from openrd.proposals.models import ProposalStatus as S
from openrd.proposals.rules import (
    PROPOSAL_TRANSITIONS,
    CallWindow,
    ProposalFacts,
    check_editable,
    check_proposal_transition,
)
from openrd.proposals.tests.test_rules import VALID

CLOSES = datetime(2026, 12, 1, 12, 0, 0, tzinfo=TOKYO)
WINDOW = CallWindow("open", CLOSES - timedelta(days=30), CLOSES, "sbir-2026-1")
FACTS = ProposalFacts(status=S.DRAFT, now=CLOSES - timedelta(hours=1), window=WINDOW)


def codes(decision):
    return decision.codes()


def test_nothing_leaves_withdrawn_and_withdrawn_is_reachable_from_every_other_state():
    assert PROPOSAL_TRANSITIONS[S.WITHDRAWN] == frozenset()
    assert all(S.WITHDRAWN in PROPOSAL_TRANSITIONS[s] for s in S if s != S.WITHDRAWN)


@pytest.mark.parametrize("target", [S.ENDORSED, S.RETURNED, S.SUBMITTED])
def test_a_withdrawn_proposal_cannot_be_endorsed_returned_or_submitted(target):
    facts = replace(FACTS, status=S.WITHDRAWN, has_pending_version=True, submission=VALID)
    decision = check_proposal_transition(facts, target)
    assert codes(decision) == ["proposal.transition_not_allowed"]
    assert "取り下げ" in decision.reasons[0].message or "withdrawn" in decision.reasons[0].message


def test_endorsing_needs_a_version_awaiting_endorsement():
    facts = replace(FACTS, status=S.SUBMITTED)
    assert codes(check_proposal_transition(facts, S.ENDORSED)) == ["proposal.no_pending_version"]
    ok = replace(facts, has_pending_version=True)
    assert codes(check_proposal_transition(ok, S.ENDORSED)) == []


def test_entering_submitted_asks_every_submission_rule():
    facts = replace(FACTS, submission=replace(VALID, has_title=False, effort_percent=None))
    assert codes(check_proposal_transition(facts, S.SUBMITTED)) == [
        "proposal.title_missing",
        "effort.out_of_range",
    ]


def test_only_drafts_and_returned_proposals_are_editable():
    for status in S:
        decision = check_editable(replace(FACTS, status=status))
        assert decision.allowed == (status in {S.DRAFT, S.RETURNED}), status


@pytest.mark.parametrize(
    ("offset", "allowed"),
    [(timedelta(0), True), (timedelta(milliseconds=500), True), (timedelta(seconds=1), False)],
)
def test_editing_and_withdrawing_share_the_window_to_the_second(offset, allowed):
    facts = replace(FACTS, now=CLOSES + offset, status=S.SUBMITTED)
    assert check_proposal_transition(facts, S.WITHDRAWN).allowed is allowed
    assert check_editable(replace(facts, status=S.DRAFT)).allowed is allowed


def test_a_call_that_is_not_open_refuses_edits_even_inside_its_dates():
    closed = replace(FACTS, window=replace(WINDOW, status="closed"))
    assert codes(check_editable(closed)) == ["call.not_open"]
