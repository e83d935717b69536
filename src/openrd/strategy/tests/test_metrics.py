"""Computed indicators equal what is counted by hand on a few awards: by the
fiscal year their period starts in (2024-03-31 is FY2023, 2024-04-01 FY2024),
their budget lines per fiscal year, and only startups' and SMEs' for SBIR."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.awards.services import create_award
from openrd.programs.models import Program
from openrd.repository.tests.conftest import repo  # noqa: F401  (a fixture, offered by name)
from openrd.review.models import Selection, SelectionOutcome
from openrd.review.tests.conftest import reviewing, world  # noqa: F401  (fixtures)
from openrd.strategy import metrics

pytestmark = pytest.mark.django_db


@pytest.fixture
def awards(loaded_programs):
    staff = UserFactory(username="nedo-staff")
    assign_role(staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    startup = upsert_organisation(code="m-startup", kind="startup", name_ja="新興株式会社")
    sme = upsert_organisation(code="m-sme", kind="company", name_ja="中小株式会社", is_sme=True)
    large = upsert_organisation(
        code="m-large", kind="company", name_ja="大手株式会社", is_sme=False
    )
    sbir = Program.objects.get(code="sbir")
    rows = [
        ("S-1", startup, date(2024, 3, 31), date(2025, 3, 30), [(2023, 1_000), (2024, 2_000)]),
        ("S-2", sme, date(2024, 4, 1), date(2025, 3, 31), [(2024, 30_000)]),
        ("S-3", large, date(2024, 4, 1), date(2025, 3, 31), [(2024, 500_000)]),
    ]
    for number, org, starts, ends, budget in rows:
        create_award(
            actor=staff, program=sbir, grant_number=number, title_ja="課題", pi_name_ja="研究 一",
            institution=org, starts_on=starts, ends_on=ends, budget=budget,
        )  # fmt: skip
    return sbir


def test_awards_are_counted_by_the_fiscal_year_they_start_in(awards):
    assert metrics.award_count(awards) == {2023: 1, 2024: 2}
    assert metrics.award_count(Program.objects.get(code="moonshot")) == {}


def test_budget_is_summed_per_fiscal_year_of_the_budget_line(awards):
    assert metrics.award_budget_yen(awards) == {2023: 1_000, 2024: 532_000}
    assert metrics.award_budget_yen(None) == {2023: 1_000, 2024: 532_000}


def test_startup_and_sme_spending_leaves_out_the_large_company(awards):
    assert metrics.startup_sme_awards(awards) == {2023: 1, 2024: 1}
    assert metrics.startup_sme_spending_yen(awards) == {2023: 1_000, 2024: 32_000}


def test_without_decisions_or_proposals_the_rates_are_empty(awards):
    assert metrics.success_rate(awards) == {}
    assert metrics.proposal_count(awards) == {}


def test_the_success_rate_is_selected_among_decided_per_call_year(reviewing):  # noqa: F811
    first, second = reviewing.proposals
    rnd = reviewing.round
    Selection.objects.create(round=rnd, proposal=first, status=SelectionOutcome.SELECTED)
    Selection.objects.create(round=rnd, proposal=second, status=SelectionOutcome.REJECTED)
    year = rnd.call.fiscal_year
    assert metrics.success_rate(rnd.call.program) == {year: Decimal("50.0")}
    assert metrics.proposal_count(rnd.call.program) == {year: 2}
    Selection.objects.filter(proposal=second).update(status=SelectionOutcome.WAITLISTED)
    assert metrics.success_rate(None) == {year: Decimal("100.0")}  # waitlisted: not decided


def test_the_oa_share_counts_mandated_outputs_open_by_the_year_of_publication(repo):  # noqa: F811
    fy2025 = {"accepted_on": date(2025, 10, 1), "published_on": date(2025, 11, 1)}
    repo.deposit(**fy2025)  # open: compliant
    repo.deposit(**fy2025, access_rights="metadata_only", files=[])  # late: not open
    repo.deposit(published_on=date(2026, 5, 1), title_en="Another open one")
    moonshot = Program.objects.get(code="moonshot")
    assert metrics.oa_share_mandated(moonshot, today=date(2026, 12, 1)) == {
        2025: Decimal("50.0"), 2026: Decimal("100.0"),
    }  # fmt: skip


def test_the_outputs_behind_the_oa_share_name_only_published_records(client, repo):  # noqa: F811
    from openrd.strategy.services import load_strategies

    load_strategies()
    fy2025 = {"accepted_on": date(2025, 10, 1), "published_on": date(2025, 11, 1)}
    repo.deposit(**fy2025, title_ja="公開済みの論文")
    repo.deposit(**fy2025, publish=False, title_ja="未公開の下書き論文")
    behind = metrics.outputs_behind(None, 2025, today=date(2026, 12, 1))
    assert [r.output.title_ja for r in behind.public] == ["公開済みの論文"]
    assert (behind.total, behind.unpublished) == (2, 1)
    assert metrics.outputs_behind(None, 2026, today=date(2026, 12, 1)).total == 0
    page = client.get("/ja/strategy/indicators/oa-share-mandated/?fy=2025").content.decode()
    assert "公開済みの論文" in page
    assert "未公開の下書き論文" not in page  # counted, never named
    assert "ほか1件" in page
