"""SBIR from the startups' side: a call's topic described by those who run it (a
hand-off names another ministry), the year's awards per ministry and phase, a
company page listing every phase reached, and a Phase 3 roadmap kept by the
project's company — a bad row saves nothing and a stranger gets 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.awards.services import create_award
from openrd.core.models import AuditEntry
from openrd.ecosystem import sbir
from openrd.ecosystem.models import RoadmapMilestone
from openrd.ecosystem.services import upsert_company
from openrd.ecosystem.tests.test_companies import number
from openrd.programs.models import Program, ProgramElement
from openrd.proposals.tests.conftest import make_call

pytestmark = pytest.mark.django_db
M = 1_000_000
TODAY = date(2026, 12, 1)


@pytest.fixture
def world(loaded_programs):
    program = Program.objects.get(code="sbir")
    phase = {e.code: e for e in ProgramElement.objects.filter(program=program, kind="phase")}
    meti, mlit = Organisation.objects.get(code="meti"), Organisation.objects.get(code="mlit")
    official = UserFactory(username="meti-official")
    assign_role(official, Role.MINISTRY, organisation=meti)
    staff = UserFactory(username="nedo-staff")
    assign_role(staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    org = upsert_organisation(code="r-startup", kind="startup", name_ja="段階新興株式会社")
    tower = UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])
    company = upsert_company(actor=tower, corporate_number=number("010004000001"),
                             name_ja="段階新興株式会社", organisation=org)  # fmt: skip
    officer = UserFactory(username="r-officer")
    assign_role(officer, Role.INSTITUTION_OFFICER, organisation=org)
    p1 = make_call(code="r-p1", topic=phase["phase1"])
    p3 = make_call(code="r-p3", topic=phase["phase3"], presenting_ministry=mlit)
    awards = {}
    for number_, call, element, budget in [
        ("R-1", p1, phase["phase1"], [(2024, 10 * M)]),
        ("R-3", p3, phase["phase3"], [(2024, 200 * M), (2025, 300 * M)]),
    ]:  # fmt: skip
        awards[number_] = create_award(
            actor=staff, program=program, grant_number=number_, title_ja=f"課題{number_}",
            pi_name_ja="研究 一", institution=org, starts_on=date(2024, 4, 1),
            ends_on=date(2026, 3, 31), budget=budget, call=call, element=element,
        )  # fmt: skip
    return {"official": official, "staff": staff, "officer": officer, "company": company,
            "p1": p1, "p3": p3, "meti": meti, "mlit": mlit, **awards}  # fmt: skip


def test_a_topic_is_described_by_its_ministry_and_a_hand_off_names_another(world):
    fields = {
        "topic_type": "procurement_need",
        "goal_ja": "国の調達につなげる",
        "pm_name_ja": "山田 PM",
    }
    with pytest.raises(ValidationError) as error:
        sbir.define_topic(world["p1"], actor=world["official"], mode="hand_off",
                          hand_off_to=world["meti"], **fields)  # fmt: skip
    assert "hand_off_to" in error.value.message_dict  # METI presents it: not a hand-off
    topic = sbir.define_topic(world["p1"], actor=world["official"], mode="hand_off",
                              hand_off_to=world["mlit"], **fields)  # fmt: skip
    assert (topic.mode, topic.hand_off_to) == ("hand_off", world["mlit"])
    assert AuditEntry.objects.filter(action="ecosystem.sbir_topic.defined").count() == 1
    with pytest.raises(PermissionDenied):  # MLIT presents p3; METI's official may not
        sbir.define_topic(world["p3"], actor=world["official"], **fields)
    with pytest.raises(ValidationError) as error:
        sbir.define_topic(world["p3"], actor=world["staff"], topic_type="contest", goal_ja="")
    assert {"topic_type", "goal_ja", "pm_name_ja"} <= set(error.value.message_dict)


def test_the_years_awards_are_counted_per_ministry_and_phase(world):
    totals = {(t.ministry.code, t.phase): (t.awards, t.yen) for t in sbir.phase_totals(2024)}
    assert totals == {("meti", "phase1"): (1, 10 * M), ("mlit", "phase3"): (1, 200 * M)}
    assert {t.phase for t in sbir.phase_totals(2025)} == {"phase3"}


def test_the_company_page_lists_every_phase_reached(client, world):
    page = client.get(f"/ja/ecosystem/companies/{world['company'].pk}/").content.decode()
    assert "フェーズ1、フェーズ3" in page
    assert "R-3" in page
    number_ = world["company"].corporate_number
    assert client.get(f"/api/v1/companies/{number_}").json()["sbir_phases_reached"] == [1, 3]


def test_the_company_keeps_its_phase_3_roadmap_and_a_bad_row_saves_nothing(client, world):
    award = world["R-3"]
    rows = [sbir.MilestoneInput("demonstration", "実海域での実証", 2025, "achieved",
                                date(2025, 9, 1)),
            sbir.MilestoneInput("procurement", "国による調達", 2027)]  # fmt: skip
    sbir.save_roadmap(award, actor=world["officer"], milestones=rows, today=TODAY)
    assert list(award.roadmap.values_list("order", "status")) == [(1, "achieved"), (2, "planned")]
    bad = [sbir.MilestoneInput("market", "販売", 2050),
           sbir.MilestoneInput("technology", "", 2025, "achieved")]  # fmt: skip
    with pytest.raises(ValidationError) as error:
        sbir.save_roadmap(award, actor=world["officer"], milestones=bad, today=TODAY)
    assert {"milestones-0-fiscal_year", "milestones-1-title_ja",
            "milestones-1-achieved_on"} <= set(error.value.message_dict)  # fmt: skip
    assert RoadmapMilestone.objects.filter(award=award).count() == 2  # the old one kept
    with pytest.raises(ValidationError):
        sbir.save_roadmap(world["R-1"], actor=world["officer"], milestones=rows, today=TODAY)
    url = f"/ja/ecosystem/sbir/roadmaps/{award.pk}/"
    page = client.get(url).content.decode()
    assert "実海域での実証" in page
    assert "2件中1件" in page or "1 of 2" in page
    client.force_login(UserFactory(username="stranger", roles=[Role.RESEARCHER]))
    assert client.post(url, {"m-TOTAL_FORMS": "0", "m-INITIAL_FORMS": "0"}).status_code == 404
    client.force_login(world["officer"])
    form = {"m-TOTAL_FORMS": "1", "m-INITIAL_FORMS": "0", "m-0-kind": "market",
            "m-0-title_ja": "市場での販売", "m-0-fiscal_year": "2099",
            "m-0-status": "planned"}  # fmt: skip
    refused = client.post(url, form)
    assert refused.status_code == 422
    assert 'value="市場での販売"' in refused.content.decode()
    assert RoadmapMilestone.objects.filter(award=award).count() == 2
    form["m-0-fiscal_year"] = "2028"
    assert client.post(url, form).status_code == 302
    assert list(award.roadmap.values_list("title_ja", flat=True)) == ["市場での販売"]


def test_the_sbir_page_shows_topics_phases_and_projects(client, world):
    sbir.define_topic(world["p3"], actor=world["staff"], topic_type="social_issue",
                      goal_ja="港湾の省人化", pm_name_ja="佐藤 PM")  # fmt: skip
    page = client.get("/ja/ecosystem/sbir/?fy=2024").content.decode()
    assert "港湾の省人化" in page
    assert "佐藤 PM" in page
    assert "R-3" in page
    client.force_login(world["official"])
    mine = client.get("/ja/ecosystem/sbir/").content.decode()
    assert f"/ecosystem/sbir/calls/{world['p1'].pk}/topic/" in mine  # METI's call to describe
    assert f"/ecosystem/sbir/calls/{world['p3'].pk}/topic/" not in mine
    assert client.get(f"/ja/ecosystem/sbir/calls/{world['p3'].pk}/topic/").status_code == 404
