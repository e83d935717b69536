"""Startups' proposals to challenges on the records and the pages: a company's
officer proposes for it only, while the challenge is open; the owner shortlists,
pilots and contracts under a basis it may use, or declines with a reason;
refusals save nothing and keep what was typed; the public sees pilots and
contracts only; matching on the owner's page explains each score; the
adoption rate per owner; the company page and its self-declared facts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.core.fiscal import to_tokyo
from openrd.core.models import AuditEntry
from openrd.ecosystem import responses
from openrd.ecosystem.challenges import close_challenge, post_challenge
from openrd.ecosystem.models import Challenge, ChallengeResponse, CompanyFact
from openrd.ecosystem.services import record_fact, upsert_company
from openrd.ecosystem.tests.test_companies import number

pytestmark = pytest.mark.django_db
# The challenge is open around the real day, so the pages (which read the clock) see it open.
NOW = timezone.now()
TODAY = to_tokyo(NOW).date()
OPENS, CLOSES = TODAY - timedelta(days=30), TODAY + timedelta(days=60)
PILOT = TODAY - timedelta(days=20)
SIGNED = TODAY - timedelta(days=10)


@pytest.fixture
def world(loaded_programs):
    tower = UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])
    mlit = Organisation.objects.get(code="mlit")
    official = UserFactory(username="mlit-official")
    assign_role(official, Role.MINISTRY, organisation=mlit)
    made = {}
    for key, name, pref, words in [("a", "橋梁ドローン株式会社", "福岡県", ["橋梁", "ドローン"]),
                                   ("b", "会計ソフト株式会社", "北海道", ["会計"])]:  # fmt: skip
        org = upsert_organisation(code=f"startup-{key}", kind="startup", name_ja=name)
        company = upsert_company(actor=tower, corporate_number=number(f"01000200000{key == 'b':d}"),
                                 name_ja=name, prefecture=pref, organisation=org)  # fmt: skip
        company.keywords = words
        company.save()
        officer = UserFactory(username=f"officer-{key}")
        assign_role(officer, Role.INSTITUTION_OFFICER, organisation=org)
        made[key] = (company, officer)
    challenge = post_challenge(
        actor=official, code="mlit-bridge", owner=mlit, kind="trial_procurement",
        title_ja="橋梁点検の省人化", need_ja="ドローンで道路橋を点検する。",
        opens_on=OPENS, closes_on=CLOSES, keywords=["橋梁", "ドローン"],
        prefecture="福岡県", publish=True,
    )  # fmt: skip
    return {"tower": tower, "official": official, "challenge": challenge, **made}


def propose(world, key="a", text="ドローンで点検します。"):
    company, officer = world[key]
    return responses.respond(actor=officer, challenge=world["challenge"], company=company,
                             proposal_ja=text, now=NOW)  # fmt: skip


def test_an_officer_proposes_for_its_own_company_only_while_the_challenge_is_open(world):
    response = propose(world)
    assert response.status == "submitted"
    assert propose(world, text="書き直し").proposal_ja == "書き直し"  # rewritten, not doubled
    assert ChallengeResponse.objects.count() == 1
    company_a, _ = world["a"]
    _, officer_b = world["b"]
    with pytest.raises(PermissionDenied):
        responses.respond(actor=officer_b, challenge=world["challenge"], company=company_a,
                          proposal_ja="横取り", now=NOW)  # fmt: skip
    with pytest.raises(ValidationError) as error:
        responses.respond(
            actor=officer_b,
            challenge=world["challenge"],
            company=world["b"][0],
            proposal_ja="締切後",
            now=NOW + timedelta(days=61),
        )
    assert "challenge" in error.value.message_dict
    assert ChallengeResponse.objects.count() == 1


def test_the_owner_takes_a_proposal_to_a_contract_under_a_basis_it_may_use(world):
    response = propose(world)
    official = world["official"]
    later = {"now": NOW}
    responses.take_step(response, actor=official, to="shortlisted", **later)
    responses.take_step(response, actor=official, to="pilot", pilot_starts_on=PILOT, **later)
    with pytest.raises(ValidationError) as error:
        responses.take_step(response, actor=official, to="contracted",
                            contract_basis="municipal_trial_order",
                            contracted_on=SIGNED, **later)  # fmt: skip
    assert "contract_basis" in error.value.message_dict  # a ministry is not a municipality
    response.refresh_from_db()
    assert (response.status, response.contract_basis) == ("pilot", "")  # nothing saved
    done = responses.take_step(
        response,
        actor=official,
        to="contracted",
        contract_basis="sbir_discretionary",
        contracted_on=SIGNED,
        contract_yen=12_000_000,
        **later,
    )
    assert (done.status, done.contract_yen) == ("contracted", 12_000_000)
    actions = list(AuditEntry.objects.filter(action__startswith="ecosystem.response.")
                   .order_by("id").values_list("action", flat=True))  # fmt: skip
    assert actions[-3:] == ["ecosystem.response.shortlisted", "ecosystem.response.pilot",
                            "ecosystem.response.contracted"]  # fmt: skip


def test_only_the_company_withdraws_and_only_the_owner_decides(world):
    response = propose(world)
    _, officer_a = world["a"]
    with pytest.raises(PermissionDenied):
        responses.take_step(response, actor=officer_a, to="shortlisted")
    with pytest.raises(PermissionDenied):
        responses.take_step(response, actor=world["official"], to="withdrawn")
    with pytest.raises(ValidationError) as error:
        responses.take_step(response, actor=world["official"], to="declined")
    assert "note" in error.value.message_dict
    assert responses.take_step(response, actor=officer_a, to="withdrawn").status == "withdrawn"


def test_the_adoption_rate_counts_closed_challenges_that_led_to_a_contract(world):
    response = propose(world)
    propose(world, key="b")
    official = world["official"]
    for step, extra in [("shortlisted", {}), ("pilot", {"pilot_starts_on": PILOT}),
                        ("contracted", {"contract_basis": "sbir_discretionary",
                                        "contracted_on": SIGNED})]:  # fmt: skip
        responses.take_step(response, actor=official, to=step, **extra)
    mlit = Organisation.objects.get(code="mlit")
    post_challenge(actor=official, code="mlit-other", owner=mlit, kind="open_innovation",
                   title_ja="別の課題", need_ja="別", opens_on=OPENS, closes_on=CLOSES,
                   publish=True)  # fmt: skip
    for challenge in Challenge.objects.filter(owner=mlit):
        close_challenge(challenge, actor=official)
    (row,) = responses.adoption()
    assert (row.challenges, row.closed, row.with_pilot, row.with_contract) == (2, 2, 1, 1)
    assert (row.proposals, row.contracted, row.rate) == (2, 1, 50.0)


def test_the_public_sees_pilots_and_contracts_and_the_owner_every_proposal_and_the_matches(
    client, world
):
    propose(world)
    propose(world, key="b", text="会計で支えます。")
    url = "/ja/ecosystem/challenges/mlit-bridge/"
    public = client.get(url).content.decode()
    assert "ドローンで点検します。" not in public  # being decided: not public
    assert "まだありません" in public or "No pilot" in public
    client.force_login(world["official"])
    page = client.get(url).content.decode()
    assert "ドローンで点検します。" in page
    assert "会計で支えます。" in page
    # Matching: the bridge-and-drone startup in Fukuoka first, with the reasons.
    first = page.index("橋梁ドローン株式会社", page.index("matches-caption"))
    second = page.index("会計ソフト株式会社", page.index("matches-caption"))
    assert first < second
    assert "福岡県" in page[first:]


def test_a_bad_decision_on_the_page_keeps_what_was_typed_and_a_stranger_gets_404(client, world):
    response = propose(world)
    url = f"/ja/ecosystem/challenges/mlit-bridge/proposals/{response.pk}/step/"
    client.force_login(world["official"])
    p = f"r{response.pk}-"
    bad = client.post(url, {p + "to": "declined", p + "note": "", p + "contract_yen": "12"})
    assert bad.status_code == 422
    assert 'value="12"' in bad.content.decode()
    response.refresh_from_db()
    assert response.status == "submitted"
    client.force_login(world["b"][1])  # another company's officer
    assert client.post(url, {p + "to": "shortlisted"}).status_code == 404
    assert AuditEntry.objects.filter(action="access.denied").exists()
    response.refresh_from_db()
    assert response.status == "submitted"


def test_the_propose_form_is_for_officers_and_a_bad_proposal_keeps_nothing_half_saved(
    client, world
):
    client.force_login(world["a"][1])
    url = "/ja/ecosystem/challenges/mlit-bridge/"
    page = client.get(url).content.decode()
    assert 'name="proposal_ja"' in page
    company, _ = world["a"]
    bad = client.post(url + "propose/", {"company": company.pk, "proposal_ja": " ",
                                         "proposal_en": "kept"})  # fmt: skip
    assert bad.status_code == 422
    assert "kept" in bad.content.decode()
    assert not ChallengeResponse.objects.exists()


def test_the_company_page_shows_sourced_facts_and_its_officer_declares_its_own_only(client, world):
    company, officer = world["a"]
    record_fact(
        company,
        actor=world["tower"],
        kind="capital_yen",
        value=50_000_000,
        as_of=date(2026, 4, 1),
        source="public_registry",
        source_ref="snapshot-2026-04",
    )
    page = client.get(f"/ja/ecosystem/companies/{company.pk}/").content.decode()
    assert "snapshot-2026-04" in page
    assert 'name="value"' not in page  # no form for the public
    client.force_login(officer)
    ok = client.post(f"/ja/ecosystem/companies/{company.pk}/facts/",
                     {"kind": "employees", "value": "12", "as_of": "2026-04-01"})  # fmt: skip
    assert ok.status_code == 302
    assert CompanyFact.objects.filter(company=company, kind="employees",
                                      source="self_declared").exists()  # fmt: skip
    bad = client.post(f"/ja/ecosystem/companies/{company.pk}/facts/",
                      {"kind": "employees", "value": "十二", "as_of": "2026-04-01"})  # fmt: skip
    assert bad.status_code == 422
    assert 'value="十二"' in bad.content.decode()
    other, _ = world["b"]
    denied = client.post(f"/ja/ecosystem/companies/{other.pk}/facts/",
                         {"kind": "employees", "value": "3", "as_of": "2026-04-01"})  # fmt: skip
    assert denied.status_code == 404
    assert not CompanyFact.objects.filter(company=other).exists()
    profile = {"description_ja": "橋の点検", "keywords": "橋梁、ドローン, AI"}
    saved = client.post(f"/ja/ecosystem/companies/{company.pk}/profile/", profile)
    assert saved.status_code == 302
    company.refresh_from_db()
    assert company.keywords == ["橋梁", "ドローン", "AI"]
    assert client.get("/en/ecosystem/companies/").status_code == 200


def test_the_owner_finds_the_proposals_to_decide_on_its_dashboard(world):
    from openrd.core.my_tasks import tasks_for

    propose(world)
    tasks = [t for t in tasks_for(world["official"], NOW) if t.kind.startswith("ecosystem")]
    assert [t.title for t in tasks] == ["橋梁ドローン株式会社"]
    assert tasks[0].url.startswith("/ja/ecosystem/challenges/mlit-bridge/")
    assert [t for t in tasks_for(world["a"][1], NOW) if t.kind.startswith("ecosystem")] == []


def test_a_municipality_s_officer_posts_and_decides_for_it_alone(world):
    city = upsert_organisation(code="fukuoka-city", kind="municipality", name_ja="福岡市")
    officer = UserFactory(username="city-officer")
    assign_role(officer, Role.INSTITUTION_OFFICER, organisation=city)
    challenge = post_challenge(
        actor=officer, code="fukuoka-trial", owner=city, kind="trial_procurement",
        title_ja="トライアル発注", need_ja="市の施設の省エネ", opens_on=OPENS, closes_on=CLOSES,
        publish=True,
    )  # fmt: skip
    company, startup_officer = world["a"]
    response = responses.respond(actor=startup_officer, challenge=challenge, company=company,
                                 proposal_ja="省エネ提案", now=NOW)  # fmt: skip
    responses.take_step(response, actor=officer, to="shortlisted")
    with pytest.raises(PermissionDenied):
        post_challenge(actor=officer, code="mlit-x", owner=Organisation.objects.get(code="mlit"),
                       kind="trial_procurement", title_ja="x", need_ja="x", opens_on=OPENS,
                       closes_on=CLOSES)  # fmt: skip
    other = world["b"][1]  # a startup's officer is no municipality's
    with pytest.raises(PermissionDenied):
        responses.take_step(response, actor=other, to="pilot", pilot_starts_on=PILOT)
