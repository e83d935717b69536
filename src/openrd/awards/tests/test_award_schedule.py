"""A new award gets the program's gate schedule (operating settings) and its reports."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.awards import services
from openrd.awards.models import Award, AwardReport
from openrd.core.models import AuditEntry
from openrd.programs.models import Program

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(loaded_programs):
    person = UserFactory(username="nedo-staff")
    assign_role(person, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    return person


def make(staff, program: str, starts_on: date, ends_on: date, **extra) -> Award:
    return services.create_award(
        actor=staff,
        program=Program.objects.get(code=program),
        grant_number=f"{program.upper()}-TEST",
        title_ja="試験課題",
        pi_name_ja="研究 花子",
        institution=Organisation.objects.get(code="nedo"),
        starts_on=starts_on,
        ends_on=ends_on,
        **extra,
    )


def gates(award: Award) -> list[tuple[str, str, date]]:
    return [(g.name_ja, g.name_en, g.due_on) for g in award.stage_gates.order_by("due_on")]


def test_a_moonshot_award_gets_gates_after_years_3_and_5(staff):
    award = make(staff, "moonshot", date(2020, 12, 1), date(2030, 11, 30))
    assert gates(award) == [
        ("第3年度末ステージゲート", "Stage gate after year 3", date(2023, 11, 30)),
        ("第5年度末ステージゲート", "Stage gate after year 5", date(2025, 11, 30)),
    ]


def test_a_sip_award_shorter_than_3_years_gets_no_gate(staff):
    assert gates(make(staff, "sip", date(2023, 4, 1), date(2025, 3, 31))) == []


def test_an_sbir_award_gets_its_phase_gate_on_its_last_day(staff):
    award = make(staff, "sbir", date(2025, 4, 1), date(2026, 3, 31))
    assert gates(award) == [("フェーズ終了時ゲート", "Phase gate at the end", date(2026, 3, 31))]


def test_gates_given_explicitly_replace_the_schedule(staff):
    award = make(
        staff, "moonshot", date(2020, 12, 1), date(2030, 11, 30),
        gates=[("中間評価", "Interim review", date(2024, 6, 1))],
    )  # fmt: skip
    assert gates(award) == [("中間評価", "Interim review", date(2024, 6, 1))]
    assert gates(make(staff, "sip", date(2023, 4, 1), date(2028, 3, 31), gates=[])) == []


def test_a_new_award_has_its_progress_and_final_reports(staff):
    award = make(staff, "sip", date(2023, 4, 1), date(2026, 3, 31))
    rows = [(r.kind, r.fiscal_year, r.due_on) for r in award.reports.order_by("due_on")]
    assert rows == [
        ("progress", 2023, date(2024, 5, 31)),
        ("progress", 2024, date(2025, 5, 31)),
        ("final", None, date(2026, 5, 31)),
    ]
    entry = AuditEntry.objects.get(action="awards.reports.scheduled", object_id=str(award.pk))
    assert entry.actor_id == staff.pk


def test_an_award_is_not_recorded_without_its_reports(loaded_programs):
    # Reports are scheduled by the program's agency: anyone else leaves no award behind.
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        make(outsider, "sip", date(2023, 4, 1), date(2026, 3, 31))
    assert not Award.objects.exists()
    assert not AwardReport.objects.exists()
