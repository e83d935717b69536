"""Awards: from a selected proposal or recorded directly, their gates, and the public API."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.awards import services
from openrd.awards.models import Award, StageGate
from openrd.core.models import AuditEntry
from openrd.core.refusals import Refused
from openrd.programs.models import Call, Program
from openrd.review import services as review
from openrd.review.models import ReviewAssignment, SelectionOutcome

pytestmark = pytest.mark.django_db

SCORES = {"novelty": "5", "feasibility": "4", "impact": "4"}


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


@pytest.fixture
def moonshot_award(loaded_programs):
    jst = Organisation.objects.get(code="jst")
    staff = UserFactory(username="jst-staff")
    assign_role(staff, Role.AGENCY_STAFF, organisation=jst)
    award = services.create_award(
        actor=staff,
        program=Program.objects.get(code="moonshot"),
        grant_number="MS6-PM1",
        japan_grant_number="JPMJMS2061",
        title_ja="誤り耐性型汎用量子コンピュータの研究開発",
        title_en="Research and development of fault-tolerant universal quantum computers",
        pi_name_ja="研究 太郎",
        institution=jst,
        starts_on=date(2020, 12, 1),
        ends_on=date(2030, 11, 30),
        budget=[(2023, 500_000_000), (2024, 520_000_000)],
        gates=[("3年目評価", "Year 3 review", date(2023, 11, 30))],
    )
    return award, staff


def test_a_selected_proposal_becomes_an_award_with_its_endorsed_title(selected, reviewing):
    staff = reviewing.world.nedo_staff
    award = services.award_selected_proposal(
        selected,
        actor=staff,
        starts_on=date(2026, 4, 1),
        ends_on=date(2027, 3, 31),
        budget=[(2026, 10_000_000)],
    )
    assert award.proposal_id == selected.proposal_id
    assert award.title_ja == selected.proposal.endorsed_title_ja
    assert award.institution_id == selected.proposal.institution_id
    assert award.grant_number == "SBIR-2026-0001"
    assert AuditEntry.objects.filter(action="awards.award.created").exists()
    with pytest.raises(ValidationError):
        services.award_selected_proposal(
            selected, actor=staff, starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31),
            budget=[],
        )  # fmt: skip


def test_only_the_programs_agency_makes_the_award(selected, reviewing):
    with pytest.raises(PermissionDenied):
        services.award_selected_proposal(
            selected, actor=reviewing.world.jst_staff, starts_on=date(2026, 4, 1),
            ends_on=date(2027, 3, 31), budget=[],
        )  # fmt: skip


def test_a_moonshot_award_longer_than_ten_years_is_refused(moonshot_award):
    _award, staff = moonshot_award
    with pytest.raises(Refused) as refused:
        services.create_award(
            actor=staff, program=Program.objects.get(code="moonshot"), grant_number="MS-X",
            title_ja="長すぎる課題", pi_name_ja="研究 花子",
            institution=Organisation.objects.get(code="jst"),
            starts_on=date(2020, 12, 1), ends_on=date(2030, 12, 1),
        )  # fmt: skip
    assert refused.value.decision.codes() == ["award.period_too_long"]
    assert not Award.objects.filter(grant_number="MS-X").exists()


def test_bad_fields_are_named(moonshot_award):
    _award, staff = moonshot_award
    with pytest.raises(ValidationError) as error:
        services.create_award(
            actor=staff, program=Program.objects.get(code="moonshot"), grant_number="MS6-PM1",
            title_ja=" ", pi_name_ja="", institution=Organisation.objects.get(code="jst"),
            starts_on=date(2021, 4, 1), ends_on=date(2022, 3, 31),
            budget=[(2021, "12億"), (2021, 1)],
        )  # fmt: skip
    assert set(error.value.message_dict) == {"grant_number", "title_ja", "pi_name_ja"}


def _call(program: Program, code: str) -> Call:
    return Call.objects.create(
        program=program, agency=Organisation.objects.get(code="jst"), code=code,
        title_ja="公募", opens_at=datetime(2025, 4, 1, tzinfo=UTC),
        closes_at=datetime(2025, 6, 1, tzinfo=UTC), fiscal_year=2025, first_budget_year=2025,
        last_budget_year=2029, total_budget_yen=10**9, cap_per_proposal_yen=10**8,
    )  # fmt: skip


def test_an_award_recorded_after_the_fact_keeps_its_call_of_its_own_program(moonshot_award):
    _award, staff = moonshot_award
    moonshot = Program.objects.get(code="moonshot")
    fields = {
        "actor": staff, "program": moonshot, "title_ja": "追加公募の課題",
        "pi_name_ja": "研究 花子",
        "institution": Organisation.objects.get(code="jst"),
        "starts_on": date(2025, 10, 1), "ends_on": date(2030, 3, 31),
    }  # fmt: skip
    own = _call(moonshot, "ms-2025-additional")
    award = services.create_award(grant_number="MS6-ADD-01", call=own, **fields)
    assert award.call == own
    entry = AuditEntry.objects.get(action="awards.award.created", object_id=str(award.pk))
    assert entry.after["call"] == "ms-2025-additional"

    other = _call(Program.objects.get(code="sip"), "sip-2025-01")
    with pytest.raises(ValidationError) as error:
        services.create_award(grant_number="MS6-ADD-02", call=other, **fields)
    assert set(error.value.message_dict) == {"call"}
    assert not Award.objects.filter(grant_number="MS6-ADD-02").exists()


def test_terminating_at_a_gate_ends_the_award(moonshot_award):
    award, _staff = moonshot_award
    pd = UserFactory(username="pd-jst")
    assign_role(pd, Role.PROGRAM_DIRECTOR, organisation=Organisation.objects.get(code="jst"))
    gate = award.stage_gates.get()
    with pytest.raises(PermissionDenied):
        services.evaluate_gate(gate, "continue", actor=UserFactory(), reasons="x")
    with pytest.raises(Refused) as refused:
        services.evaluate_gate(gate, "modify", actor=pd, reasons="計画見直し")
    assert refused.value.decision.codes() == ["award.gate_changes_missing"]
    services.evaluate_gate(gate, "terminate", actor=pd, reasons="目標達成の見込みが低い")
    assert StageGate.objects.get(pk=gate.pk).status == "terminate"
    assert Award.objects.get(pk=award.pk).status == "terminated"
    assert AuditEntry.objects.filter(action="awards.award.terminated").exists()


def test_the_public_api_lists_awards_by_program_with_budgets_and_gates(client, moonshot_award):
    award, _staff = moonshot_award
    listed = client.get("/api/v1/awards?program=moonshot")
    assert listed.status_code == 200
    (item,) = listed.json()
    assert item["grant_number"] == "MS6-PM1"
    assert item["program"] == "moonshot"
    assert item["status"] == "active"
    assert item["pi"]["name_ja"] == "研究 太郎"
    assert item["institution"]["code"] == "jst"
    assert [b["fiscal_year"] for b in item["budget"]] == [2023, 2024]
    assert client.get("/api/v1/awards?program=sip").json() == []
    detail = client.get(f"/api/v1/awards/{award.pk}").json()
    assert detail["stage_gates"][0]["name_ja"] == "3年目評価"
    assert detail["stage_gates"][0]["outcome"] == "pending"
    assert client.get("/api/v1/awards/999999").status_code == 404


def test_an_awards_public_record_carries_nothing_of_the_review(client, selected, reviewing):
    staff = reviewing.world.nedo_staff
    award = services.award_selected_proposal(
        selected, actor=staff, starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31),
        budget=[(2026, 10_000_000)],
    )  # fmt: skip
    body = client.get(f"/api/v1/awards/{award.pk}").content.decode()
    for a in ReviewAssignment.objects.filter(proposal=award.proposal):
        assert a.reviewer.username not in body
        assert a.review.comment not in body
    assert "高評価" not in body  # the selection's reason stays with the agency
