"""Every transition of the review workflows, allowed or refused, and who may make it.

The first half walks the rules' tables without a database: every (from, to) pair
of every workflow is either in the allowed set written here or refused with the
table's reason code, so a state added without deciding its transitions fails.
The second half is the permission matrix: each operation tried by each role, on
the pages (or the service where only the service says who decides), with the
state and the audit log checked on both sides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from openrd.accounts.models import Organisation, Role, User
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.decisions import Decision
from openrd.core.models import AuditEntry
from openrd.core.refusals import Refused
from openrd.review import services
from openrd.review.models import (
    LIVE_ASSIGNMENT_STATES as LIVE,
)
from openrd.review.models import (
    AssignmentStatus,
    Review,
    ReviewAssignment,
    ReviewRound,
    RoundStatus,
    Selection,
    SelectionOutcome,
)
from openrd.review.rules import lifecycle
from openrd.review.rules.lifecycle import AssignmentFacts, RoundFacts, SelectionFacts

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
DUE = NOW + timedelta(days=7)

R, A, S = RoundStatus, AssignmentStatus, SelectionOutcome

# ------------------------------------------------------------------ the tables, without a database

ROUND_ALLOWED = {(R.DRAFT, R.OPEN), (R.OPEN, R.CLOSED), (R.CLOSED, R.OPEN)}
ASSIGNMENT_ALLOWED = {
    (A.PROPOSED, A.INVITED),
    (A.PROPOSED, A.REMOVED),
    (A.INVITED, A.ACCEPTED),
    (A.INVITED, A.DECLINED),
    (A.INVITED, A.REMOVED),
    (A.ACCEPTED, A.SUBMITTED),
    (A.ACCEPTED, A.REMOVED),
}
SELECTION_ALLOWED = {
    (S.UNDECIDED, S.SELECTED),
    (S.UNDECIDED, S.WAITLISTED),
    (S.UNDECIDED, S.REJECTED),
    (S.WAITLISTED, S.SELECTED),
    (S.WAITLISTED, S.REJECTED),
}


def _round(status: str, target: str) -> Decision:
    facts = RoundFacts(status, NOW, DUE, live_assignments=2)
    return lifecycle.check_round_transition(facts, target)


def _assignment(status: str, target: str) -> Decision:
    facts = AssignmentFacts(
        status=status,
        now=NOW,
        round_status=R.OPEN,
        due_at=DUE,
        confirmed_no_conflict=True,
        accepted_confidentiality=True,
        review=Decision(),
    )
    return lifecycle.check_assignment_transition(facts, target)


def _selection(status: str, target: str) -> Decision:
    facts = SelectionFacts(status, R.CLOSED, "評価が高い", submitted_reviews=2)
    return lifecycle.check_selection_transition(facts, target)


WORKFLOWS = [
    pytest.param(
        R.values, lifecycle.ROUND_TRANSITIONS, ROUND_ALLOWED, _round,
        "review.round_transition_not_allowed", id="round",
    ),
    pytest.param(
        A.values, lifecycle.ASSIGNMENT_TRANSITIONS, ASSIGNMENT_ALLOWED, _assignment,
        "review.assignment_transition_not_allowed", id="assignment",
    ),
    pytest.param(
        S.values, lifecycle.SELECTION_TRANSITIONS, SELECTION_ALLOWED, _selection,
        "review.selection_transition_not_allowed", id="selection",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("states", "table", "allowed", "check", "code"), WORKFLOWS)
def test_every_pair_of_states_is_allowed_or_refused_with_a_reason(
    states, table, allowed, check, code
):
    for source, target in product(states, repeat=2):
        decision = check(source, target)
        if (source, target) in allowed:
            assert decision.allowed, (source, target, decision.codes())
        else:
            assert decision.codes() == [code], (source, target)
            assert decision.reasons[0].message
            assert decision.reasons[0].source


@pytest.mark.parametrize(("states", "table", "allowed", "check", "code"), WORKFLOWS)
def test_the_table_decides_every_state_and_nothing_else(states, table, allowed, check, code):
    # A state missing from the table would be refused everything by accident.
    assert set(table) == set(states)
    assert {(s, t) for s, targets in table.items() for t in targets} == allowed


def test_the_guards_of_the_allowed_moves_still_refuse_on_the_facts():
    # Allowed in the table is not allowed whatever the facts: each guard has its reason.
    late = RoundFacts(R.DRAFT, DUE, DUE, live_assignments=1)
    assert lifecycle.check_round_transition(late, R.OPEN).codes() == ["review.round_past_due"]
    empty = RoundFacts(R.DRAFT, NOW, DUE, live_assignments=0)
    assert lifecycle.check_round_transition(empty, R.OPEN).codes() == [
        "review.round_without_reviewers"
    ]
    closed = AssignmentFacts(A.INVITED, NOW, R.CLOSED, DUE)
    for target in (A.ACCEPTED, A.DECLINED):
        assert (
            "review.round_not_open" in lifecycle.check_assignment_transition(closed, target).codes()
        )
    undecided = SelectionFacts(S.UNDECIDED, R.OPEN, "", submitted_reviews=0)
    assert lifecycle.check_selection_transition(undecided, S.SELECTED).codes() == [
        "review.selection_round_not_closed",
        "review.selection_without_reviews",
        "review.selection_reason_missing",
    ]


# ------------------------------------------------------------------ who may do what

VISITOR = "visitor"
RESEARCHER = "researcher without a part in it"
APPLICANT = "applicant"
OFFICER = "institution's research officer"
STAFF = "staff of the call's agency"
OTHER_STAFF = "staff of another agency"
PD = "program director of the agency"
PM = "program manager of the agency"
ASSIGNED = "assigned reviewer"
OTHER_REVIEWER = "another reviewer"
CONFLICTED = "reviewer in conflict"
ROLES = [VISITOR, RESEARCHER, APPLICANT, OFFICER, STAFF, OTHER_STAFF, PD, PM, ASSIGNED,
         OTHER_REVIEWER, CONFLICTED]  # fmt: skip


@dataclass
class Ctx:
    round: ReviewRound
    a: ReviewAssignment  # the assignment every reviewer operation is tried on
    people: dict[str, User | None]
    free_reviewer: User  # in the pool, not yet on the assignment's proposal


@pytest.fixture
def ctx(reviewing) -> Ctx:
    world = reviewing.world
    staff = world.nedo_staff
    services.auto_assign(reviewing.round, actor=staff)
    p0 = reviewing.proposals[0]
    a = ReviewAssignment.objects.filter(round=reviewing.round, proposal=p0).order_by("id").first()
    on_p0 = set(
        ReviewAssignment.objects.filter(round=reviewing.round, proposal=p0).values_list(
            "reviewer_id", flat=True
        )
    )
    free = next(r for r in reviewing.reviewers if r.pk not in on_p0)
    other = next(r for r in reviewing.reviewers if r.pk != a.reviewer_id)
    nedo = Organisation.objects.get(code="nedo")
    pd, pm = UserFactory(username="pd"), UserFactory(username="pm")
    assign_role(pd, Role.PROGRAM_DIRECTOR, organisation=nedo)
    assign_role(pm, Role.PROGRAM_MANAGER, organisation=nedo)
    # Asked before its conflict was stored: the colleague's own request on the same proposal.
    ReviewAssignment.objects.create(
        round=reviewing.round, proposal=p0, reviewer=reviewing.colleague, status=A.INVITED
    )
    people: dict[str, User | None] = {
        VISITOR: None, RESEARCHER: world.stranger, APPLICANT: world.applicant,
        OFFICER: world.officer, STAFF: staff, OTHER_STAFF: world.jst_staff, PD: pd, PM: pm,
        ASSIGNED: a.reviewer, OTHER_REVIEWER: other, CONFLICTED: reviewing.colleague,
    }  # fmt: skip
    return Ctx(reviewing.round, a, people, free)


def _open(c: Ctx) -> None:
    services.open_round(c.round, actor=c.people[STAFF])


def _accepted(c: Ctx) -> None:
    _open(c)
    services.accept_assignment(
        c.a, actor=c.a.reviewer, confirmed_no_conflict=True, accepted_confidentiality=True
    )


def _remove_the_conflicted_request(c: Ctx) -> None:
    conflicted = ReviewAssignment.objects.get(
        reviewer=c.people[CONFLICTED], proposal=c.a.proposal_id
    )
    services.remove_assignment(conflicted, actor=c.people[STAFF])


SCORES = {"score_novelty": "5", "score_feasibility": "4", "score_impact": "4"}


@dataclass(frozen=True)
class Op:
    """One operation on the pages: what it needs first, the request, and its effect."""

    prepare: Callable[[Ctx], None]
    url: Callable[[Ctx], str]
    data: Callable[[Ctx], dict[str, str]]
    done: Callable[[Ctx], bool]  # the state the operation brings, read afresh
    action: str  # the audit entry it writes


def _round_status(c: Ctx) -> str:
    return ReviewRound.objects.get(pk=c.round.pk).status


def _a_status(c: Ctx) -> str:
    return ReviewAssignment.objects.get(pk=c.a.pk).status


OPS: dict[str, Op] = {
    "assign reviewers automatically": Op(
        # The conflicted request is taken off first: auto_assign fails on it (see the
        # test of that below).
        lambda c: _remove_the_conflicted_request(c),
        lambda c: f"/ja/reviews/rounds/{c.round.pk}/assign/", lambda c: {},
        lambda c: AuditEntry.objects.filter(action="review.round.assigned").count() == 2,
        "review.round.assigned",
    ),
    "open the round": Op(
        lambda c: None, lambda c: f"/ja/reviews/rounds/{c.round.pk}/open/", lambda c: {},
        lambda c: _round_status(c) == R.OPEN, "review.round.open",
    ),
    "close the round": Op(
        _open, lambda c: f"/ja/reviews/rounds/{c.round.pk}/close/", lambda c: {},
        lambda c: _round_status(c) == R.CLOSED, "review.round.closed",
    ),
    "add a reviewer by hand": Op(
        lambda c: None, lambda c: f"/ja/reviews/rounds/{c.round.pk}/add/",
        lambda c: {"proposal": str(c.a.proposal_id), "reviewer": str(c.free_reviewer.pk)},
        lambda c: ReviewAssignment.objects.filter(
            proposal=c.a.proposal_id, reviewer=c.free_reviewer
        ).exists(),
        "review.assignment.added",
    ),
    "remove an assignment": Op(
        lambda c: None,
        lambda c: f"/ja/reviews/rounds/{c.round.pk}/assignments/{c.a.pk}/remove/",
        lambda c: {}, lambda c: _a_status(c) == A.REMOVED, "review.assignment.removed",
    ),
    "accept a review request": Op(
        _open, lambda c: f"/ja/reviews/{c.a.pk}/answer/",
        lambda c: {"decision": "accept", "no_conflict": "on", "confidentiality": "on"},
        lambda c: _a_status(c) == A.ACCEPTED, "review.assignment.accepted",
    ),
    "decline a review request": Op(
        _open, lambda c: f"/ja/reviews/{c.a.pk}/answer/", lambda c: {"decision": "decline"},
        lambda c: _a_status(c) == A.DECLINED, "review.assignment.declined",
    ),
    "declare a conflict": Op(
        _open, lambda c: f"/ja/reviews/{c.a.pk}/answer/",
        lambda c: {"decision": "conflict", "reason": "共同研究者"},
        lambda c: _a_status(c) == A.DECLINED, "review.assignment.declined",
    ),
    "submit the review": Op(
        _accepted, lambda c: f"/ja/reviews/{c.a.pk}/save/",
        lambda c: SCORES | {"comment": "良い", "action": "submit"},
        lambda c: _a_status(c) == A.SUBMITTED, "review.assignment.submitted",
    ),
}  # fmt: skip
# Who may make each move on the pages; every other role is answered 404 (a visitor is
# sent to sign in) and nothing changes.
PAGE_MATRIX = {
    "assign reviewers automatically": {STAFF},
    "open the round": {STAFF},
    "close the round": {STAFF},
    "add a reviewer by hand": {STAFF},
    "remove an assignment": {STAFF},
    "accept a review request": {ASSIGNED},
    "decline a review request": {ASSIGNED},
    "declare a conflict": {ASSIGNED},
    "submit the review": {ASSIGNED},
}
assert set(PAGE_MATRIX) == set(OPS)


def _post(client: Client, user: User | None, url: str, data: dict[str, str]) -> Any:
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.post(url, data)


def _audit(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


@pytest.mark.django_db
@pytest.mark.parametrize("operation", list(PAGE_MATRIX))
def test_the_roles_not_in_the_matrix_are_refused_and_change_nothing(client, ctx, operation):
    op = OPS[operation]
    op.prepare(ctx)
    before = _audit(op.action)
    for role in ROLES:
        if role in PAGE_MATRIX[operation]:
            continue
        response = _post(client, ctx.people[role], op.url(ctx), op.data(ctx))
        if role == VISITOR:
            assert response.status_code == 302
            assert "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 404, (operation, role, response.status_code)
        assert not op.done(ctx), (operation, role)
        assert _audit(op.action) == before, (operation, role)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("operation", "role"),
    [(operation, role) for operation, roles in PAGE_MATRIX.items() for role in sorted(roles)],
)
def test_the_roles_in_the_matrix_make_the_move_with_its_audit_entry(client, ctx, operation, role):
    op = OPS[operation]
    op.prepare(ctx)
    before = _audit(op.action)
    response = _post(client, ctx.people[role], op.url(ctx), op.data(ctx))
    assert response.status_code in (200, 302), response.status_code
    assert op.done(ctx)
    assert _audit(op.action) == before + 1


# The reviewer's services say themselves whose assignment it is (the pages answer 404 first).
REVIEWER_SERVICES: dict[str, Callable[[ReviewAssignment, User], Any]] = {
    "accept": lambda a, u: services.accept_assignment(
        a, actor=u, confirmed_no_conflict=True, accepted_confidentiality=True
    ),
    "decline": lambda a, u: services.decline_assignment(a, actor=u),
    "declare a conflict": lambda a, u: services.declare_conflict(a, actor=u),
    "save a draft": lambda a, u: services.save_review(a, actor=u, scores={}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("operation", list(REVIEWER_SERVICES))
def test_only_the_assigned_reviewer_may_answer_or_write_in_the_service(ctx, operation):
    _open(ctx)
    for role in ROLES:
        user = ctx.people[role]
        if role in (VISITOR, ASSIGNED) or user is None:
            continue
        with pytest.raises(PermissionDenied):
            REVIEWER_SERVICES[operation](ctx.a, user)
    assert _a_status(ctx) == A.INVITED
    assert not Review.objects.filter(assignment=ctx.a).exists()
    assert (
        not AuditEntry.objects.filter(
            action__startswith="review.assignment.", object_id=str(ctx.a.pk)
        )
        .exclude(action="review.assignment.invited")
        .exists()
    )


@pytest.mark.django_db
def test_the_reviewer_in_conflict_cannot_accept_their_own_request(client, ctx):
    _open(ctx)
    colleague = ctx.people[CONFLICTED]
    own = ReviewAssignment.objects.get(reviewer=colleague, proposal=ctx.a.proposal_id)
    assert _post(client, colleague, f"/ja/reviews/{own.pk}/", {}).status_code in (404, 405)
    response = _post(
        client, colleague, f"/ja/reviews/{own.pk}/answer/",
        {"decision": "accept", "no_conflict": "on", "confidentiality": "on"},
    )  # fmt: skip
    assert response.status_code == 404
    with pytest.raises(Refused) as refused:
        services.accept_assignment(
            own, actor=colleague, confirmed_no_conflict=True, accepted_confidentiality=True
        )
    assert "review.conflicted" in refused.value.decision.codes()
    assert ReviewAssignment.objects.get(pk=own.pk).status == A.INVITED
    assert _audit("review.assignment.accepted") == 0


# The selection: the service decides who may (the agency's staff or its PD).
DECIDE_PERMITTED = {STAFF, PD}


def _reviewed_and_closed(c: Ctx) -> None:
    _open(c)
    for a in ReviewAssignment.objects.filter(
        round=c.round, proposal=c.a.proposal_id, status=A.INVITED
    ).exclude(reviewer=c.people[CONFLICTED]):
        services.accept_assignment(
            a, actor=a.reviewer, confirmed_no_conflict=True, accepted_confidentiality=True
        )
        services.save_review(
            a, actor=a.reviewer, scores={"novelty": 5, "feasibility": 4, "impact": 4},
            comment="良い", submit=True,
        )  # fmt: skip
    services.close_round(c.round, actor=c.people[STAFF])


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", [S.SELECTED, S.WAITLISTED, S.REJECTED])
def test_only_the_agency_decides_on_a_proposal(ctx, outcome):
    _reviewed_and_closed(ctx)
    proposal = ctx.a.proposal
    for role in ROLES:
        user = ctx.people[role]
        if role in DECIDE_PERMITTED or user is None:
            continue
        with pytest.raises(PermissionDenied):
            services.decide(ctx.round, proposal, outcome, actor=user, reason="理由")
    assert not Selection.objects.exclude(status=S.UNDECIDED).exists()
    assert _audit(f"review.selection.{outcome}") == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(DECIDE_PERMITTED))
def test_the_agencys_staff_and_pd_decide_with_the_audit_entry(ctx, role):
    _reviewed_and_closed(ctx)
    decided = services.decide(
        ctx.round, ctx.a.proposal, S.WAITLISTED, actor=ctx.people[role], reason="補欠"
    )
    assert decided.status == S.WAITLISTED
    assert _audit("review.selection.waitlisted") == 1
    # A waitlisted proposal is later selected; a selected one is decided for good.
    services.decide(ctx.round, ctx.a.proposal, S.SELECTED, actor=ctx.people[role], reason="繰上げ")
    with pytest.raises(Refused) as refused:
        services.decide(
            ctx.round, ctx.a.proposal, S.REJECTED, actor=ctx.people[role], reason="取消"
        )
    assert refused.value.decision.codes() == ["review.selection_transition_not_allowed"]
    assert Selection.objects.get(proposal=ctx.a.proposal).status == S.SELECTED


@pytest.mark.django_db
def test_assigning_again_after_a_conflict_is_found_on_a_live_assignment(client, ctx):
    from datetime import date

    from openrd.accounts.models import Affiliation

    _remove_the_conflicted_request(ctx)
    _open(ctx)
    # The assigned reviewer joins the applicant's company after the invitation.
    Affiliation.objects.create(
        person=ctx.a.reviewer, organisation=ctx.a.proposal.institution, kind="visiting",
        start_date=date(2024, 4, 1),
    )  # fmt: skip
    response = _post(client, ctx.people[STAFF], f"/ja/reviews/rounds/{ctx.round.pk}/assign/", {})
    assert response.status_code in (200, 302)
    # The request is withdrawn with its audit entry and never proposed again.
    ctx.a.refresh_from_db()
    assert ctx.a.status == A.REMOVED
    assert _audit("review.assignment.removed") >= 2  # the earlier removal and this one
    assert not ReviewAssignment.objects.filter(
        proposal=ctx.a.proposal_id, reviewer=ctx.a.reviewer, status__in=LIVE
    ).exists()
