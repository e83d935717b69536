"""Review over the REST API: the same services and the same visibility as the pages.

A reviewer reads and answers their own assignments (``/me/reviews``); the staff of
the call's agency run rounds and decide (``/reviews/rounds``). Anything else is a
404, audited, exactly as on the pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from openrd.accounts.api_auth import api_auth
from openrd.accounts.queries import signed_in_user
from openrd.core.access import get_visible_or_404
from openrd.core.api_schemas import WRITE_ERRORS, ErrorOut, RefusalOut, ValidationErrorOut
from openrd.proposals.models import Proposal
from openrd.review import queries, services
from openrd.review.models import Review, ReviewAssignment, ReviewRound, Selection

router = Router(tags=["review"], auth=api_auth)

COMMON = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE = {**WRITE_ERRORS, 409: RefusalOut}


class RoundRef(Schema):
    id: int
    name_ja: str
    name_en: str
    due_at: datetime


class AssignmentOut(Schema):
    id: int
    status: str
    round: RoundRef
    proposal_id: int
    title: str
    invited_at: datetime | None
    answered_at: datetime | None


class AcceptIn(Schema):
    model_config = ConfigDict(extra="forbid")
    no_conflict: bool = Field(
        description="I have no conflict of interest with this proposal (required)"
    )
    confidentiality: bool = Field(description="I keep the proposal and my review confidential")


class DeclineIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field("", max_length=500)


class ReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")
    scores: dict[str, int] = Field(description="Criterion code → score on the call's scale")
    comment: str = Field("", max_length=8000, description="To the applicant, without your name")
    panel_comment: str = Field("", max_length=8000, description="To the panel only")
    submit: bool = Field(False, description="Submit (checked by the rules) or keep as a draft")


class ReviewOut(Schema):
    assignment_id: int
    scores: dict[str, Any]
    comment: str
    panel_comment: str
    submitted_at: datetime | None


class RoundOut(Schema):
    id: int
    call_id: int
    stage: str
    name_ja: str
    name_en: str
    status: str
    due_at: datetime
    reviewers_per_proposal: int
    institution_years: int


class ShortfallOut(Schema):
    proposal_id: int
    missing: int
    code: str
    message: str


class AssignReportOut(Schema):
    proposed: int
    kept: int
    shortfalls: list[ShortfallOut]


class SelectionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    proposal_id: int
    outcome: Literal["selected", "waitlisted", "rejected"]
    reason: str = Field(max_length=4000)


class SelectionOut(Schema):
    round_id: int
    proposal_id: int
    status: str
    reason: str
    decided_at: datetime | None


def _assignment_dict(a: ReviewAssignment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "status": a.status,
        "round": {
            "id": a.round_id,
            "name_ja": a.round.name_ja,
            "name_en": a.round.name_en,
            "due_at": a.round.due_at,
        },
        "proposal_id": a.proposal_id,
        "title": a.title,
        "invited_at": a.invited_at,
        "answered_at": a.answered_at,
    }


def _review_dict(review: Review) -> dict[str, Any]:
    return {
        "assignment_id": review.assignment_id,
        "scores": review.scores,
        "comment": review.comment,
        "panel_comment": review.panel_comment,
        "submitted_at": review.submitted_at,
    }


def _round_dict(r: ReviewRound) -> dict[str, Any]:
    return {
        "id": r.pk,
        "call_id": r.call_id,
        "stage": r.stage,
        "name_ja": r.name_ja,
        "name_en": r.name_en,
        "status": r.status,
        "due_at": r.due_at,
        "reviewers_per_proposal": r.reviewers_per_proposal,
        "institution_years": r.institution_years,
    }


def _mine(request: HttpRequest, pk: int) -> ReviewAssignment:
    return get_visible_or_404(queries.my_assignments(request.user), request=request, pk=pk)


def _staff_round(request: HttpRequest, pk: int) -> ReviewRound:
    return get_visible_or_404(queries.staff_rounds(request.user), request=request, pk=pk)


@router.get(
    "/me/reviews",
    response={200: list[AssignmentOut], 401: ErrorOut},
    summary="Your review assignments",
    description="Requests to answer, reviews to write and reviews submitted; never a "
    "proposal you have a conflict of interest with.",
)
def my_reviews(request: HttpRequest) -> list[dict[str, Any]]:
    return [_assignment_dict(a) for a in queries.my_assignments(request.user)]


@router.post(
    "/me/reviews/{pk}/accept",
    response={200: AssignmentOut, **WRITE},
    summary="Accept a review: confirm no conflict of interest and accept confidentiality",
)
def accept(request: HttpRequest, pk: int, payload: AcceptIn) -> dict[str, Any]:
    done = services.accept_assignment(
        _mine(request, pk),
        actor=signed_in_user(request),
        confirmed_no_conflict=payload.no_conflict,
        accepted_confidentiality=payload.confidentiality,
    )
    return _assignment_dict(done)


@router.post(
    "/me/reviews/{pk}/decline",
    response={200: AssignmentOut, **WRITE},
    summary="Decline a review request",
)
def decline(request: HttpRequest, pk: int, payload: DeclineIn) -> dict[str, Any]:
    mine = _mine(request, pk)
    done = services.decline_assignment(mine, actor=signed_in_user(request), reason=payload.reason)
    return _assignment_dict(done)


@router.put(
    "/me/reviews/{pk}/review",
    response={200: ReviewOut, **WRITE},
    summary="Save your review as a draft, or submit it",
)
def put_review(request: HttpRequest, pk: int, payload: ReviewIn) -> dict[str, Any]:
    assignment = get_visible_or_404(queries.open_assignments(request.user), request=request, pk=pk)
    review = services.save_review(
        assignment,
        actor=signed_in_user(request),
        scores=payload.scores,
        comment=payload.comment,
        panel_comment=payload.panel_comment,
        submit=payload.submit,
    )
    return _review_dict(review)


@router.get(
    "/reviews/rounds",
    response={200: list[RoundOut], 401: ErrorOut},
    summary="The review rounds of your agency's calls",
)
def list_rounds(request: HttpRequest) -> list[dict[str, Any]]:
    return [_round_dict(r) for r in queries.staff_rounds(request.user).order_by("-due_at", "id")]


@router.post(
    "/reviews/rounds/{pk}/assign",
    response={200: AssignReportOut, **WRITE},
    summary="Run the automatic assignment (conflicts computed afresh first)",
)
def assign(request: HttpRequest, pk: int) -> dict[str, Any]:
    report = services.auto_assign(_staff_round(request, pk), actor=signed_in_user(request))
    return {
        "proposed": report.proposed,
        "kept": report.kept,
        "shortfalls": [
            {"proposal_id": int(s.proposal), "missing": s.missing, "code": s.code,
             "message": s.message}
            for s in report.shortfalls
        ],
    }  # fmt: skip


@router.post(
    "/reviews/rounds/{pk}/open",
    response={200: RoundOut, **WRITE},
    summary="Open the round: the proposed reviewers are invited",
)
def open_round(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _round_dict(
        services.open_round(_staff_round(request, pk), actor=signed_in_user(request))
    )


@router.post(
    "/reviews/rounds/{pk}/close",
    response={200: RoundOut, **WRITE},
    summary="Close the round",
)
def close_round(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _round_dict(
        services.close_round(_staff_round(request, pk), actor=signed_in_user(request))
    )


@router.post(
    "/reviews/rounds/{pk}/selections",
    response={200: SelectionOut, **WRITE},
    summary="Select, waitlist or reject a reviewed proposal, with the reason",
)
def decide(request: HttpRequest, pk: int, payload: SelectionIn) -> dict[str, Any]:
    review_round = _staff_round(request, pk)
    proposal = get_visible_or_404(
        Proposal.objects.filter(call_id=review_round.call_id),
        request=request,
        pk=payload.proposal_id,
    )
    decided: Selection = services.decide(
        review_round,
        proposal,
        payload.outcome,
        actor=signed_in_user(request),
        reason=payload.reason,
    )
    return {
        "round_id": decided.round_id,
        "proposal_id": decided.proposal_id,
        "status": decided.status,
        "reason": decided.reason,
        "decided_at": decided.decided_at,
    }
