"""The demo's lifecycle after endorsement: a closed, decided SBIR Phase 1 round, its
award, and the same company's Phase 2 under another ministry (連結型)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openrd.awards import phases
from openrd.awards.models import Award
from openrd.core.models import AuditEntry
from openrd.portal.demo import load_demo
from openrd.portal.demo_lifecycle import ROUND_NAMES
from openrd.review.models import Review, ReviewAssignment, ReviewRound, Selection

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return load_demo()


def _round(phase: str) -> ReviewRound:
    return ReviewRound.objects.select_related("call__topic", "call__presenting_ministry").get(
        name_ja=ROUND_NAMES[phase][0]
    )


def test_the_phase_1_round_is_closed_with_every_review_submitted_and_three_decisions(demo):
    review_round = _round("phase1")
    call = review_round.call
    assert (review_round.status, call.status) == ("closed", "closed")
    assert (call.topic.code, call.presenting_ministry.code) == ("phase1", "meti")
    assignments = ReviewAssignment.objects.filter(round=review_round)
    assert assignments.count() == 6
    assert set(assignments.values_list("status", flat=True)) == {"submitted"}
    assert {a.reviewer.username for a in assignments} == {"reviewer", "reviewer-b"}
    reviews = Review.objects.filter(assignment__round=review_round)
    assert all(r.submitted_at and r.comment and r.scores for r in reviews)
    decided = {s.status: s for s in Selection.objects.filter(round=review_round)}
    assert sorted(decided) == ["rejected", "selected", "waitlisted"]
    assert all(s.reason and s.decided_by.username == "nedo" for s in decided.values())
    assert decided["selected"].proposal.applicant.username == "startup"
    assert decided["selected"].proposal.title_ja.endswith("（デモ）")


def test_the_selected_phase_1_proposal_has_its_award_with_the_gate_passed(demo):
    selected = Selection.objects.get(round=_round("phase1"), status="selected")
    award = Award.objects.get(proposal=selected.proposal)
    assert award.institution.code == "sakura-quantum"
    assert award.pm is not None
    assert award.pm.username == "pm"
    assert award.budget_lines.exists()
    assert award.stage_gates.filter(status="continue", decided_by__username="nedo").count() == 1
    assert not award.stage_gates.filter(status="pending").exists()
    # The phase is over and owes nothing: completed, every report in and accepted.
    assert award.status == "completed"
    assert award.reports.exists()
    assert set(award.reports.values_list("status", flat=True)) == {"accepted"}
    assert not Award.objects.filter(proposal__in=Selection.objects.exclude(status="selected")
                                    .values("proposal")).exists()  # fmt: skip


def test_phase_2_continues_phase_1_as_a_hand_off_and_both_pages_render(client, demo):
    review_round = _round("phase2")
    assert review_round.status == "closed"
    assert (review_round.call.topic.code, review_round.call.presenting_ministry.code) == (
        "phase2",
        "mlit",
    )
    selected = Selection.objects.get(round=review_round, status="selected")
    two = Award.objects.get(proposal=selected.proposal)
    one = two.previous_award
    assert one is not None
    assert one.call.topic.code == "phase1"
    assert one.institution_id == two.institution_id
    assert phases.is_handoff(two)
    assert [a.pk for a in phases.phase_path(two)] == [one.pk, two.pk]
    entry = AuditEntry.objects.get(action="awards.award.next_phase")
    assert entry.after["handoff"] is True
    page = client.get(f"/ja/awards/{two.pk}/")
    assert page.status_code == 200
    assert one.grant_number in page.content.decode()
    assert "他府省のフェーズから連結" in page.content.decode()
    page = client.get(f"/ja/awards/{one.pk}/")
    assert page.status_code == 200
    assert two.grant_number in page.content.decode()


def test_loading_twice_creates_nothing_new_and_costs_one_query(demo):
    assert len(demo["lifecycle_created"]) == 4
    counts = (Award.objects.count(), ReviewRound.objects.count(), AuditEntry.objects.count())
    with CaptureQueriesContext(connection) as queries:
        again = load_demo()
    assert again["lifecycle_created"] == []
    assert (Award.objects.count(), ReviewRound.objects.count(), AuditEntry.objects.count()) == (
        counts
    )
    # The lifecycle asks one question of the rounds on a reload.
    assert sum("review_reviewround" in q["sql"] for q in queries.captured_queries) <= 2


def test_the_agency_finds_the_closed_rounds_among_its_rounds(client, demo):
    from openrd.accounts.models import User

    client.force_login(User.objects.get(username="nedo"))
    listing = client.get("/ja/reviews/rounds/").content.decode()
    for phase in ("phase1", "phase2"):
        assert ROUND_NAMES[phase][0] in listing
        assert client.get(f"/ja/reviews/rounds/{_round(phase).pk}/").status_code == 200
