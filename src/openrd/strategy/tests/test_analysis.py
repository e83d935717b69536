"""The command tower's analyses: success rates per agency and program, the
funding's concentration on few PIs (hand-computed on small sets), and the
PIs' effort; the page lists agencies in code order with downloads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.awards.models import Award
from openrd.awards.services import create_award
from openrd.programs.models import Program
from openrd.review.models import Selection, SelectionOutcome
from openrd.review.tests.conftest import reviewing, world  # noqa: F401  (fixtures)
from openrd.strategy import analysis, metrics


def test_the_gini_coefficient_of_equal_and_of_concentrated_budgets():
    assert analysis.gini([]) == 0
    assert analysis.gini([5, 5, 5, 5]) == 0
    assert analysis.gini([0, 0, 0, 10]) == Decimal("0.750")


def test_the_top_tenth_is_rounded_up_and_its_share_computed():
    ten = analysis.concentration(list(range(1, 11)), 2024)  # 1..10, total 55
    assert (ten.investigators, ten.top_count, ten.top_yen) == (10, 1, 10)
    assert ten.top_share == Decimal("18.2")
    eleven = analysis.concentration(list(range(1, 12)), 2024)  # ceil(1.1) = 2: 11 + 10 of 66
    assert (eleven.top_count, eleven.top_share) == (2, Decimal("31.8"))
    assert analysis.concentration([7], 2024).top_share == 100


@pytest.fixture
def funded(loaded_programs):
    staff = UserFactory(username="nedo-staff")
    assign_role(staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    org = upsert_organisation(code="a-univ", kind="university", name_ja="分析大学")
    pis = [UserFactory(username=f"pi{i}") for i in range(3)]
    sbir = Program.objects.get(code="sbir")
    rows = [("A-1", pis[0], 60), ("A-2", pis[0], 20), ("A-3", pis[1], 15), ("A-4", pis[2], 5)]
    for number, pi, millions in rows:
        create_award(
            actor=staff, program=sbir, grant_number=number, title_ja=number, pi=pi,
            pi_name_ja="研究 一", institution=org, starts_on=date(2024, 4, 1),
            ends_on=date(2025, 3, 31), budget=[(2024, millions * 1_000_000)],
        )  # fmt: skip
    return sbir


@pytest.mark.django_db
def test_concentration_sums_each_pis_awards_per_year(funded):
    (year,) = analysis.funding_concentration()
    # PIs hold 80, 15 and 5 million: the top tenth (one PI) holds 80%.
    assert (year.fiscal_year, year.investigators, year.total_yen) == (2024, 3, 100_000_000)
    assert year.top_share == 80
    assert year.gini == analysis.gini([80, 15, 5])
    assert metrics.DEFINITIONS["funding_top10_share"].compute(None) == {2024: Decimal("80.0")}
    assert analysis.funding_concentration(Program.objects.get(code="moonshot")) == []


@pytest.mark.django_db
def test_the_concentration_is_kept_whole_and_refreshed_like_a_metric(funded, settings):
    from openrd.awards.models import AwardBudget
    from openrd.strategy.tasks import refresh_dirty_metrics

    settings.OPENRD_METRICS_INLINE_SECONDS = 0  # every computation counts as slow
    (kept,), computed = analysis.stored_concentration()
    assert kept == analysis.funding_concentration()[0]  # the same figures, read back from JSON
    assert not computed.stale
    AwardBudget.objects.filter(award__grant_number="A-4").update(amount_yen=105_000_000)
    Award.objects.get(grant_number="A-4").save()  # a save marks the kept result due
    (served,), computed = analysis.stored_concentration()
    assert (served.total_yen, computed.stale) == (100_000_000, True)
    refresh_dirty_metrics.call()
    (fresh,), computed = analysis.stored_concentration()
    assert (fresh.total_yen, fresh.top_share, computed.stale) == (200_000_000, 52.5, False)


@pytest.mark.django_db
def test_effort_is_read_from_the_proposals_of_the_awards_running_in_the_year(reviewing):  # noqa: F811
    first, second = reviewing.proposals
    first.effort_percent, second.effort_percent = 40, 5
    for p in (first, second):
        p.save(update_fields=["effort_percent"])
    staff = reviewing.world.nedo_staff
    for n, p in enumerate((first, second)):
        award = create_award(
            actor=staff, program=p.call.program, grant_number=f"E-{n}", title_ja="課題",
            pi_name_ja="研究 一", institution=reviewing.world.startup,
            starts_on=date(2024, 4, 1), ends_on=date(2026, 3, 31), budget=[(2024, 1_000_000)],
        )  # fmt: skip
        Award.objects.filter(pk=award.pk).update(proposal=p)
    year = analysis.effort(2025)
    assert (year.awards, year.mean, year.bands) == (2, Decimal("22.5"), (1, 0, 1, 0))
    assert analysis.effort(2026).awards == 0


@pytest.mark.django_db
def test_success_rates_per_agency_and_program_and_the_page(client, reviewing):  # noqa: F811
    first, second = reviewing.proposals
    rnd = reviewing.round
    Selection.objects.create(round=rnd, proposal=first, status=SelectionOutcome.SELECTED)
    Selection.objects.create(round=rnd, proposal=second, status=SelectionOutcome.REJECTED)
    year = rnd.call.fiscal_year
    (row,) = analysis.success_rates(year)
    assert (row.agency.code, row.program.code) == (rnd.call.agency.code, rnd.call.program.code)
    assert (row.submitted, row.decided, row.selected, row.rate) == (2, 2, 1, Decimal("50.0"))
    assert analysis.success_rates(year + 1) == []
    page = client.get(f"/ja/strategy/analysis/?fy={year}").content.decode()
    assert rnd.call.agency.name in page
    assert "50.0%" in page
    csv = client.get(f"/ja/strategy/analysis/rates.csv?fy={year}").content.decode("utf-8-sig")
    assert rnd.call.program.name in csv
    assert "50.0%" in csv
    assert client.get("/ja/strategy/analysis/concentration.xlsx").content[:2] == b"PK"
    assert client.get("/ja/strategy/analysis/other.csv").status_code == 404
