"""What the agency's staff read of a review round: the round sheet and the panel.

Reads only (the writers stay in ``services``), each a bounded number of queries
whatever the number of proposals: the round's proposals, its assignments with
their reviewers and reviews, its conflicts and the call's criteria are read
once each and grouped here in Python. The arithmetic is ``rules.scoring``'s;
this module only turns rows into its inputs and its results into rows to show.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from openrd.accounts.models import Role, User
from openrd.accounts.queries import role_organisation_ids
from openrd.core.i18n import localized
from openrd.programs.models import Call
from openrd.proposals.models import Proposal, ProposalStatus
from openrd.review import services
from openrd.review.models import (
    LIVE_ASSIGNMENT_STATES,
    AssignmentStatus,
    ReviewAssignment,
    ReviewConflict,
    ReviewerProfile,
    ReviewRound,
)
from openrd.review.rules import scoring

# The stage a round made from the rounds page reviews: the first, on documents.
FIRST_STAGE = "document"
# Spread (population standard deviation of the totals, 0–100) from which the
# panel is told the reviewers disagree; the scoring rules' default.
DISAGREEMENT_AT = 15.0


# ------------------------------------------------------------------ the rounds page


def listed_rounds(visible: QuerySet[ReviewRound]) -> QuerySet[ReviewRound]:
    """The staff's rounds with their counts, in one query (subqueries, no N+1)."""
    endorsed = (
        Proposal.objects.filter(call_id=OuterRef("call_id"), status=ProposalStatus.ENDORSED)
        .order_by()
        .values("call_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return visible.annotate(
        proposal_count=Coalesce(Subquery(endorsed), 0),
        assignment_count=Count(
            "assignments", filter=Q(assignments__status__in=LIVE_ASSIGNMENT_STATES)
        ),
    ).order_by("due_at", "id")


def calls_without_round(user: User) -> QuerySet[Call]:
    """The user's agencies' calls that have endorsed proposals and no first round yet."""
    agencies = role_organisation_ids(user, Role.AGENCY_STAFF)
    return (
        Call.objects.filter(agency_id__in=agencies)
        .filter(
            Exists(Proposal.objects.filter(call_id=OuterRef("pk"), status=ProposalStatus.ENDORSED))
        )
        .exclude(Exists(ReviewRound.objects.filter(call_id=OuterRef("pk"), stage=FIRST_STAGE)))
        .order_by("closes_at", "id")
    )


def staff_calls(user: User) -> QuerySet[Call]:
    """The calls a user may make a round for: those of the agencies they work for."""
    return Call.objects.filter(agency_id__in=role_organisation_ids(user, Role.AGENCY_STAFF))


# ------------------------------------------------------------------ the round sheet


def proposal_title(proposal: Proposal) -> str:
    """The title of the version under review (the endorsed one), not the draft's."""
    return localized(proposal.endorsed_title_ja, proposal.endorsed_title_en) or proposal.title


def _round_proposals(review_round: ReviewRound) -> list[Proposal]:
    # The version's content (the whole application) is not needed for a list.
    return list(
        services.round_proposals(review_round)
        .select_related("institution", "latest_endorsed_version")
        .defer("latest_endorsed_version__content")
        .order_by("pk")
    )


@dataclass
class SheetRow:
    """One proposal of the round sheet: its assignments and its stored conflicts."""

    proposal: Proposal
    title: str
    assignments: list[ReviewAssignment] = field(default_factory=list)
    conflicts: list[ReviewConflict] = field(default_factory=list)

    @property
    def live(self) -> int:
        return sum(1 for a in self.assignments if a.status in LIVE_ASSIGNMENT_STATES)

    @property
    def conflicted_reviewers(self) -> int:
        return len({c.reviewer_id for c in self.conflicts})


def round_sheet(review_round: ReviewRound) -> list[SheetRow]:
    """Every proposal of the round with its assignments and conflicts: three queries."""
    rows = {p.pk: SheetRow(p, proposal_title(p)) for p in _round_proposals(review_round)}
    assignments = ReviewAssignment.objects.filter(
        round=review_round, proposal_id__in=list(rows)
    ).select_related("reviewer")
    for a in assignments.order_by("proposal_id", "id"):
        rows[a.proposal_id].assignments.append(a)
    conflicts = ReviewConflict.objects.filter(
        round=review_round, proposal_id__in=list(rows)
    ).select_related("reviewer")
    for c in conflicts.order_by("proposal_id", "reviewer_id", "id"):
        rows[c.proposal_id].conflicts.append(c)
    return list(rows.values())


def pool_choices() -> list[ReviewerProfile]:
    """The active pool for the "add by hand" selects, read once for every proposal."""
    return list(services.pool().select_related("person").order_by("person__username"))


# ------------------------------------------------------------------ the panel


@dataclass(frozen=True)
class PanelCriterion:
    code: str
    name: str
    weight: int


@dataclass(frozen=True)
class ReviewerLine:
    """One submitted review under its proposal. ``reviewer`` is the person's name
    only where ``panel_rows`` was asked for names and the pair has no stored
    conflict; otherwise it is the pseudonymous ``label`` (R1, R2… in the order the
    proposal's reviewers were assigned)."""

    reviewer: str
    label: str
    scores: tuple[tuple[str, str], ...]  # (criterion name, score) in the call's order
    total: float
    comment: str
    panel_comment: str
    # A conflict found after the review was submitted: listed, never counted.
    excluded: bool = False

    @property
    def total_text(self) -> str:
        return scoring.display_score(self.total)


@dataclass(frozen=True)
class PanelRow:
    rank: int
    proposal: Proposal
    title: str
    receipt_number: str
    institution: str
    assigned: int  # live assignments, submitted ones included
    stats: scoring.ProposalStatistics
    criterion_means: tuple[float | None, ...]  # in the call's order
    lines: tuple[ReviewerLine, ...]
    criterion_names: tuple[str, ...] = ()

    @property
    def submitted(self) -> int:
        return self.stats.reviews

    @property
    def mean_text(self) -> str:
        return scoring.display_score(self.stats.mean)

    @property
    def median_text(self) -> str:
        return scoring.display_score(self.stats.median)

    @property
    def spread_text(self) -> str:
        return scoring.display_score(self.stats.spread)

    @property
    def criterion_texts(self) -> tuple[str, ...]:
        return tuple(scoring.display_score(v) for v in self.criterion_means)

    @property
    def criterion_cells(self) -> tuple[tuple[str, str], ...]:
        """(criterion name, mean as shown): the name labels the cell on small screens."""
        return tuple(zip(self.criterion_names, self.criterion_texts, strict=True))


def panel_criteria(review_round: ReviewRound) -> list[PanelCriterion]:
    return [
        PanelCriterion(c.code, c.name, c.weight)
        for c in review_round.call.criteria.order_by("order", "id")
    ]


def _proposal_key(pk: int) -> str:
    # Zero-padded so proposals sharing a rank are listed by id as numbers ("9" < "10").
    return f"{pk:012d}"


def reviewer_label(position: int) -> str:
    """The pseudonym of a proposal's ``position``-th reviewer (from 1): "R1", "R2"…"""
    return f"R{position}"


def panel_rows(
    review_round: ReviewRound,
    criteria: list[PanelCriterion] | None = None,
    *,
    reviewer_names: bool = False,
) -> list[PanelRow]:
    """The round's proposals in rank order with their statistics and reviews.

    Four queries (five without ``criteria``): the criteria, the proposals with
    their institution and endorsed version, the live assignments with their
    reviewer and review, the round's conflicted pairs. Only submitted reviews
    count; a review whose scores no longer fit the call's criteria (criteria
    edited afterwards) is left out, since ``weighted_score`` cannot total it,
    and one whose reviewer was found in conflict after submitting is listed
    (``excluded``) but left out of the statistics.

    ``reviewer_names`` (the call's agency staff): the lines carry the reviewers'
    names, except a reviewer with a stored conflict with the proposal, who is
    only ever their label; without it (a PD or PM) every line is a label. The
    labels follow the order of assignment, which says nothing of who is who.
    """
    shown = criteria if criteria is not None else panel_criteria(review_round)
    rule_criteria = [scoring.Criterion(c.code, c.weight) for c in shown]
    scale = scoring.Scale()
    proposals = {p.pk: p for p in _round_proposals(review_round)}
    assigned: dict[int, int] = defaultdict(int)
    sheets: dict[int, list[scoring.ReviewScores]] = defaultdict(list)
    lines: dict[int, list[ReviewerLine]] = defaultdict(list)
    live = (
        ReviewAssignment.objects.filter(
            round=review_round,
            proposal_id__in=list(proposals),
            status__in=LIVE_ASSIGNMENT_STATES,
        )
        .select_related("reviewer", "review")
        .order_by("proposal_id", "id")
    )
    conflicted = services.conflicted_pairs(review_round)
    for a in live:
        assigned[a.proposal_id] += 1
        review = getattr(a, "review", None)
        if a.status != AssignmentStatus.SUBMITTED or review is None or review.submitted_at is None:
            continue
        scores = {k: v for k, v in review.scores.items() if isinstance(v, int)}
        checked = scoring.check_review_fields(
            rule_criteria, scale, scoring.ReviewScores(str(a.reviewer_id), scores)
        )
        if checked:
            continue
        in_conflict = (a.proposal_id, a.reviewer_id) in conflicted
        if not in_conflict:
            sheets[a.proposal_id].append(
                scoring.ReviewScores(
                    str(a.reviewer_id), scores, review.comment, review.panel_comment
                )
            )
        label = reviewer_label(len(lines[a.proposal_id]) + 1)
        named = reviewer_names and not in_conflict
        lines[a.proposal_id].append(
            ReviewerLine(
                reviewer=a.reviewer.display_name if named else label,
                label=label,
                scores=tuple((c.name, str(scores[c.code])) for c in shown),
                total=scoring.weighted_score(rule_criteria, scale, scores),
                comment=review.comment,
                panel_comment=review.panel_comment,
                excluded=in_conflict,
            )
        )
    if not rule_criteria:
        # A call without criteria cannot be scored: every proposal is unranked.
        stats = [
            scoring.ProposalStatistics(_proposal_key(pk), 0, None, None, None, None)
            for pk in proposals
        ]
    else:
        stats = [
            scoring.statistics_for(
                _proposal_key(pk),
                rule_criteria,
                scale,
                sheets[pk],
                disagreement_at=DISAGREEMENT_AT,
            )
            for pk in proposals
        ]
    rows: list[PanelRow] = []
    for position, s in scoring.rank(stats):
        p = proposals[int(s.proposal_key)]
        version = p.latest_endorsed_version
        rows.append(
            PanelRow(
                rank=position,
                proposal=p,
                title=proposal_title(p),
                receipt_number=version.receipt_number if version else "",
                institution=p.institution.name,
                assigned=assigned[p.pk],
                stats=s,
                criterion_means=tuple(s.per_criterion.get(c.code) for c in shown),
                lines=tuple(lines[p.pk]),
                criterion_names=tuple(c.name for c in shown),
            )
        )
    return rows
