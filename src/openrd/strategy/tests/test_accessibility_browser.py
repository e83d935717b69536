"""The command tower's pages pass axe-core (WCAG 2.x A/AA and best practices) in
Japanese and in English: the dashboard, an entered and a computed indicator,
the SBIR spending target, the funding analyses, the year's follow-up and a
measure's follow-up (with its errors), a frozen report, the import page, the
hub cities and the challenges; and the charts carry a title and a description
for screen readers."""

from __future__ import annotations

from datetime import date

import pytest

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.awards.services import create_award
from openrd.ecosystem.challenges import post_challenge
from openrd.ecosystem.hubs import load_hubs
from openrd.portal.tests.test_accessibility_browser import Checker, sign_in_as
from openrd.programs.models import Program
from openrd.strategy.follow_up import approve_report, review_follow_up, save_follow_up
from openrd.strategy.models import Measure
from openrd.strategy.services import load_strategies, tag_specified_subsidy

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_strategy_pages_pass_axe(page, site, loaded_programs, lang):
    load_strategies()
    load_hubs()
    tower = UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])
    official = UserFactory(username="meti-official")
    meti = Organisation.objects.get(code="meti")
    assign_role(official, Role.MINISTRY, organisation=meti)
    staff = UserFactory(username="nedo-staff")
    assign_role(staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    startup = upsert_organisation(code="x-startup", kind="startup", name_ja="量子新興株式会社")
    sbir = Program.objects.get(code="sbir")
    create_award(
        actor=staff, program=sbir, grant_number="X-1", title_ja="量子センサの実証",
        title_en="Quantum sensor demonstration", pi_name_ja="研究 一", institution=startup,
        starts_on=date(2023, 4, 1), ends_on=date(2024, 3, 31), budget=[(2023, 30_000_000)],
    )  # fmt: skip
    cao = Organisation.objects.get(code="cao")
    tag_specified_subsidy(actor=tower, fiscal_year=2023, ministry=cao, program=sbir,
                          planned_yen=50_000_000, designated=True)  # fmt: skip
    measure = Measure.objects.get(strategy__year=2023, code="ecosystem-hub-cities")
    f = save_follow_up(
        measure, actor=official, fiscal_year=2023, progress="on_schedule",
        comment_ja="計画どおり。", comment_en="As planned.", submit=True,
    )  # fmt: skip
    review_follow_up(f, actor=tower, approve=True)
    report = approve_report(measure.strategy, 2023, actor=tower)
    other = Measure.objects.get(strategy__year=2023, code="ecosystem-universities")
    post_challenge(actor=tower, code="mlit-bridge", owner=Organisation.objects.get(code="mlit"),
                   kind="trial_procurement", title_ja="橋梁点検の省人化",
                   need_ja="道路橋の点検を省人化する技術を求める。", opens_on=date(2026, 4, 1),
                   closes_on=date(2026, 6, 30), keywords=["橋梁"], publish=True)  # fmt: skip

    base = f"{site.url}/{lang}"
    journeys = [
        (None, [("strategy dashboard", "/strategy/2023/"),
                ("a ministry's measures", "/strategy/2023/?ministry=meti"),
                ("an indicator (entered)", "/strategy/indicators/startup-hub-cities/"),
                ("an indicator (computed)", "/strategy/indicators/sbir-startup-spending/"),
                ("SBIR spending target", "/strategy/sbir/2023/"),
                ("funding analyses", "/strategy/analysis/?fy=2023"),
                ("the year's follow-up", "/strategy/2023/follow-up/?fy=2023"),
                ("a frozen report", f"/strategy/reports/{report.pk}/"),
                ("hub cities", "/ecosystem/hubs/"), ("a hub city", "/ecosystem/hubs/tokyo/"),
                ("challenges", "/ecosystem/challenges/"),
                ("a challenge", "/ecosystem/challenges/mlit-bridge/")]),
        (official, [("a follow-up to write",
                     f"/strategy/2023/follow-up/{other.code}/2023/"),
                    ("an indicator with its form", "/strategy/indicators/startup-hub-cities/"),
                    ("import", "/strategy/import/")]),
        (tower, [("SBIR with its form", "/strategy/sbir/2023/"),
                 ("the year's follow-up (command tower)", "/strategy/2023/follow-up/?fy=2023"),
                 ("an approved follow-up", f"/strategy/2023/follow-up/{measure.code}/2023/")]),
    ]  # fmt: skip
    axe = Checker(page)
    for user, pages in journeys:
        sign_in_as(page, site, user)
        for label, path in pages:
            axe.visit(base + path, label)

    # Every chart on the dashboard's pages is named and described.
    sign_in_as(page, site, None)
    page.goto(f"{base}/strategy/sbir/2023/")
    chart = page.locator("figure svg").first
    assert chart.get_attribute("role") == "img"
    assert page.locator("figure svg title").first.text_content()
    assert page.locator("figure svg desc").first.text_content()

    # Field errors: a follow-up sent without its progress, a plan that is no number.
    sign_in_as(page, site, official)
    page.goto(f"{base}/strategy/2023/follow-up/{other.code}/2023/")
    page.locator("#id_comment_ja").fill("記入した内容")
    page.locator('button[value="submit"]').click()
    page.wait_for_load_state("load")
    assert page.locator("#id_progress_error").count() == 1
    assert page.locator("#id_comment_ja").input_value() == "記入した内容"
    axe.here("follow-up with errors")
    sign_in_as(page, site, tower)
    page.goto(f"{base}/strategy/sbir/2023/")
    page.locator("#id_ministry").select_option("meti")
    page.locator("#id_program").select_option("sbir")
    page.locator("#id_planned_yen").fill("たくさん")
    page.locator("#tag-heading + p + form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("#id_planned_yen").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_planned_yen").input_value() == "たくさん"
    axe.here("SBIR plan with errors")
    axe.assert_clean()
