"""A small repository world: a university with a curator, a Moonshot award from a
call opened in FY2025 (so its articles fall under the immediate-OA mandate),
its PI, agency staff, and a helper that deposits an output through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest

from openrd.accounts.models import Organisation, Role, User
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.awards.models import Award
from openrd.awards.services import create_award
from openrd.core.fiscal import TOKYO
from openrd.core.tests import pdfs
from openrd.jobs.conftest import task_backend  # noqa: F401  (a fixture, offered by name)
from openrd.programs.models import Call, Program
from openrd.repository import services
from openrd.repository.models import Output

PDF = pdfs.plain("accepted manuscript")


@dataclass
class RepoWorld:
    university: Organisation
    curator: User
    pi: User
    staff: User
    stranger: User
    award: Award
    call: Call

    def deposit(self, *, publish: bool = True, files: list[tuple[str, bytes, str]] | None = None,
                creators: list[dict[str, Any]] | None = None, now: datetime | None = None,
                **fields: Any) -> Output:  # fmt: skip
        """An article deposited by the PI (with one open PDF unless ``files`` says
        otherwise), curated and published by the curator when ``publish``."""
        kind = fields.pop("kind", "article")
        defaults: dict[str, Any] = {
            "title_ja": "量子誤り訂正の実証",
            "title_en": "Demonstrating quantum error correction",
            "journal_title": "Physical Review Research",
            "doi": "10.1103/PhysRevResearch.1.000001",
            "published_on": date(2026, 4, 10),
            "accepted_on": date(2026, 3, 1),
            "peer_reviewed": True,
            "licence": "CC-BY-4.0",
            "language": "eng",
        }
        if kind != "article":
            defaults.pop("journal_title")
            defaults.pop("doi")
        output = services.create_output(
            actor=self.pi, award=self.award, kind=kind, **(defaults | fields)
        )
        services.set_creators(
            output,
            creators
            if creators is not None
            else [
                {
                    "family_name_ja": "山田",
                    "given_name_ja": "花子",
                    "family_name_en": "Yamada",
                    "given_name_en": "Hanako",
                    "erad_researcher_number": "12345678",
                    "orcid": "0000-0002-1825-0097",
                    "affiliation": self.university,
                }
            ],
            actor=self.pi,
        )
        for name, content, access in files if files is not None else [("aam.pdf", PDF, "open")]:
            services.attach_file(output, content, actor=self.pi, name=name, access=access)
        if not publish:
            return output
        services.submit(output, actor=self.pi, now=now)
        services.curate(output, actor=self.curator, now=now)
        return services.publish(output, actor=self.curator, now=now)


@pytest.fixture
def repo(loaded_programs, settings, tmp_path) -> RepoWorld:
    settings.MEDIA_ROOT = tmp_path
    university = upsert_organisation(
        code="tsukuba-demo",
        kind="university",
        name_ja="つくば量子大学",
        name_en="Tsukuba Quantum University",
        ror_id="https://ror.org/02956yf07",
    )
    curator = UserFactory(username="curator")
    assign_role(curator, Role.CURATOR, organisation=university)
    pi = UserFactory(
        username="pi",
        organisation=university,
        roles=[Role.RESEARCHER],
        erad_researcher_number="12345678",
        orcid="0000-0002-1825-0097",
        name_ja="山田 花子",
        name_en="Hanako Yamada",
    )
    staff = UserFactory(username="jststaff")
    jst = Organisation.objects.get(code="jst")
    assign_role(staff, Role.AGENCY_STAFF, organisation=jst)
    stranger = UserFactory(username="stranger", roles=[Role.RESEARCHER])
    program = Program.objects.get(code="moonshot")
    call = Call.objects.create(
        program=program,
        agency=jst,
        code="moonshot-2025-goal-6",
        title_ja="ムーンショット目標6 公募（テスト）",
        title_en="Moonshot Goal 6 call (test)",
        opens_at=datetime(2025, 4, 1, 0, 0, tzinfo=TOKYO),
        closes_at=datetime(2025, 6, 1, 12, 0, tzinfo=TOKYO),
        fiscal_year=2025,
        first_budget_year=2025,
        last_budget_year=2029,
        total_budget_yen=1_000_000_000,
        cap_per_proposal_yen=100_000_000,
        status="closed",
    )
    award = create_award(
        actor=staff,
        program=program,
        grant_number="TEST-MS6-01",
        japan_grant_number="JPMJMS2561",
        title_ja="誤り耐性型汎用量子コンピュータの研究",
        title_en="Research on a fault-tolerant universal quantum computer",
        pi_name_ja="山田 花子",
        pi_name_en="Hanako Yamada",
        pi=pi,
        institution=university,
        starts_on=date(2025, 10, 1),
        ends_on=date(2030, 3, 31),
        budget=[(2025, 50_000_000)],
        gates=[],
    )
    Award.objects.filter(pk=award.pk).update(call=call)
    award.refresh_from_db()
    return RepoWorld(university, curator, pi, staff, stranger, award, call)
