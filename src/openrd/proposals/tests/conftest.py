"""A small world for proposal tests: an open SBIR call and the people around it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from openrd.accounts.models import Organisation, Role, User
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.core.tests import pdfs
from openrd.integrity.services import pledge, save_disclosure
from openrd.programs.models import Call, CallDocument, Program

PDF = pdfs.plain("canary-free test document")


@dataclass
class World:
    call: Call
    startup: Organisation
    applicant: User
    co_investigator: User
    officer: User
    nedo_staff: User
    jst_staff: User
    stranger: User


def make_call(**overrides) -> Call:
    program = Program.objects.get(code="sbir")
    now = timezone.now()
    fields = {
        "program": program,
        "topic": program.elements.filter(kind="phase").order_by("order").first(),
        "agency": Organisation.objects.get(code="nedo"),
        "presenting_ministry": Organisation.objects.get(code="meti"),
        "code": "sbir-test-01",
        "title_ja": "SBIRフェーズ1 テスト公募",
        "title_en": "SBIR Phase 1 test call",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=10),
        "fiscal_year": 2026,
        "first_budget_year": 2026,
        "last_budget_year": 2027,
        "total_budget_yen": 300_000_000,
        "cap_per_proposal_yen": 20_000_000,
        "eligibility": {"eligible_org_kinds": ["startup", "company"]},
        "status": "open",
    } | overrides
    call = Call.objects.create(**fields)
    CallDocument.objects.create(
        call=call,
        code="plan",
        name_ja="研究計画書",
        name_en="Research plan",
        required=True,
        order=1,
    )
    CallDocument.objects.create(
        call=call,
        code="letter",
        name_ja="支援レター",
        name_en="Letter of support",
        required=False,
        order=2,
    )
    return call


def disclose_and_pledge(person: User, *, end: str | None = None) -> None:
    save_disclosure(
        person,
        actor=person,
        fundings=[],
        positions=[
            {
                "organisation": "さくら量子株式会社",
                "country": "JP",
                "title": "代表取締役",
                "kind": "primary",
                "paid": True,
                "start": "2015-06-01",
                "end": end,
            }
        ],
    )
    pledge(person, actor=person)


@pytest.fixture
def world(loaded_programs, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    startup = upsert_organisation(
        code="sakura",
        kind="startup",
        name_ja="さくら量子",
        is_sme=True,
        founded_on=date(2015, 6, 1),
    )
    applicant = UserFactory(
        username="applicant",
        organisation=startup,
        roles=[Role.RESEARCHER],
        erad_researcher_number="11112222",
    )
    co = UserFactory(username="co", roles=[Role.RESEARCHER], erad_researcher_number="33334444")
    officer = UserFactory(username="officer")
    assign_role(officer, Role.INSTITUTION_OFFICER, organisation=startup)
    nedo_staff, jst_staff = UserFactory(username="nedo"), UserFactory(username="jst")
    assign_role(nedo_staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    assign_role(jst_staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="jst"))
    stranger = UserFactory(username="stranger", roles=[Role.RESEARCHER])
    disclose_and_pledge(applicant)
    return World(make_call(), startup, applicant, co, officer, nedo_staff, jst_staff, stranger)


def add_co_investigator(proposal, person: User, *, role: str = "co_investigator"):
    """``person`` invited by e-Rad number and accepted: a member of the proposal."""
    from openrd.proposals import services

    invited = services.invite_member(
        proposal,
        actor=proposal.applicant,
        name=person.name_ja or person.username,
        erad_number=person.erad_researcher_number or "",
        email="" if person.erad_researcher_number else person.email,
        role=role,
    )
    return services.accept_invitation(invited.member, actor=person)
