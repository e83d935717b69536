"""Peer-review scores: checking one review, totalling it, and comparing proposals.

A call reviews on criteria, each with a weight (``programs.CallCriterion``: 1–100, the
call's weights adding up to 100), scored on a scale (JSPS-style 1–5 by default). Rules:

1. A review is complete when every criterion has an integer score within the scale, no
   score is given for a criterion the call does not have, and the comment to the
   applicant is at least the program's minimum length. Each problem is its own reason,
   tied to the form field it belongs to (``score_<code>``, ``comment``).
2. A review's total is on 0–100: Σ weight × (score − low) / (high − low), divided by the
   sum of the weights over 100 so that weights not adding up to 100 still give 0–100.
   The lowest score on every criterion is 0, the highest 100.
3. A proposal's statistics are over its reviews' totals: mean, median, population
   standard deviation ("spread": the reviewers are the whole population that judged it),
   range, and the mean raw score per criterion. Reviewers disagree when the spread is at
   least ``disagreement_at`` points, for the panel to discuss before ranking.
4. Proposals rank by mean, then median, then key; equal mean and median share a rank
   (competition ranking: 1, 2, 2, 4); proposals without reviews come last, together.

Totals keep full precision here; only ``display_score`` rounds, for the page.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeIs

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason

# The default citation; a program whose own review rules differ passes its own source.
REVIEW_SCORING_SOURCE = "公募要領・審査要領に定める評価項目と配点"

SCORE_MISSING = "review.score_missing"
SCORE_UNKNOWN_CRITERION = "review.score_unknown_criterion"
SCORE_NOT_INTEGER = "review.score_not_integer"
SCORE_OUT_OF_SCALE = "review.score_out_of_scale"
COMMENT_TOO_SHORT = "review.comment_too_short"

COMMENT_FIELD = "comment"


def score_field(code: str) -> str:
    """The form (and API) field holding the score for one criterion."""
    return f"score_{code}"


@dataclass(frozen=True)
class Criterion:
    code: str
    weight: int

    def __post_init__(self) -> None:
        # A weight of 0 would make a criterion count for nothing and could zero the divisor.
        if self.weight < 1:
            raise ValueError(f"criterion {self.code!r}: weight must be at least 1")


@dataclass(frozen=True)
class Scale:
    low: int = 1
    high: int = 5

    def __post_init__(self) -> None:
        if self.low >= self.high:
            raise ValueError("a scale's low end must be below its high end")


@dataclass(frozen=True)
class ReviewScores:
    reviewer_key: str
    scores: Mapping[str, int]  # criterion code → score
    comment: str = ""  # to the applicant
    panel_comment: str = ""  # to the panel only


def _codes(criteria: Sequence[Criterion]) -> list[str]:
    codes = [c.code for c in criteria]
    if not codes:
        raise ValueError("a call needs at least one review criterion")
    if len(set(codes)) != len(codes):
        raise ValueError("review criterion codes must be unique")
    return codes


def _is_score(value: object) -> TypeIs[int]:
    # bool is a subclass of int, but True is no answer to "how novel is it?".
    return isinstance(value, int) and not isinstance(value, bool)


def _problems(
    criteria: Sequence[Criterion],
    scale: Scale,
    review: ReviewScores,
    min_comment_chars: int,
    source: str,
) -> list[tuple[str, Reason]]:
    """Every problem as (field, reason): criteria in the call's order, then unknown codes
    sorted, then the comment, so the same review always reads the same way."""
    codes = _codes(criteria)
    problems: list[tuple[str, Reason]] = []
    bounds = {"low": scale.low, "high": scale.high}
    for code in codes:
        if code not in review.scores:
            message = _("No score has been given for the criterion %(criterion)s.")
            reason = Reason(SCORE_MISSING, message % {"criterion": code}, source)
            problems.append((score_field(code), reason))
            continue
        value: object = review.scores[code]  # typed int, but forms and JSON send anything
        if _is_score(value) and scale.low <= value <= scale.high:
            continue
        message = _("The score for %(criterion)s must be a whole number from %(low)d to %(high)d.")
        reason_code = SCORE_OUT_OF_SCALE if _is_score(value) else SCORE_NOT_INTEGER
        rendered = message % ({"criterion": code} | bounds)
        problems.append((score_field(code), Reason(reason_code, rendered, source)))
    for code in sorted(set(review.scores) - set(codes)):
        message = _("%(criterion)s is not a review criterion of this call.")
        reason = Reason(SCORE_UNKNOWN_CRITERION, message % {"criterion": code}, source)
        problems.append((score_field(code), reason))
    # Surrounding whitespace is not a comment; padding must not satisfy the minimum.
    length = len(review.comment.strip())
    if min_comment_chars > 0 and length < min_comment_chars:
        message = _(
            "The comment to the applicant must be at least %(minimum)d characters long "
            "(%(length)d entered)."
        )
        rendered = message % {"minimum": min_comment_chars, "length": length}
        problems.append((COMMENT_FIELD, Reason(COMMENT_TOO_SHORT, rendered, source)))
    return problems


def check_review_fields(
    criteria: Sequence[Criterion],
    scale: Scale,
    review: ReviewScores,
    *,
    min_comment_chars: int = 0,
    source: str = REVIEW_SCORING_SOURCE,
) -> dict[str, list[str]]:
    """The problems as field name → messages, for a form or the API's per-field errors."""
    fields: dict[str, list[str]] = {}
    for name, reason in _problems(criteria, scale, review, min_comment_chars, source):
        fields.setdefault(name, []).append(reason.message)
    return fields


def check_review(
    criteria: Sequence[Criterion],
    scale: Scale,
    review: ReviewScores,
    *,
    min_comment_chars: int = 0,
    source: str = REVIEW_SCORING_SOURCE,
) -> Decision:
    """Whether the review may be submitted; one reason per problem (see rule 1)."""
    problems = _problems(criteria, scale, review, min_comment_chars, source)
    return Decision(tuple(reason for _field, reason in problems))


def weighted_score(criteria: Sequence[Criterion], scale: Scale, scores: Mapping[str, int]) -> float:
    """The review's total on 0–100 (rule 2). The scores must pass ``check_review``."""
    _codes(criteria)
    total_weight = sum(c.weight for c in criteria)
    points = 0
    for c in criteria:
        value: object = scores.get(c.code)
        if not _is_score(value) or not scale.low <= value <= scale.high:
            raise ValueError(f"criterion {c.code!r}: no valid score; check the review first")
        points += c.weight * (value - scale.low)
    # One division of exact integers: Python rounds it correctly, so the total lies in
    # [0, 100] and scaling every weight by the same factor gives exactly the same float.
    return points * 100 / (total_weight * (scale.high - scale.low))


@dataclass(frozen=True)
class ProposalStatistics:
    proposal_key: str
    reviews: int
    mean: float | None
    median: float | None
    spread: float | None  # population standard deviation of the totals
    range: float | None  # max − min of the totals
    per_criterion: dict[str, float] = field(default_factory=dict)  # mean raw score
    disagreement: bool = False


def statistics_for(
    proposal_key: str,
    criteria: Sequence[Criterion],
    scale: Scale,
    reviews: Iterable[ReviewScores],
    *,
    disagreement_at: float = 15.0,
) -> ProposalStatistics:
    """A proposal's statistics over its reviews (rule 3); no reviews gives ``None``s."""
    reviews = list(reviews)
    keys = [r.reviewer_key for r in reviews]
    if len(set(keys)) != len(keys):
        raise ValueError(f"proposal {proposal_key!r}: a reviewer may review it only once")
    if not reviews:
        return ProposalStatistics(proposal_key, 0, None, None, None, None)
    totals = [weighted_score(criteria, scale, r.scores) for r in reviews]
    # statistics.mean and pstdev compute exactly and round once, so the mean never
    # strays outside [min, max] and identical totals give a spread of exactly 0.
    spread = statistics.pstdev(totals)
    return ProposalStatistics(
        proposal_key=proposal_key,
        reviews=len(reviews),
        mean=statistics.mean(totals),
        median=statistics.median(totals),
        spread=spread,
        range=max(totals) - min(totals),
        per_criterion={
            c.code: float(statistics.mean(r.scores[c.code] for r in reviews)) for c in criteria
        },
        disagreement=spread >= disagreement_at,
    )


def _standing(stats: ProposalStatistics) -> tuple[bool, float, float]:
    # What decides the rank; the key only orders proposals sharing a rank.
    if stats.mean is None or stats.median is None:
        return (True, 0.0, 0.0)
    return (False, -stats.mean, -stats.median)


def rank(stats: Iterable[ProposalStatistics]) -> list[tuple[int, ProposalStatistics]]:
    """(rank, statistics) in rank order (rule 4), the same whatever the input order."""
    ordered = sorted(stats, key=lambda s: (_standing(s), s.proposal_key))
    keys = [s.proposal_key for s in ordered]
    if len(set(keys)) != len(keys):
        raise ValueError("each proposal may appear only once in a ranking")
    ranked: list[tuple[int, ProposalStatistics]] = []
    for position, s in enumerate(ordered, start=1):
        tied = ranked and _standing(ranked[-1][1]) == _standing(s)
        ranked.append((ranked[-1][0] if tied else position, s))
    return ranked


def display_score(value: float | None, digits: int = 1) -> str:
    """A score for the page, rounded only here; "—" when there is none yet."""
    return "—" if value is None else f"{value:.{digits}f}"
