"""The SBIR spending target followed per ministry: each fiscal year's budget line
counts in its own year (an award across the fiscal-year boundary is split, a
carried-over amount is not counted twice), for the ministry that presented the
call, only for startups and SMEs under programs counted that year; the plans
are the ministries' own to keep; Phase 3 projects for the council."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.awards.models import AwardBudget
from openrd.awards.services import create_award
from openrd.core.models import AuditEntry
from openrd.programs.models import Program, ProgramElement
from openrd.proposals.tests.conftest import make_call
from openrd.strategy import metrics, sbir
from openrd.strategy.models import SpecifiedSubsidy
from openrd.strategy.services import load_strategies, tag_specified_subsidy, untag_specified_subsidy
from openrd.strategy.tasks import refresh_dirty_metrics

pytestmark = pytest.mark.django_db

M = 1_000_000


@pytest.fixture
def tower():
    return UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])


@pytest.fixture
def org(loaded_programs):
    return {code: Organisation.objects.get(code=code) for code in ("meti", "mlit", "mhlw", "cao")}


@pytest.fixture
def spending(org, tower):
    """Four awards and the subsidies counted for FY2022 and FY2023."""
    staff = UserFactory(username="nedo-staff")
    assign_role(staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    startup = upsert_organisation(code="s-startup", kind="startup", name_ja="新興株式会社")
    sme = upsert_organisation(code="s-sme", kind="company", name_ja="中小株式会社", is_sme=True)
    large = upsert_organisation(code="s-large", kind="company", name_ja="大手株式会社",
                                is_sme=False)  # fmt: skip
    program = Program.objects.get(code="sbir")
    phase = {e.code: e for e in ProgramElement.objects.filter(program=program, kind="phase")}
    meti_call = make_call(code="s-meti", presenting_ministry=org["meti"])
    mlit_call = make_call(code="s-mlit", topic=phase["phase3"], presenting_ministry=org["mlit"])
    rows = [
        # Starts in March 2023 (FY2022): its FY2022 and FY2023 lines count in their own years.
        ("S-1", meti_call, startup, date(2023, 3, 1), date(2024, 2, 29),
         [(2022, 10 * M), (2023, 90 * M)], None),
        ("S-2", meti_call, large, date(2023, 4, 1), date(2024, 3, 31), [(2023, 500 * M)], None),
        ("S-3", mlit_call, sme, date(2023, 4, 1), date(2026, 3, 31),
         [(2023, 300 * M), (2024, 300 * M), (2025, 300 * M)], phase["phase3"]),
    ]  # fmt: skip
    for number, call, institution, starts, ends, budget, element in rows:
        create_award(
            actor=staff, program=program, grant_number=number, title_ja=f"課題{number}",
            pi_name_ja="研究 一", institution=institution, starts_on=starts, ends_on=ends,
            budget=budget, call=call, element=element,
        )  # fmt: skip
    # Money carried from FY2022 into FY2023 stays counted in FY2022 only.
    AwardBudget.objects.filter(award__grant_number="S-1", fiscal_year=2023).update(
        carried_over_yen=5 * M
    )
    # A startup's award under a program no ministry counts.
    create_award(
        actor=staff, program=Program.objects.get(code="moonshot"), grant_number="S-4",
        title_ja="課題S-4", pi_name_ja="研究 一", institution=startup,
        starts_on=date(2023, 4, 1), ends_on=date(2024, 3, 31), budget=[(2023, 70 * M)],
    )  # fmt: skip
    for fy, ministry, planned, designated in [(2022, "meti", 20 * M, False),
                                              (2023, "meti", 200 * M, False),
                                              (2023, "mlit", 250 * M, True)]:  # fmt: skip
        tag_specified_subsidy(
            actor=tower, fiscal_year=fy, ministry=org[ministry], program=program,
            planned_yen=planned, designated=designated,
        )  # fmt: skip
    return program


def _by_ministry(fiscal_year):
    year = sbir.spending_year(fiscal_year)
    return {m.ministry.code: (m.planned_yen, m.actual_yen) for m in year.ministries}


def test_each_budget_line_counts_in_its_own_fiscal_year_and_carry_overs_not_twice(spending):
    assert _by_ministry(2022) == {"meti": (20 * M, 10 * M)}
    # METI: S-1's FY2023 line only (S-2 went to a large company); MLIT: the Phase 3 award.
    assert _by_ministry(2023) == {"meti": (200 * M, 90 * M), "mlit": (250 * M, 300 * M)}


def test_an_award_counts_for_the_ministry_that_presented_its_call(spending, org):
    year = sbir.spending_year(2023)
    mlit = next(m for m in year.ministries if m.ministry.code == "mlit")
    assert mlit.actual_yen == 300 * M
    assert mlit.share_of_plan == 120  # 300 of 250 planned
    assert [s.designated for s in mlit.subsidies] == [True]


def test_a_program_counts_only_in_the_years_a_ministry_counts_it(spending, tower):
    # MLIT counts SBIR in FY2023 only: its FY2024 line is no spending of a counted subsidy.
    assert _by_ministry(2024) == {}
    untag_specified_subsidy(SpecifiedSubsidy.objects.get(fiscal_year=2022), actor=tower)
    assert _by_ministry(2022) == {}
    assert AuditEntry.objects.filter(action="strategy.subsidy.untagged").count() == 1


def test_the_metric_adds_up_every_ministry_and_names_the_awards_behind_it(spending):
    assert metrics.sbir_spending_yen(None) == {2022: 10 * M, 2023: 390 * M}
    behind = metrics.awards_behind("sbir_spending_yen", None, 2023)
    assert behind is not None
    assert [(a.grant_number, a.amount_yen) for a in behind] == [("S-3", 300 * M), ("S-1", 90 * M)]


def test_the_cabinet_target_comes_from_the_strategy_with_the_share_reached(spending):
    load_strategies()
    year = sbir.spending_year(2023)
    assert year.target_yen == 106_620 * M
    assert year.target.seed_line == 1162
    assert (year.planned_yen, year.actual_yen) == (450 * M, 390 * M)
    assert str(year.share_of(year.actual_yen)) == "0.4"  # 390 of 106,620 (in millions)
    assert sbir.spending_year(2021).target is None
    assert {2022, 2023} <= set(sbir.spending_years())


def test_phase_3_projects_are_those_running_in_the_year(spending):
    assert [a.grant_number for a in sbir.phase3_projects(2024)] == ["S-3"]
    (project,) = sbir.phase3_projects(2025)
    assert project.year_yen == 300 * M
    assert list(sbir.phase3_projects(2022)) == []


def test_a_ministry_keeps_only_its_own_subsidies(org, loaded_programs):
    official = UserFactory(username="mhlw-official")
    assign_role(official, Role.MINISTRY, organisation=org["mhlw"])
    program = Program.objects.get(code="sbir")
    with pytest.raises(PermissionDenied):
        tag_specified_subsidy(actor=official, fiscal_year=2023, ministry=org["meti"],
                              program=program, planned_yen=1)  # fmt: skip
    own = tag_specified_subsidy(
        actor=official, fiscal_year=2023, ministry=org["mhlw"], program=program,
        planned_yen="1,000,000", note="  厚労  ",
    )  # fmt: skip
    assert (own.planned_yen, own.note, own.entered_by) == (1 * M, "厚労", official)
    entry = AuditEntry.objects.get(action="strategy.subsidy.tagged")
    assert entry.after["planned_yen"] == 1 * M
    assert entry.after["ministry"] == "mhlw"


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("planned_yen", {"planned_yen": "-5"}),
        ("planned_yen", {"planned_yen": "1.5"}),
        ("planned_yen", {"planned_yen": "百万"}),
        ("ministry", {"ministry": "nedo"}),
        ("program", {"program": None}),
        ("fiscal_year", {"fiscal_year": 1900}),
    ],
)
def test_a_bad_entry_names_its_field_and_saves_nothing(org, tower, field, changes):
    sbir_program = Program.objects.get(code="sbir")
    fields = {"fiscal_year": 2023, "ministry": org["meti"], "program": sbir_program,
              "planned_yen": "5"} | changes  # fmt: skip
    if fields["ministry"] == "nedo":
        fields["ministry"] = Organisation.objects.get(code="nedo")  # an agency, not a ministry
    with pytest.raises(ValidationError) as error:
        tag_specified_subsidy(actor=tower, **fields)
    assert field in error.value.message_dict
    assert not SpecifiedSubsidy.objects.exists()


def test_the_page_shows_target_plan_actual_and_phase_3_to_everyone(client, spending):
    load_strategies()
    page = client.get("/ja/strategy/sbir/2023/").content.decode()
    assert "1,066.2億円" in page  # the Cabinet's target
    assert "国土交通省" in page
    assert "経済産業省" in page
    assert "3億円" in page  # MLIT's actual
    assert "S-3" in page  # the Phase 3 project
    assert 'id="id_planned_yen"' not in page  # no form for the public
    assert "<svg" in page
    assert "<desc" in page
    english = client.get("/en/strategy/sbir/2023/").content.decode()
    assert "Cabinet target" in english
    csv = client.get("/ja/strategy/sbir/2023.csv")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "国土交通省" in text
    assert "300000000" in text
    xlsx = client.get("/ja/strategy/sbir/2023.xlsx")
    assert xlsx.content[:2] == b"PK"
    assert client.get("/ja/strategy/sbir/").status_code == 302


def test_a_bad_plan_on_the_page_keeps_what_was_typed_and_a_stranger_gets_404(client, org, tower):
    url = "/ja/strategy/sbir/2023/subsidies/"
    client.force_login(UserFactory(username="visitor"))
    assert client.post(url, {"ministry": "meti", "program": "sbir",
                             "planned_yen": "5"}).status_code == 404  # fmt: skip
    client.force_login(tower)
    assert 'id="id_planned_yen"' in client.get("/ja/strategy/sbir/2023/").content.decode()
    bad = client.post(url, {"ministry": "meti", "program": "sbir", "planned_yen": "五億",
                            "designated": "1", "note": "経産省分"})  # fmt: skip
    assert bad.status_code == 422
    page = bad.content.decode()
    assert 'value="五億"' in page
    assert 'value="経産省分"' in page
    assert 'name="designated" value="1" checked' in page
    assert 'id="id_planned_yen_error"' in page
    good = client.post(url, {"ministry": "meti", "program": "sbir", "planned_yen": "500,000,000"})
    assert good.status_code == 302
    assert SpecifiedSubsidy.objects.get().planned_yen == 500 * M


def test_the_api_gives_the_year_per_ministry_in_code_order_never_ranked(client, spending):
    body = client.get("/api/v1/strategy/sbir/2023").json()
    assert (body["planned_yen"], body["actual_yen"]) == (450 * M, 390 * M)
    # MLIT spent more than METI, and still comes second: a list, not a ranking.
    assert [m["ministry"] for m in body["ministries"]] == ["meti", "mlit"]
    assert body["ministries"][0]["actual_yen"] < body["ministries"][1]["actual_yen"]
    assert body["ministries"][1]["subsidies"][0] == {
        "program": "sbir",
        "designated": True,
        "planned_yen": 250 * M,
        "note": "",
    }
    assert client.get("/api/v1/strategy/sbir/1800").status_code == 422


def test_the_actual_spending_is_kept_and_a_slow_roll_up_is_served_with_its_time(
    client, spending, settings
):
    settings.OPENRD_METRICS_INLINE_SECONDS = 0  # every roll-up counts as slow
    assert client.get("/api/v1/strategy/sbir/2023").json()["actual_yen"] == 390 * M
    line = AwardBudget.objects.get(award__grant_number="S-3", fiscal_year=2023)
    line.amount_yen = 100 * M
    line.save()  # marks the kept roll-up due
    body = client.get("/api/v1/strategy/sbir/2023").json()
    assert (body["actual_yen"], body["actual_stale"]) == (390 * M, True)
    assert body["actual_computed_at"]
    assert "更新中" in client.get("/ja/strategy/sbir/2023/").content.decode()
    refresh_dirty_metrics.call()
    body = client.get("/api/v1/strategy/sbir/2023").json()
    assert (body["actual_yen"], body["actual_stale"]) == (190 * M, False)
