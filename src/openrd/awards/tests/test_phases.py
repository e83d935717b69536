"""SBIR's staged selection: Phase 1 → 2 → 3, each a new round and decision, with a
hand-off from one ministry's phase to another's (連結型)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from openrd.accounts.models import Organisation, Role
from openrd.accounts.tests.factories import UserFactory
from openrd.awards import phases, services
from openrd.awards.models import Award
from openrd.awards.phases import NextPhaseFacts, check_next_phase
from openrd.core.models import AuditEntry
from openrd.core.refusals import Refused
from openrd.programs.models import CallCriterion, ProgramElement
from openrd.proposals import services as proposals
from openrd.proposals.tests.conftest import make_call
from openrd.proposals.tests.test_receipts import COMPLETE, submit, submitted_draft
from openrd.review import services as review
from openrd.review.models import ReviewAssignment, SelectionOutcome

PHASES = ("phase1", "phase2", "phase3")


def facts(**overrides):
    fields = {"phases": PHASES, "previous_phase": "phase1", "next_phase": "phase2",
              "previous_status": "completed", "previous_last_gate": "", "same_company": True,
              "same_program": True} | overrides  # fmt: skip
    return NextPhaseFacts(**fields)


def test_the_next_phase_follows_a_completed_or_passed_earlier_phase():
    assert check_next_phase(facts()).allowed
    assert check_next_phase(facts(previous_status="active", previous_last_gate="continue")).allowed
    assert check_next_phase(facts(previous_status="active")).codes() == [
        "award.phase_previous_not_passed"
    ]
    assert check_next_phase(facts(previous_status="terminated")).codes() == [
        "award.phase_previous_not_passed"
    ]


@pytest.mark.parametrize(
    ("previous", "following"), [("phase1", "phase3"), ("phase2", "phase1"), ("", "phase2")]
)
def test_a_phase_cannot_be_skipped_or_repeated(previous, following):
    decision = check_next_phase(facts(previous_phase=previous, next_phase=following))
    assert decision.codes() == ["award.phase_not_next"]


def test_another_company_or_program_does_not_continue_the_project():
    assert check_next_phase(facts(same_company=False)).codes() == ["award.phase_other_company"]
    assert check_next_phase(facts(same_program=False)).codes() == ["award.phase_not_staged"]
    assert check_next_phase(facts(phases=())).codes() == ["award.phase_not_staged"]
    # Every reason cites the seed's rule of staged selection.
    assert "段階的に選抜" in check_next_phase(facts(same_company=False)).reasons[0].source


# --------------------------------------------------------------- the whole path


def selected_in(world, call, title, key):
    """A proposal of the startup to ``call``, reviewed and selected in a round of its own."""
    for order, code in enumerate(["novelty", "feasibility"]):
        CallCriterion.objects.create(call=call, code=code, name_ja=code, weight=50, order=order)
    changes = proposals.DraftChanges(fields=COMPLETE.fields | {"title_ja": title},
                                     budget=COMPLETE.budget)  # fmt: skip
    p = submitted_draft(world, call=call, changes=changes)
    submit(world, p, key=key)
    proposals.endorse_proposal(p, actor=world.officer)
    staff = world.nedo_staff
    rnd = review.create_round(call, actor=staff, name_ja=f"{call.code} 書面審査",
                              due_at=timezone.now() + timedelta(days=7),
                              reviewers_per_proposal=1)  # fmt: skip
    review.auto_assign(rnd, actor=staff)
    review.open_round(rnd, actor=staff)
    (a,) = ReviewAssignment.objects.filter(round=rnd)
    review.accept_assignment(a, actor=a.reviewer, confirmed_no_conflict=True,
                             accepted_confidentiality=True)  # fmt: skip
    review.save_review(a, actor=a.reviewer, scores={"novelty": 5, "feasibility": 4},
                       comment="有望", submit=True)  # fmt: skip
    review.close_round(rnd, actor=staff)
    return review.decide(rnd, p, SelectionOutcome.SELECTED, actor=staff, reason="有望")


@pytest.mark.django_db
def test_phase_1_to_2_with_a_ministry_hand_off_then_phase_3(world):
    pool = UserFactory(username="sbir-reviewer", roles=[Role.REVIEWER])
    review.save_reviewer(pool, actor=world.nedo_staff, research_fields=["量子"],
                         keywords=["量子", "センサ"], max_load=5)  # fmt: skip
    phase = {e.code: e for e in ProgramElement.objects.filter(program__code="sbir", kind="phase")}
    ministry = {code: Organisation.objects.get(code=code) for code in ("meti", "mext")}
    calls = [
        make_call(code="sbir-p1", topic=phase["phase1"], presenting_ministry=ministry["meti"]),
        # Phase 2 under another ministry: the project is handed off (連結型).
        make_call(code="sbir-p2", topic=phase["phase2"], presenting_ministry=ministry["mext"]),
        make_call(code="sbir-p3", topic=phase["phase3"], presenting_ministry=ministry["mext"]),
    ]
    staff = world.nedo_staff
    one = services.award_selected_proposal(
        selected_in(world, calls[0], "量子センサのFS調査", "p1"), actor=staff,
        starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31), budget=[(2026, 10_000_000)],
    )  # fmt: skip
    p2 = selected_in(world, calls[1], "量子センサの実用化開発", "p2")
    # Not before Phase 1 is completed (or has passed its last gate).
    with pytest.raises(Refused) as refused:
        phases.award_next_phase(p2, previous=one, actor=staff, starts_on=date(2027, 4, 1),
                                ends_on=date(2029, 3, 31), budget=[(2027, 50_000_000)])  # fmt: skip
    assert refused.value.decision.codes() == ["award.phase_previous_not_passed"]
    services.change_award_status(one, "completed", actor=staff, reason="理由")
    two = phases.award_next_phase(
        p2, previous=one, actor=staff, starts_on=date(2027, 4, 1), ends_on=date(2029, 3, 31),
        budget=[(2027, 50_000_000), (2028, 50_000_000)],
    )  # fmt: skip
    assert two.previous_award == one
    assert phases.is_handoff(two)
    entry = AuditEntry.objects.get(action="awards.award.next_phase")
    assert entry.after["handoff"] is True
    assert entry.after["phases"] == ["phase1", "phase2"]

    p3 = selected_in(world, calls[2], "量子センサの大規模実証", "p3")
    services.change_award_status(two, "completed", actor=staff, reason="理由")
    # Phase 3 continues Phase 2, not Phase 1, and only once.
    with pytest.raises(Refused):
        phases.award_next_phase(p3, previous=one, actor=staff, starts_on=date(2029, 4, 1),
                                ends_on=date(2031, 3, 31), budget=[])  # fmt: skip
    three = phases.award_next_phase(
        p3, previous=two, actor=staff, starts_on=date(2029, 4, 1), ends_on=date(2031, 3, 31),
        budget=[(2029, 300_000_000)],
    )  # fmt: skip
    assert not phases.is_handoff(three)  # the same ministry as Phase 2
    assert [a.pk for a in phases.phase_path(three)] == [one.pk, two.pk, three.pk]
    assert Award.objects.filter(program__code="sbir").count() == 3


@pytest.mark.django_db
def test_the_award_page_shows_the_phase_it_continues_and_the_hand_off(client, world):
    pool = UserFactory(username="sbir-reviewer", roles=[Role.REVIEWER])
    review.save_reviewer(pool, actor=world.nedo_staff, research_fields=["量子"],
                         keywords=["量子", "センサ"], max_load=5)  # fmt: skip
    phase = {e.code: e for e in ProgramElement.objects.filter(program__code="sbir", kind="phase")}
    one_call = make_call(code="sbir-p1", topic=phase["phase1"],
                         presenting_ministry=Organisation.objects.get(code="meti"))  # fmt: skip
    two_call = make_call(code="sbir-p2", topic=phase["phase2"],
                         presenting_ministry=Organisation.objects.get(code="mext"))  # fmt: skip
    staff = world.nedo_staff
    one = services.award_selected_proposal(
        selected_in(world, one_call, "量子センサのFS調査", "p1"), actor=staff,
        starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31), budget=[],
    )  # fmt: skip
    services.change_award_status(one, "completed", actor=staff, reason="理由")
    two = phases.award_next_phase(
        selected_in(world, two_call, "量子センサの実用化開発", "p2"), previous=one, actor=staff,
        starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31), budget=[],
    )  # fmt: skip
    with translation.override("en"):
        page = client.get(f"/en/awards/{two.pk}/").content.decode()
    assert one.grant_number in page
    assert "handed off from another ministry" in page
    assert two.grant_number in client.get(f"/en/awards/{one.pk}/").content.decode()
