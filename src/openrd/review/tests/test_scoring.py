"""Review scoring rules: pure tests, no database."""

from __future__ import annotations

import math

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from openrd.review.rules.scoring import (
    COMMENT_TOO_SHORT,
    REVIEW_SCORING_SOURCE,
    SCORE_MISSING,
    SCORE_NOT_INTEGER,
    SCORE_OUT_OF_SCALE,
    SCORE_UNKNOWN_CRITERION,
    Criterion,
    ProposalStatistics,
    ReviewScores,
    Scale,
    check_review,
    check_review_fields,
    display_score,
    rank,
    statistics_for,
    weighted_score,
)

CRITERIA = (Criterion("novelty", 40), Criterion("feasibility", 30), Criterion("impact", 30))
SCALE = Scale()  # 1–5


def review(key, novelty, feasibility, impact, comment="", **extra):
    scores = {"novelty": novelty, "feasibility": feasibility, "impact": impact} | extra
    return ReviewScores(key, scores, comment)


def check(r, **kwargs):
    return check_review(CRITERIA, SCALE, r, **kwargs)


# ---------- Scales and criteria ----------


def test_default_scale_is_five_points():
    assert (SCALE.low, SCALE.high) == (1, 5)


@pytest.mark.parametrize(("low", "high"), [(5, 5), (5, 1)])
def test_scale_low_must_be_below_high(low, high):
    with pytest.raises(ValueError, match="low end"):
        Scale(low, high)


def test_criterion_weight_must_be_positive():
    with pytest.raises(ValueError, match="weight"):
        Criterion("novelty", 0)


# ---------- check_review ----------


def test_a_complete_review_is_allowed():
    decision = check(review("r1", 5, 3, 1, comment="十分に具体的な計画です。"), min_comment_chars=5)
    assert decision.allowed
    assert decision.reasons == ()


def test_missing_score():
    decision = check(ReviewScores("r1", {"novelty": 3, "impact": 2}))
    assert decision.codes() == [SCORE_MISSING]
    assert "feasibility" in decision.reasons[0].message
    assert decision.reasons[0].source == REVIEW_SCORING_SOURCE


def test_unknown_criterion():
    decision = check(review("r1", 3, 3, 3, budget=4))
    assert decision.codes() == [SCORE_UNKNOWN_CRITERION]
    assert "budget" in decision.reasons[0].message


@pytest.mark.parametrize("value", [0, 6, -1, 100])
def test_out_of_scale_low_and_high(value):
    decision = check(review("r1", value, 3, 3))
    assert decision.codes() == [SCORE_OUT_OF_SCALE]
    assert "novelty" in decision.reasons[0].message


@pytest.mark.parametrize("value", [True, False, 3.0, "3", None])
def test_bool_and_other_non_integers_are_rejected(value):
    # True == 1 and False == 0 in Python, yet neither is a score.
    assert check(review("r1", value, 3, 3)).codes() == [SCORE_NOT_INTEGER]


def test_scale_ends_are_valid():
    assert check(review("r1", 1, 5, 1)).allowed
    assert check_review(CRITERIA, Scale(0, 10), review("r1", 0, 10, 7)).allowed


def test_comment_too_short_counts_without_surrounding_whitespace():
    decision = check(review("r1", 3, 3, 3, comment="  短い  "), min_comment_chars=10)
    assert decision.codes() == [COMMENT_TOO_SHORT]
    with translation.override("en"):
        decision = check(review("r1", 3, 3, 3, comment="  短い  "), min_comment_chars=10)
    assert "10" in decision.reasons[0].message
    assert "(2 entered)" in decision.reasons[0].message


def test_comment_of_exactly_the_minimum_passes_and_no_minimum_means_none():
    assert check(review("r1", 3, 3, 3, comment="あ" * 10), min_comment_chars=10).allowed
    assert check(review("r1", 3, 3, 3, comment="")).allowed
    # The panel comment is not the applicant's comment.
    r = ReviewScores("r1", {"novelty": 3, "feasibility": 3, "impact": 3}, "", "x" * 50)
    assert check(r, min_comment_chars=1).codes() == [COMMENT_TOO_SHORT]


def test_every_problem_is_reported_in_a_stable_order():
    r = ReviewScores("r1", {"novelty": 9, "impact": True, "zeta": 1, "alpha": 2}, "")
    decision = check(r, min_comment_chars=20, source="審査要領第5条")
    assert decision.codes() == [
        SCORE_OUT_OF_SCALE,  # novelty
        SCORE_MISSING,  # feasibility
        SCORE_NOT_INTEGER,  # impact
        SCORE_UNKNOWN_CRITERION,  # alpha
        SCORE_UNKNOWN_CRITERION,  # zeta
        COMMENT_TOO_SHORT,
    ]
    assert {reason.source for reason in decision.reasons} == {"審査要領第5条"}


def test_field_errors_mapping():
    r = ReviewScores("r1", {"novelty": 0, "budget": 3}, "短い")
    with translation.override("en"):
        fields = check_review_fields(CRITERIA, SCALE, r, min_comment_chars=10)
        decision = check_review(CRITERIA, SCALE, r, min_comment_chars=10)
    assert list(fields) == [
        "score_novelty",
        "score_feasibility",
        "score_impact",
        "score_budget",
        "comment",
    ]
    assert fields["score_novelty"] == ["The score for novelty must be a whole number from 1 to 5."]
    assert fields["score_budget"] == ["budget is not a review criterion of this call."]
    # The mapping and the decision carry the same messages.
    assert [m for messages in fields.values() for m in messages] == [
        reason.message for reason in decision.reasons
    ]
    assert check_review_fields(CRITERIA, SCALE, review("r1", 3, 3, 3)) == {}


def test_english_messages():
    with translation.override("en"):
        missing = check(ReviewScores("r1", {"novelty": 3, "impact": 3}))
        out = check(review("r1", 3, 6, 3))
        short = check(review("r1", 3, 3, 3, comment="ok"), min_comment_chars=100)
    assert missing.reasons[0].message == "No score has been given for the criterion feasibility."
    assert out.reasons[0].message == (
        "The score for feasibility must be a whole number from 1 to 5."
    )
    assert short.reasons[0].message == (
        "The comment to the applicant must be at least 100 characters long (2 entered)."
    )


def test_criteria_must_be_present_and_unique():
    with pytest.raises(ValueError, match="at least one"):
        check_review((), SCALE, ReviewScores("r1", {}))
    with pytest.raises(ValueError, match="unique"):
        check_review((Criterion("a", 50), Criterion("a", 50)), SCALE, ReviewScores("r1", {}))


# ---------- weighted_score ----------


@pytest.mark.parametrize(
    ("scores", "total"),
    [
        ((5, 3, 1), 55.0),  # 40×4/4 + 30×2/4 + 30×0/4
        ((4, 4, 4), 75.0),
        ((3, 5, 2), 57.5),  # 40×2/4 + 30×4/4 + 30×1/4
        ((1, 1, 1), 0.0),
        ((5, 5, 5), 100.0),
    ],
)
def test_weighted_score_by_hand(scores, total):
    assert weighted_score(CRITERIA, SCALE, review("r", *scores).scores) == total


def test_weighted_score_on_another_scale():
    # 40×10/10 + 30×5/10 + 30×0/10
    assert weighted_score(CRITERIA, Scale(0, 10), review("r", 10, 5, 0).scores) == 55.0


def test_weights_not_adding_to_100_are_normalised():
    criteria = (Criterion("a", 2), Criterion("b", 1), Criterion("c", 1))  # sum 4
    # (2×4 + 1×0 + 1×0) / (4×4) × 100
    assert weighted_score(criteria, SCALE, {"a": 5, "b": 1, "c": 1}) == 50.0
    assert weighted_score(criteria, SCALE, {"a": 1, "b": 5, "c": 5}) == 50.0


@pytest.mark.parametrize(
    "scores",
    [
        {"novelty": 3, "feasibility": 3},
        {"novelty": 9, "feasibility": 3, "impact": 3},
        {"novelty": True, "feasibility": 3, "impact": 3},
    ],
)
def test_weighted_score_refuses_an_unchecked_review(scores):
    with pytest.raises(ValueError, match="check the review"):
        weighted_score(CRITERIA, SCALE, scores)


# ---------- statistics_for ----------

R55 = review("r1", 5, 3, 1)  # 55
R75 = review("r2", 4, 4, 4)  # 75
R575 = review("r3", 3, 5, 2)  # 57.5
R0 = review("r4", 1, 1, 1)  # 0


def test_statistics_on_an_odd_number_of_reviews():
    stats = statistics_for("P-1", CRITERIA, SCALE, [R55, R75, R575])
    assert stats.reviews == 3
    assert stats.mean == 62.5
    assert stats.median == 57.5
    # deviations −7.5, 12.5, −5 → (56.25 + 156.25 + 25) / 3
    assert stats.spread == pytest.approx(math.sqrt(237.5 / 3))
    assert stats.range == 20.0
    assert stats.per_criterion == pytest.approx(
        {"novelty": 4.0, "feasibility": 4.0, "impact": 7 / 3}
    )
    assert stats.disagreement is False  # 8.9 < 15


def test_statistics_on_an_even_number_of_reviews():
    stats = statistics_for("P-1", CRITERIA, SCALE, [R55, R75, R575, R0])
    assert stats.mean == 46.875
    assert stats.median == 56.25  # (55 + 57.5) / 2
    # deviations −46.875, 8.125, 10.625, 28.125
    assert stats.spread == pytest.approx(math.sqrt(3167.1875 / 4))
    assert stats.range == 75.0
    assert stats.disagreement is True


def test_statistics_without_reviews():
    stats = statistics_for("P-1", CRITERIA, SCALE, [])
    assert stats == ProposalStatistics("P-1", 0, None, None, None, None, {}, False)


def test_statistics_of_one_review():
    stats = statistics_for("P-1", CRITERIA, SCALE, iter([R55]))
    assert (stats.mean, stats.median, stats.spread, stats.range) == (55.0, 55.0, 0.0, 0.0)
    assert stats.disagreement is False


def test_a_reviewer_counts_once():
    with pytest.raises(ValueError, match="only once"):
        statistics_for("P-1", CRITERIA, SCALE, [R55, review("r1", 4, 4, 4)])


SINGLE = (Criterion("overall", 100),)  # totals 0, 25, 50, 75, 100


def single(key, score):
    return ReviewScores(key, {"overall": score})


@pytest.mark.parametrize(
    ("scores", "threshold", "expected"),
    [
        ((2, 4), 15.0, True),  # 25 and 75: spread 25
        ((3, 4), 15.0, False),  # 50 and 75: spread 12.5
        ((2, 4), 25.0, True),  # exactly at the threshold disagrees
        ((2, 4), 25.01, False),
        ((3, 3), 0.0, True),  # a threshold of 0 flags everything
    ],
)
def test_disagreement_on_both_sides_of_the_threshold(scores, threshold, expected):
    reviews = [single(f"r{i}", s) for i, s in enumerate(scores)]
    stats = statistics_for("P-1", SINGLE, SCALE, reviews, disagreement_at=threshold)
    assert stats.disagreement is expected


# ---------- rank ----------


def stat(key, mean=None, median=None):
    n = 0 if mean is None else 3
    return ProposalStatistics(key, n, mean, median, None if mean is None else 0.0, None)


def test_competition_ranking_with_ties_and_unreviewed_last():
    stats = [
        stat("P-F"),
        stat("P-D", 70.0, 60.0),
        stat("P-C", 70.0, 72.0),
        stat("P-A", 80.0, 80.0),
        stat("P-E"),
        stat("P-B", 70.0, 72.0),
    ]
    ranked = [(position, s.proposal_key) for position, s in rank(stats)]
    assert ranked == [
        (1, "P-A"),
        (2, "P-B"),  # ties with P-C on mean and median; key orders them
        (2, "P-C"),
        (4, "P-D"),  # same mean, lower median
        (5, "P-E"),  # no reviews: last, together
        (5, "P-F"),
    ]


def test_rank_from_computed_statistics():
    a = statistics_for("A", CRITERIA, SCALE, [R55, R75])  # mean 65, median 65
    b = statistics_for("B", CRITERIA, SCALE, [R575, review("x", 3, 5, 4)])  # 57.5, 72.5 → 65
    c = statistics_for("C", CRITERIA, SCALE, [R75])
    assert [(p, s.proposal_key) for p, s in rank([a, b, c])] == [(1, "C"), (2, "A"), (2, "B")]


def test_rank_of_nothing_and_duplicates():
    assert rank([]) == []
    with pytest.raises(ValueError, match="only once"):
        rank([stat("P-1", 50.0, 50.0), stat("P-1", 60.0, 60.0)])


def test_display_score_rounds_only_for_display():
    stats = statistics_for("P-1", CRITERIA, SCALE, [R55, R75, R575, R0])
    assert stats.mean == 46.875  # kept in full
    assert display_score(stats.mean) == "46.9"
    assert display_score(stats.mean, 2) == "46.88"
    assert display_score(stats.spread) == "28.1"
    assert display_score(None) == "—"


# ---------- Properties ----------


@st.composite
def setups(draw):
    n = draw(st.integers(1, 6))
    weights = draw(st.lists(st.integers(1, 100), min_size=n, max_size=n))
    criteria = tuple(Criterion(f"c{i}", w) for i, w in enumerate(weights))
    low = draw(st.integers(-10, 10))
    scale = Scale(low, draw(st.integers(low + 1, low + 20)))
    return criteria, scale


def scores_for(draw, criteria, scale):
    return {c.code: draw(st.integers(scale.low, scale.high)) for c in criteria}


@given(st.data(), setups())
def test_property_total_lies_in_0_100(data, setup):
    criteria, scale = setup
    total = weighted_score(criteria, scale, scores_for(data.draw, criteria, scale))
    assert 0.0 <= total <= 100.0


@given(st.data(), setups(), st.integers(1, 8))
def test_property_mean_and_median_lie_between_min_and_max(data, setup, n):
    criteria, scale = setup
    reviews = [ReviewScores(f"r{i}", scores_for(data.draw, criteria, scale)) for i in range(n)]
    totals = [weighted_score(criteria, scale, r.scores) for r in reviews]
    stats = statistics_for("P", criteria, scale, reviews)
    assert min(totals) <= stats.mean <= max(totals)
    assert min(totals) <= stats.median <= max(totals)
    assert stats.range == max(totals) - min(totals)
    assert stats.spread >= 0.0


@given(st.data(), setups(), st.integers(2, 1000))
def test_property_scaling_all_weights_leaves_totals_unchanged(data, setup, factor):
    criteria, scale = setup
    scaled = tuple(Criterion(c.code, c.weight * factor) for c in criteria)
    scores = scores_for(data.draw, criteria, scale)
    assert weighted_score(scaled, scale, scores) == weighted_score(criteria, scale, scores)


# Few distinct values, so that ties and unreviewed proposals are common.
_value = st.none() | st.sampled_from([50.0, 62.5, 75.0])


@given(st.data(), st.lists(st.tuples(_value, st.sampled_from([50.0, 62.5, 75.0])), max_size=10))
def test_property_rank_is_a_permutation_independent_of_input_order(data, rows):
    stats = [
        stat(f"P-{i:02d}", mean, None if mean is None else median)
        for i, (mean, median) in enumerate(rows)
    ]
    ranked = rank(stats)
    assert sorted(s.proposal_key for _, s in ranked) == [s.proposal_key for s in stats]
    assert rank(data.draw(st.permutations(stats))) == ranked
    for position, s in ranked:  # competition ranking: 1 + the number ranked strictly above
        assert position == 1 + sum(_better(t, s) for t in stats)


def _better(t, s):
    if t.mean is None:
        return False
    if s.mean is None:
        return True
    return (t.mean, t.median) > (s.mean, s.median)
