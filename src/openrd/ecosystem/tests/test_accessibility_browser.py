"""The ecosystem's pages pass axe-core (WCAG 2.x A/AA and best practices) in
Japanese and in English: the companies, a company's page for the public and for
its officer (with a fact refused), a challenge for the public, for a startup's
officer (proposing) and for its owner (proposals, a decision refused, matches),
the adoption rates, SBIR's topics and phases, a Phase 3 roadmap (with its form),
a topic's form, the acceleration programs and the support organisations (with
the staff's forms)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.awards.services import create_award
from openrd.core.fiscal import to_tokyo
from openrd.ecosystem.accelerators import load_accelerators
from openrd.ecosystem.challenges import post_challenge
from openrd.ecosystem.hubs import load_hubs
from openrd.ecosystem.responses import respond
from openrd.ecosystem.services import record_fact, upsert_company
from openrd.ecosystem.tests.test_companies import number
from openrd.portal.tests.test_accessibility_browser import Checker, sign_in_as
from openrd.programs.models import Program, ProgramElement
from openrd.proposals.tests.conftest import make_call

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_ecosystem_pages_pass_axe(page, site, loaded_programs, lang):
    load_hubs()
    load_accelerators()
    today = to_tokyo(timezone.now()).date()
    tower = UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])
    official = UserFactory(username="mlit-official")
    mlit = Organisation.objects.get(code="mlit")
    assign_role(official, Role.MINISTRY, organisation=mlit)
    org = upsert_organisation(code="x-startup", kind="startup", name_ja="量子新興株式会社")
    company = upsert_company(actor=tower, corporate_number=number("010003000001"),
                             name_ja="量子新興株式会社", prefecture="東京都",
                             organisation=org)  # fmt: skip
    record_fact(company, actor=tower, kind="capital_yen", value=10_000_000, as_of=today,
                source="public_registry", source_ref="snapshot")  # fmt: skip
    officer = UserFactory(username="x-officer")
    assign_role(officer, Role.INSTITUTION_OFFICER, organisation=org)
    challenge = post_challenge(
        actor=official, code="mlit-bridge", owner=mlit, kind="trial_procurement",
        title_ja="橋梁点検の省人化", need_ja="道路橋の点検を省人化する技術を求める。",
        opens_on=today - timedelta(days=5), closes_on=today + timedelta(days=30),
        keywords=["橋梁"], publish=True,
    )  # fmt: skip
    response = respond(actor=officer, challenge=challenge, company=company,
                       proposal_ja="センサで点検します。")  # fmt: skip
    program = Program.objects.get(code="sbir")
    phase3 = ProgramElement.objects.get(program=program, code="phase3")
    call = make_call(code="x-p3", topic=phase3)
    nedo = UserFactory(username="nedo-staff")
    assign_role(nedo, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    award = create_award(
        actor=nedo, program=program, grant_number="X-3", title_ja="量子センサの社会実装",
        pi_name_ja="研究 一", institution=org, starts_on=date(2024, 4, 1),
        ends_on=date(2027, 3, 31), budget=[(2024, 100_000_000)], call=call, element=phase3,
    )  # fmt: skip

    base = f"{site.url}/{lang}"
    company_url = f"/ecosystem/companies/{company.pk}/"
    challenge_url = "/ecosystem/challenges/mlit-bridge/"
    roadmap_url = f"/ecosystem/sbir/roadmaps/{award.pk}/"
    journeys = [
        (None, [("companies", "/ecosystem/companies/"), ("a company", company_url),
                ("a challenge", challenge_url), ("adoption", "/ecosystem/adoption/"),
                ("SBIR", "/ecosystem/sbir/"),
                ("accelerators", "/ecosystem/accelerators/"), ("support", "/ecosystem/support/"),
                ("a roadmap", roadmap_url)]),
        (officer, [("a company for its officer", company_url),
                   ("a challenge to propose for", challenge_url),
                   ("a roadmap with its form", roadmap_url)]),
        (nedo, [("a topic's form", f"/ecosystem/sbir/calls/{call.pk}/topic/")]),
        (official, [("a challenge for its owner", challenge_url)]),
        (tower, [("accelerators with the cohort form", "/ecosystem/accelerators/"),
                 ("support organisations with their form", "/ecosystem/support/")]),
    ]  # fmt: skip
    axe = Checker(page)
    for user, pages in journeys:
        sign_in_as(page, site, user)
        for label, path in pages:
            axe.visit(base + path, label)

    # A fact that is no number: refused next to its field, what was typed kept.
    sign_in_as(page, site, officer)
    page.goto(base + company_url)
    page.locator("#id_kind").select_option("employees")
    page.locator("#id_value").fill("十二人")
    page.locator("#id_as_of").fill(today.isoformat())
    page.locator("#declare-heading + p + form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("#id_value_error").count() == 1
    assert page.locator("#id_value").input_value() == "十二人"
    axe.here("a fact with errors")
    # A decline without its reason.
    sign_in_as(page, site, official)
    page.goto(base + challenge_url)
    page.locator(f"#id_r{response.pk}-to").select_option("declined")
    page.locator(f"#response-{response.pk} ~ form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator(f"#id_r{response.pk}-note_error").count() == 1
    axe.here("a decision with errors")
    axe.assert_clean()
