"""SBIR's staged path, the refusals test_phases.py leaves out: a Phase 3 award cannot
continue a Phase 1 award (no skipping Phase 2), and another company's proposal does
not continue the project; neither writes an award or an audit entry."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.awards import phases, services
from openrd.awards.models import Award
from openrd.awards.tests.test_phases import selected_in
from openrd.core.models import AuditEntry
from openrd.core.refusals import Refused
from openrd.integrity.services import pledge, save_disclosure
from openrd.programs.models import ProgramElement
from openrd.proposals.tests.conftest import make_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def phase_one(world):
    pool = UserFactory(username="sbir-reviewer", roles=[Role.REVIEWER])
    from openrd.review import services as review

    review.save_reviewer(pool, actor=world.nedo_staff, research_fields=["量子"],
                         keywords=["量子", "センサ"], max_load=5)  # fmt: skip
    phase = {e.code: e for e in ProgramElement.objects.filter(program__code="sbir", kind="phase")}
    meti, mext = (Organisation.objects.get(code=c) for c in ("meti", "mext"))
    calls = {
        "phase1": make_call(code="sbir-p1", topic=phase["phase1"], presenting_ministry=meti),
        "phase2": make_call(code="sbir-p2", topic=phase["phase2"], presenting_ministry=mext),
        "phase3": make_call(code="sbir-p3", topic=phase["phase3"], presenting_ministry=mext),
    }
    one = services.award_selected_proposal(
        selected_in(world, calls["phase1"], "量子センサのFS調査", "p1"), actor=world.nedo_staff,
        starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31), budget=[(2026, 10_000_000)],
    )  # fmt: skip
    services.change_award_status(one, "completed", actor=world.nedo_staff, reason="理由")
    return one, calls


def _nothing_written(before: int) -> None:
    assert Award.objects.count() == before
    assert not AuditEntry.objects.filter(action="awards.award.next_phase").exists()


def test_phase_3_cannot_continue_phase_1_skipping_phase_2(world, phase_one):
    one, calls = phase_one
    p3 = selected_in(world, calls["phase3"], "量子センサの大規模実証", "p3")
    before = Award.objects.count()
    with pytest.raises(Refused) as refused:
        phases.award_next_phase(p3, previous=one, actor=world.nedo_staff,
                                starts_on=date(2027, 4, 1), ends_on=date(2029, 3, 31),
                                budget=[(2027, 300_000_000)])  # fmt: skip
    assert refused.value.decision.codes() == ["award.phase_not_next"]
    _nothing_written(before)


def test_another_companys_phase_2_proposal_does_not_continue_the_project(world, phase_one):
    one, calls = phase_one
    rival = upsert_organisation(code="momiji", kind="startup", name_ja="もみじ計測",
                                is_sme=True, founded_on=date(2016, 4, 1))  # fmt: skip
    founder = UserFactory(username="rival", organisation=rival, roles=[Role.RESEARCHER],
                          erad_researcher_number="55556666")  # fmt: skip
    officer = UserFactory(username="rival-officer")
    assign_role(officer, Role.INSTITUTION_OFFICER, organisation=rival)
    save_disclosure(founder, actor=founder, fundings=[], positions=[
        {"organisation": "もみじ計測株式会社", "country": "JP", "title": "代表取締役",
         "kind": "primary", "paid": True, "start": "2016-04-01", "end": None}])  # fmt: skip
    pledge(founder, actor=founder)
    theirs = dataclasses.replace(world, applicant=founder, officer=officer)
    p2 = selected_in(theirs, calls["phase2"], "配管の量子センサ開発", "r2")
    before = Award.objects.count()
    with pytest.raises(Refused) as refused:
        phases.award_next_phase(p2, previous=one, actor=world.nedo_staff,
                                starts_on=date(2027, 4, 1), ends_on=date(2029, 3, 31),
                                budget=[(2027, 50_000_000)])  # fmt: skip
    assert refused.value.decision.codes() == ["award.phase_other_company"]
    _nothing_written(before)
