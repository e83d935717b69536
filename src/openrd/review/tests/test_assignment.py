"""Reviewer assignment as a minimum-cost flow (pure: no database)."""

from __future__ import annotations

import itertools
import random

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from openrd.review.rules.assignment import (
    FIELD_WEIGHT,
    AssignmentProblem,
    InvalidProblem,
    Need,
    Reviewer,
    assign,
    match_score,
)

Q, B = frozenset({"quantum"}), frozenset({"biology"})


def need(key, needed=1, fields=Q, keywords=frozenset()):
    return Need(key, needed, frozenset(fields), frozenset(keywords))


def reviewer(key, capacity=1, fields=Q, keywords=frozenset()):
    return Reviewer(key, capacity, frozenset(fields), frozenset(keywords))


def test_the_match_weighs_a_shared_field_above_shared_keywords():
    n = need("p", fields={"quantum"}, keywords={"sensor", "noise"})
    assert match_score(n, reviewer("r", fields={"quantum"})) == FIELD_WEIGHT
    assert match_score(n, reviewer("r", fields=set(), keywords={"sensor", "noise"})) == 2
    assert match_score(n, reviewer("r", fields={"quantum"}, keywords={"noise"})) == 11


def test_each_proposal_gets_its_reviewers_and_no_reviewer_exceeds_the_load():
    problem = AssignmentProblem(
        needs=tuple(need(f"p{i}", needed=2) for i in range(4)),
        reviewers=tuple(reviewer(f"r{i}", capacity=2) for i in range(4)),
    )
    result = assign(problem)
    assert result.shortfalls == ()
    for i in range(4):
        assert len(result.reviewers_of(f"p{i}")) == 2
    assert all(result.load_of(f"r{i}") == 2 for i in range(4))


def test_a_conflicted_pair_is_never_assigned_even_when_it_is_the_best_match():
    problem = AssignmentProblem(
        needs=(need("p", keywords={"a", "b", "c"}),),
        reviewers=(reviewer("best", keywords={"a", "b", "c"}), reviewer("other")),
        conflicts=frozenset({("p", "best")}),
    )
    assert assign(problem).pairs == (("p", "other"),)


def test_the_better_match_is_chosen_and_the_total_is_optimal_not_greedy():
    # Greedy (p1 first takes its best, r1) would leave p2 with nobody who matches;
    # the flow gives p1 its second best so that both are reviewed.
    problem = AssignmentProblem(
        needs=(
            need("p1", fields=Q, keywords={"x"}),
            need("p2", fields=B, keywords={"x"}),
        ),
        reviewers=(
            reviewer("r1", fields=Q | B, keywords={"x"}),
            reviewer("r2", fields=Q),
        ),
    )
    result = assign(problem)
    assert result.pairs == (("p1", "r2"), ("p2", "r1"))
    assert result.shortfalls == ()


def test_the_same_input_in_another_order_gives_the_same_assignment():
    rng = random.Random(3)
    needs = [need(f"p{i}", needed=2, keywords={f"k{i % 3}"}) for i in range(12)]
    reviewers = [
        reviewer(f"r{i}", capacity=3, keywords={f"k{i % 3}", f"k{(i + 1) % 3}"}) for i in range(9)
    ]
    conflicts = frozenset({("p1", "r1"), ("p4", "r0"), ("p7", "r3")})
    first = assign(AssignmentProblem(tuple(needs), tuple(reviewers), conflicts=conflicts))
    for _ in range(5):
        rng.shuffle(needs)
        rng.shuffle(reviewers)
        again = assign(AssignmentProblem(tuple(needs), tuple(reviewers), conflicts=conflicts))
        assert again.pairs == first.pairs
        assert again.shortfalls == first.shortfalls


def test_unfillable_proposals_are_reported_with_the_reason():
    problem = AssignmentProblem(
        needs=(
            need("conflicted"),
            need("unmatched", fields=frozenset({"law"})),
            need("crowded", needed=3),
        ),
        reviewers=(reviewer("r1"), reviewer("r2")),
        conflicts=frozenset({("conflicted", "r1"), ("conflicted", "r2")}),
    )
    result = assign(problem)
    by_proposal = {s.proposal: s for s in result.shortfalls}
    assert by_proposal["conflicted"].code == "review.assignment.all_conflicted"
    assert by_proposal["conflicted"].conflicted == 2
    assert by_proposal["unmatched"].code == "review.assignment.no_expertise_match"
    assert by_proposal["crowded"].code == "review.assignment.reviewers_at_capacity"
    assert by_proposal["crowded"].missing == 1
    assert by_proposal["crowded"].eligible == 2
    # The slots that can be filled still are.
    assert result.reviewers_of("crowded") == ("r1", "r2")
    with translation.override("en"):
        assert by_proposal["crowded"].message.startswith("1 reviewer(s) missing")


def test_fixed_pairs_are_kept_and_count_against_need_and_load():
    problem = AssignmentProblem(
        needs=(need("p1", needed=2), need("p2", needed=1)),
        reviewers=(reviewer("r1", capacity=1), reviewer("r2", capacity=2)),
        fixed=frozenset({("p1", "r1")}),
    )
    result = assign(problem)
    assert result.pairs == (("p1", "r1"), ("p1", "r2"), ("p2", "r2"))


def test_declined_pairs_are_not_offered_again():
    problem = AssignmentProblem(
        needs=(need("p"),),
        reviewers=(reviewer("declined"), reviewer("other")),
        excluded=frozenset({("p", "declined")}),
    )
    assert assign(problem).pairs == (("p", "other"),)


@pytest.mark.parametrize(
    "problem",
    [
        AssignmentProblem(
            (need("p"),),
            (reviewer("r"),),
            conflicts=frozenset({("p", "r")}),
            fixed=frozenset({("p", "r")}),
        ),
        AssignmentProblem(
            (need("p"),), (reviewer("r", capacity=0),), fixed=frozenset({("p", "r")})
        ),
        AssignmentProblem((need("p"),), (reviewer("r"),), fixed=frozenset({("p", "nobody")})),
        AssignmentProblem((need("p"), need("p")), (reviewer("r"),)),
        AssignmentProblem((need("p", needed=-1),), (reviewer("r"),)),
    ],
    ids=[
        "fixed-and-conflicted",
        "fixed-over-capacity",
        "fixed-unknown",
        "duplicate-key",
        "negative",
    ],
)
def test_a_contradictory_problem_is_refused(problem):
    with pytest.raises(InvalidProblem):
        assign(problem)


def test_candidates_bound_the_reviewers_considered_per_proposal():
    problem = AssignmentProblem(
        needs=(need("p", needed=2, keywords={"a", "b"}),),
        reviewers=(
            reviewer("best", keywords={"a", "b"}),
            reviewer("good", keywords={"a"}),
            reviewer("plain"),
        ),
        candidates=1,
    )
    result = assign(problem)
    assert result.pairs == (("p", "best"),)
    assert result.shortfalls[0].missing == 1


# ------------------------------------------------------------ against brute force

FIELDS = ["quantum", "biology", "materials"]


@st.composite
def small_problems(draw):
    n_needs = draw(st.integers(1, 3))
    n_reviewers = draw(st.integers(1, 4))
    needs = tuple(
        Need(
            f"p{i}",
            draw(st.integers(0, 2)),
            frozenset(draw(st.sets(st.sampled_from(FIELDS), max_size=2))),
            frozenset(draw(st.sets(st.sampled_from("abc"), max_size=2))),
        )
        for i in range(n_needs)
    )
    reviewers = tuple(
        Reviewer(
            f"r{j}",
            draw(st.integers(0, 2)),
            frozenset(draw(st.sets(st.sampled_from(FIELDS), max_size=2))),
            frozenset(draw(st.sets(st.sampled_from("abc"), max_size=2))),
        )
        for j in range(n_reviewers)
    )
    pairs = [(n.key, r.key) for n in needs for r in reviewers]
    conflicts = frozenset(draw(st.sets(st.sampled_from(pairs), max_size=len(pairs))))
    return AssignmentProblem(needs, reviewers, conflicts=conflicts)


def brute_force(problem):
    """(most slots filled, best total match among those) over every assignment."""
    options = []
    for n in problem.needs:
        eligible = [
            r
            for r in problem.reviewers
            if (n.key, r.key) not in problem.conflicts and match_score(n, r) > 0
        ]
        options.append(
            [
                combo
                for size in range(min(n.needed, len(eligible)) + 1)
                for combo in itertools.combinations(eligible, size)
            ]
        )
    best = (-1, -1)
    for choice in itertools.product(*options):
        load = {}
        for combo in choice:
            for r in combo:
                load[r.key] = load.get(r.key, 0) + 1
        if any(load[r.key] > r.capacity for r in problem.reviewers if r.key in load):
            continue
        filled = sum(len(c) for c in choice)
        score = sum(
            match_score(n, r) for n, c in zip(problem.needs, choice, strict=True) for r in c
        )
        best = max(best, (filled, score))
    return best


@settings(max_examples=150, deadline=None, derandomize=True)
@given(small_problems())
def test_on_random_pools_the_flow_is_valid_and_as_good_as_trying_everything(problem):
    result = assign(problem)
    by_key = {r.key: r for r in problem.reviewers}
    needs = {n.key: n for n in problem.needs}
    for p, r in result.pairs:
        assert (p, r) not in problem.conflicts
        assert match_score(needs[p], by_key[r]) > 0
    for r in problem.reviewers:
        assert result.load_of(r.key) <= r.capacity
    for n in problem.needs:
        got = len(result.reviewers_of(n.key))
        assert got <= n.needed
        missing = [s.missing for s in result.shortfalls if s.proposal == n.key]
        assert (missing[0] if missing else 0) == n.needed - got
    filled = len(result.pairs)
    assert (filled, result.total_match) == brute_force(problem)
    assert assign(problem).pairs == result.pairs
