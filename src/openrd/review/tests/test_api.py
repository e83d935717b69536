"""Review over the API: the reviewer's operations, the staff's, and what stays hidden."""

from __future__ import annotations

import json
from datetime import date

import pytest

from openrd.accounts.models import Affiliation
from openrd.accounts.services import issue_api_token
from openrd.review import services
from openrd.review.models import AssignmentStatus, ReviewAssignment

pytestmark = pytest.mark.django_db

SCORES = {"novelty": 5, "feasibility": 4, "impact": 3}


def call(client, method, path, user, body=None, lang="ja"):
    token = issue_api_token(user, name="t")[1]
    return getattr(client, method)(
        path,
        json.dumps(body) if body is not None else None,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang,
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@pytest.fixture
def invited(reviewing):
    staff = reviewing.world.nedo_staff
    services.auto_assign(reviewing.round, actor=staff)
    services.open_round(reviewing.round, actor=staff)
    return ReviewAssignment.objects.select_related("reviewer").order_by("id").first()


def test_staff_run_the_round_over_the_api(client, reviewing):
    staff, pk = reviewing.world.nedo_staff, reviewing.round.pk
    listed = call(client, "get", "/api/v1/reviews/rounds", staff).json()
    assert [r["id"] for r in listed] == [pk]
    report = call(client, "post", f"/api/v1/reviews/rounds/{pk}/assign", staff)
    assert report.status_code == 200
    assert report.json()["proposed"] == 4
    assert report.json()["shortfalls"] == []
    opened = call(client, "post", f"/api/v1/reviews/rounds/{pk}/open", staff)
    assert opened.json()["status"] == "open"
    assert set(ReviewAssignment.objects.values_list("status", flat=True)) == {"invited"}


def test_another_agency_sees_no_round_and_cannot_act_on_it(client, reviewing):
    other, pk = reviewing.world.jst_staff, reviewing.round.pk
    assert call(client, "get", "/api/v1/reviews/rounds", other).json() == []
    for action in ("assign", "open", "close"):
        assert (
            call(client, "post", f"/api/v1/reviews/rounds/{pk}/{action}", other).status_code == 404
        )
    assert not ReviewAssignment.objects.exists()


def test_the_reviewer_accepts_and_submits_over_the_api(client, reviewing, invited):
    me, pk = invited.reviewer, invited.pk
    mine = call(client, "get", "/api/v1/me/reviews", me).json()
    assert pk in [a["id"] for a in mine]
    refused = call(
        client, "post", f"/api/v1/me/reviews/{pk}/accept", me,
        {"no_conflict": False, "confidentiality": True}, lang="en",
    )  # fmt: skip
    assert refused.status_code == 409
    assert [r["code"] for r in refused.json()["reasons"]] == ["review.no_conflict_unconfirmed"]
    # Before accepting, the review cannot be written: the proposal is not open.
    early = call(client, "put", f"/api/v1/me/reviews/{pk}/review", me, {"scores": SCORES})
    assert early.status_code == 404
    ok = call(
        client, "post", f"/api/v1/me/reviews/{pk}/accept", me,
        {"no_conflict": True, "confidentiality": True},
    )  # fmt: skip
    assert ok.json()["status"] == "accepted"
    done = call(
        client, "put", f"/api/v1/me/reviews/{pk}/review", me,
        {"scores": SCORES, "comment": "良い", "submit": True},
    )  # fmt: skip
    assert done.status_code == 200, done.content
    assert done.json()["submitted_at"]
    assert ReviewAssignment.objects.get(pk=pk).status == AssignmentStatus.SUBMITTED


def test_an_unknown_field_or_a_wrong_type_is_a_field_error(client, reviewing, invited):
    response = call(
        client, "post", f"/api/v1/me/reviews/{invited.pk}/accept", invited.reviewer,
        {"no_conflict": "maybe", "extra": 1},
    )  # fmt: skip
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"no_conflict", "extra", "confidentiality"} <= fields


def test_someone_elses_or_a_conflicted_assignment_is_a_404(client, reviewing, invited):
    other = next(r for r in reviewing.reviewers if r.pk != invited.reviewer_id)
    assert (
        call(client, "post", f"/api/v1/me/reviews/{invited.pk}/decline", other, {}).status_code
        == 404
    )
    Affiliation.objects.create(
        person=invited.reviewer,
        organisation=reviewing.world.startup,
        kind="concurrent",
        start_date=date(2023, 4, 1),
    )
    services.compute_conflicts(reviewing.round, actor=reviewing.world.nedo_staff)
    mine = call(client, "get", "/api/v1/me/reviews", invited.reviewer).json()
    assert invited.pk not in [a["id"] for a in mine]
    accept = call(
        client, "post", f"/api/v1/me/reviews/{invited.pk}/accept", invited.reviewer,
        {"no_conflict": True, "confidentiality": True},
    )  # fmt: skip
    assert accept.status_code == 404


def test_a_selection_over_the_api_needs_a_closed_round(client, reviewing, invited):
    staff, pk = reviewing.world.nedo_staff, reviewing.round.pk
    body = {"proposal_id": invited.proposal_id, "outcome": "selected", "reason": "高評価"}
    refused = call(client, "post", f"/api/v1/reviews/rounds/{pk}/selections", staff, body)
    assert refused.status_code == 409
    codes = {r["code"] for r in refused.json()["reasons"]}
    assert codes == {"review.selection_round_not_closed", "review.selection_without_reviews"}
