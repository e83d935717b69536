"""The effort ledger kept in step by hand-down, and the 100 % limit at submission and award."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from openrd.accounts.models import Organisation
from openrd.awards import services as awards
from openrd.awards.models import Award
from openrd.core.models import AuditEntry
from openrd.core.refusals import Refused
from openrd.integrity.effort.queries import effort_facts, ledger
from openrd.integrity.effort.services import record_commitment
from openrd.integrity.handdown import ResearchRecord
from openrd.integrity.models_effort import EffortCommitment
from openrd.integrity.services import pledge, save_disclosure
from openrd.proposals import services as proposals
from openrd.proposals.models import ProposalVersion
from openrd.proposals.tests import conftest as proposal_fixtures
from openrd.proposals.tests.test_receipts import COMPLETE, submitted_draft
from openrd.review import services as review
from openrd.review.models import ReviewAssignment, SelectionOutcome
from openrd.review.tests import conftest as review_fixtures

pytestmark = pytest.mark.django_db

# The proposals' and review's test worlds, offered here by name as fixtures.
world = proposal_fixtures.world
reviewing = review_fixtures.reviewing

POSITION = {
    "organisation": "さくら量子株式会社", "country": "JP", "title": "代表取締役",
    "kind": "primary", "paid": True, "start": "2015-06-01", "end": None,
}  # fmt: skip
SCORES = {"novelty": "5", "feasibility": "4", "impact": "4"}


def funding(title: str, effort: int, *, status: str = "current", on_platform: bool = False):
    return {
        "status": status, "program": "民間助成", "title": title, "funder": "さくら財団",
        "country": "JP", "start": "2024-04-01", "end": None, "amount_yen": 3_000_000,
        "effort_percent": effort, "nda": False, "on_platform": on_platform,
    }  # fmt: skip


def disclose(person, *fundings) -> None:
    save_disclosure(person, actor=person, fundings=list(fundings), positions=[POSITION])
    pledge(person, actor=person)


def award_line(person, effort: int, *, key: str = "award:9001", title: str = "既存の採択課題"):
    """An active award line, as the awards app hands it down."""
    record_commitment(
        ResearchRecord(
            source_key=key, kind="award", person_id=person.pk, active=True,
            agency_id=Organisation.objects.get(code="nedo").pk, program_code="sbir",
            title_ja=title, effort_percent=effort, starts_on=date(2025, 4, 1),
            ends_on=date(2028, 3, 31), amount_by_year={2026: 5_000_000},
        )
    )  # fmt: skip


def draft_with_effort(on, effort: int):
    changes = proposals.DraftChanges(
        fields=COMPLETE.fields | {"effort_percent": effort}, budget=COMPLETE.budget
    )
    return submitted_draft(on, changes=changes)


# --- the hand-down door ------------------------------------------------------------


def test_record_commitment_upserts_by_person_and_record_and_retires_on_inactive(world):
    person = world.applicant
    award_line(person, 20)
    award_line(person, 25)
    line = EffortCommitment.objects.get(person=person, source_key="award:9001")
    assert (line.effort_percent, line.active) == (25, True)
    assert line.amount_by_year == {"2026": 5_000_000}
    record_commitment(
        ResearchRecord(source_key="award:9001", kind="award", person_id=person.pk, active=False)
    )
    assert not EffortCommitment.objects.get(pk=line.pk).active


def test_an_award_without_effort_keeps_no_line_and_retires_nothing_else(world):
    person = world.applicant
    award_line(person, 30)
    record_commitment(
        ResearchRecord(
            source_key="award:9002", kind="award", person_id=person.pk, active=True,
            effort_percent=None,
        )
    )  # fmt: skip
    assert list(
        EffortCommitment.objects.filter(person=person).values_list("source_key", "active")
    ) == [("award:9001", True)]


def test_submit_makes_a_pending_line_and_withdraw_retires_it(world):
    p = draft_with_effort(world, 35)
    proposals.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    line = EffortCommitment.objects.get(source_key=f"proposal:{p.pk}")
    assert (line.source, line.effort_percent, line.active) == ("proposal", 35, True)
    assert line.agency.code == "nedo"
    assert [(x.key, x.awarded) for x in ledger(world.applicant).lines] == [
        (f"proposal:{p.pk}", False)
    ]
    proposals.withdraw_proposal(p, actor=world.applicant)
    assert not EffortCommitment.objects.get(pk=line.pk).active
    assert ledger(world.applicant).lines == ()


# --- the limit at submission -------------------------------------------------------


def test_submit_is_allowed_at_exactly_100_percent(world):
    # 40 (award) + 30 (outside, current) + 30 (this proposal) = 100; the pending
    # application and the on-platform disclosure entry do not count.
    award_line(world.applicant, 40)
    disclose(
        world.applicant,
        funding("民間財団の助成", 30),
        funding("応募中の海外助成", 50, status="pending"),
        funding("当プラットフォームの課題", 40, on_platform=True),
    )
    p = draft_with_effort(world, 30)
    version = proposals.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    assert version.number == 1
    assert ledger(world.applicant).awarded_percent == 70


def test_submit_is_refused_at_101_percent_with_the_breakdown_and_writes_nothing(world):
    award_line(world.applicant, 40)
    disclose(world.applicant, funding("民間財団の助成", 30))
    p = draft_with_effort(world, 31)
    with translation.override("en"), pytest.raises(Refused) as refused:
        proposals.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    decision = refused.value.decision
    assert decision.codes() == ["effort.over_100"]
    message = decision.reasons[0].message
    assert "101%" in message
    assert "既存の採択課題 40%" in message
    assert "民間財団の助成 30%" in message
    assert f"{COMPLETE.fields['title_ja']} (this one) 31%" in message
    assert not ProposalVersion.objects.filter(proposal=p).exists()
    assert not EffortCommitment.objects.filter(source_key=f"proposal:{p.pk}").exists()
    assert not AuditEntry.objects.filter(action="proposals.proposal.submitted").exists()


def test_a_resubmission_does_not_count_its_own_pending_line(world):
    p = draft_with_effort(world, 60)
    proposals.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    award_line(world.applicant, 40)
    facts = effort_facts(world.applicant, adding_percent=60, exclude_keys=(f"proposal:{p.pk}",))
    assert facts is not None
    assert facts.total_after == 100
    assert effort_facts(world.applicant, adding_percent=None) is None


# --- the limit at award, and the hand-down on award --------------------------------


@pytest.fixture
def selected(reviewing):
    staff = reviewing.world.nedo_staff
    review.auto_assign(reviewing.round, actor=staff)
    review.open_round(reviewing.round, actor=staff)
    p = reviewing.proposals[0]
    for a in ReviewAssignment.objects.filter(round=reviewing.round, proposal=p):
        review.accept_assignment(
            a, actor=a.reviewer, confirmed_no_conflict=True, accepted_confidentiality=True
        )
        review.save_review(a, actor=a.reviewer, scores=SCORES, comment="良い", submit=True)
    review.close_round(reviewing.round, actor=staff)
    return review.decide(
        reviewing.round, p, SelectionOutcome.SELECTED, actor=staff, reason="高評価"
    )


def make_award(selected, staff):
    return awards.award_selected_proposal(
        selected, actor=staff, starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31),
        budget=[(2026, 10_000_000)],
    )  # fmt: skip


def test_an_award_over_100_percent_is_refused_with_the_breakdown(selected, reviewing):
    applicant = reviewing.world.applicant
    award_line(applicant, 61)  # + the selected proposal's 40 = 101
    with translation.override("en"), pytest.raises(Refused) as refused:
        make_award(selected, reviewing.world.nedo_staff)
    assert refused.value.decision.codes() == ["effort.over_100"]
    message = refused.value.decision.reasons[0].message
    assert "101%" in message
    assert "既存の採択課題 61%" in message
    assert not Award.objects.filter(proposal=selected.proposal).exists()


def test_an_award_at_exactly_100_percent_moves_the_proposal_line_to_an_award_line(
    selected, reviewing
):
    applicant = reviewing.world.applicant
    award_line(applicant, 60)  # + 40 = 100; the other pending proposal does not count
    proposal_key = f"proposal:{selected.proposal_id}"
    assert EffortCommitment.objects.get(source_key=proposal_key).active
    award = make_award(selected, reviewing.world.nedo_staff)
    award_commitment = EffortCommitment.objects.get(source_key=f"award:{award.pk}")
    assert (award_commitment.source, award_commitment.effort_percent) == ("award", 40)
    assert award_commitment.active
    assert not EffortCommitment.objects.get(source_key=proposal_key).active
    assert ledger(applicant).awarded_percent == 100
