"""Valid call data for the call tests, dated relative to now so they never expire."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.fiscal import fiscal_year_of, to_tokyo
from openrd.programs.models import Call, Program
from openrd.programs.services import create_call

DOCUMENTS = [
    {"code": "research-plan", "name_ja": "研究計画書", "name_en": "Research plan"},
    {"code": "budget-sheet", "name_ja": "予算計画書", "name_en": "Budget plan"},
    {"code": "letter", "name_ja": "支援表明書", "name_en": "Letter of support", "required": False},
]
CRITERIA = [
    {"code": "novelty", "name_ja": "新規性", "name_en": "Novelty", "weight": 60},
    {"code": "team", "name_ja": "実施体制", "name_en": "Team", "weight": 40},
]


def call_fields(**overrides: Any) -> dict[str, Any]:
    """Fields of a JST Moonshot goal-6 call that opened a day ago and closes in 30 days."""
    now = to_tokyo(timezone.now()).replace(microsecond=0)
    opens_at = now - timedelta(days=1)
    fy = fiscal_year_of(opens_at)
    program = Program.objects.get(code="moonshot")
    fields: dict[str, Any] = {
        "program": program,
        "agency": Organisation.objects.get(code="jst"),
        "topic": program.elements.get(code="goal-6"),
        "code": "ms-goal-6-test",
        "title_ja": "ムーンショット目標6 公募",
        "title_en": "Moonshot Goal 6 call",
        "opens_at": opens_at,
        "closes_at": now + timedelta(days=30),
        "fiscal_year": fy,
        "first_budget_year": fy,
        "last_budget_year": fy + 4,
        "total_budget_yen": 12_000_000_000,
        "cap_per_proposal_yen": 3_000_000_000,
        "eligibility": {"max_duration_years": 5},
        "documents": DOCUMENTS,
        "criteria": CRITERIA,
    }
    return fields | overrides


def make_call(actor: Any = None, **overrides: Any) -> Call:
    return create_call(actor=actor, **call_fields(**overrides))


def agency_staff(code: str) -> Any:
    user = UserFactory()
    assign_role(user, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code=code))
    return user


def command_tower_admin() -> Any:
    user = UserFactory()
    assign_role(user, Role.COMMAND_TOWER_ADMIN, organisation=Organisation.objects.get(code="csti"))
    return user
