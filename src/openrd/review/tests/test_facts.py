"""Gathering conflict facts from the database: what is read, and in how many queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openrd.accounts.models import Affiliation as AccountAffiliation
from openrd.accounts.models import Organisation, User
from openrd.accounts.services import upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.integrity.services import save_disclosure
from openrd.proposals.models import MemberStatus, Proposal, ProposalMember
from openrd.proposals.tests.conftest import make_call
from openrd.review.facts import OrganisationNames, person_facts_for, proposal_facts_for
from openrd.review.rules.conflicts import (
    FORMER_INSTITUTION,
    SHARED_AFFILIATION,
    Affiliation,
    ConflictPolicy,
    find_conflicts,
    funding_key,
)

pytestmark = pytest.mark.django_db

ON = date(2026, 4, 1)

FUNDING = {
    "status": "current",
    "program": "科学研究費助成事業 基盤研究(B)",
    "title": "量子センサの雑音抑制に関する研究",
    "funder": "日本学術振興会",
    "country": "JP",
    "start": "2022-04-01",
    "end": "2026-03-31",
    "amount_yen": 12_000_000,
    "effort_percent": 30,
}


def org(code: str, name_ja: str, name_en: str = "", country: str = "JP") -> Organisation:
    return upsert_organisation(
        code=code, kind="university", name_ja=name_ja, name_en=name_en, country=country
    )


def position(organisation: str, *, kind: str = "concurrent", **extra: Any) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "country": "JP",
        "title": "客員研究員",
        "kind": kind,
        "paid": False,
        "start": "2020-04-01",
    } | extra


def disclose(
    person: User,
    *,
    positions: Sequence[dict[str, Any]] = (),
    fundings: Sequence[dict[str, Any]] = (),
) -> None:
    save_disclosure(person, actor=person, fundings=list(fundings), positions=list(positions))


def affiliate(person: User, organisation: Organisation, kind: str = "primary", **dates: Any):
    return AccountAffiliation.objects.create(
        person=person, organisation=organisation, kind=kind, **dates
    )


def rows(affiliations: tuple[Affiliation, ...]) -> set[tuple[Any, ...]]:
    return {(a.organisation_key, a.name, a.kind, a.country, a.start, a.end) for a in affiliations}


# ---------- People ----------


def test_account_affiliations_main_organisation_and_disclosed_positions_all_appear():
    kita = org("kita-u", "北大学", "Kita University")
    abroad = org("oxbridge", "オックスブリッジ大学", "Oxbridge University", country="GB")
    person = UserFactory(name_ja="山田花子", organisation=kita)
    affiliate(person, abroad, "visiting", start_date=date(2019, 4, 1), end_date=date(2021, 3, 31))
    disclose(
        person,
        positions=[position("株式会社みなみ技研", end="2024-03-31")],
        fundings=[FUNDING],
    )

    facts = person_facts_for([person], on=ON)[person.pk]

    assert facts.person_key == str(person.pk)
    assert facts.name == "山田花子"
    assert rows(facts.affiliations) == {
        ("oxbridge", "オックスブリッジ大学", "visiting", "GB", date(2019, 4, 1), date(2021, 3, 31)),
        # no primary affiliation names the main organisation, so it is added, undated
        ("kita-u", "北大学", "primary", "JP", None, None),
        # a name no organisation bears: its normalised name, legal form dropped
        (
            "みなみ技研",
            "株式会社みなみ技研",
            "concurrent",
            "JP",
            date(2020, 4, 1),
            date(2024, 3, 31),
        ),
    }
    (link,) = facts.fundings
    assert link.key == funding_key(FUNDING["funder"], FUNDING["program"], FUNDING["title"])
    assert (link.start, link.end) == (date(2022, 4, 1), date(2026, 3, 31))


def test_a_current_primary_affiliation_is_not_repeated_by_the_main_organisation():
    kita = org("kita-u", "北大学")
    person = UserFactory(organisation=kita)
    affiliate(person, kita, start_date=date(2018, 4, 1))

    facts = person_facts_for([person], on=ON)[person.pk]

    assert rows(facts.affiliations) == {
        ("kita-u", "北大学", "primary", "JP", date(2018, 4, 1), None)
    }


def test_an_ended_primary_affiliation_leaves_the_main_organisation_added():
    kita = org("kita-u", "北大学")
    person = UserFactory(organisation=kita)
    affiliate(person, kita, start_date=date(2010, 4, 1), end_date=date(2015, 3, 31))

    facts = person_facts_for([person], on=ON)[person.pk]

    assert rows(facts.affiliations) == {
        ("kita-u", "北大学", "primary", "JP", date(2010, 4, 1), date(2015, 3, 31)),
        ("kita-u", "北大学", "primary", "JP", None, None),
    }


def test_a_disclosed_primary_position_at_the_main_organisation_stands_for_it():
    kita = org("kita-u", "北大学")
    person = UserFactory(organisation=kita)
    disclose(person, positions=[position("国立大学法人北大学", kind="primary")])

    facts = person_facts_for([person], on=ON)[person.pk]

    assert rows(facts.affiliations) == {
        ("kita-u", "国立大学法人北大学", "primary", "JP", date(2020, 4, 1), None)
    }


def test_the_latest_disclosure_version_is_used_not_an_earlier_one():
    person = UserFactory()
    other = UserFactory()
    disclose(person, positions=[position("ひがし研究所")], fundings=[FUNDING])
    disclose(person, positions=[position("にし研究所")])
    disclose(other, positions=[position("きた研究所")])

    facts = person_facts_for([person, other], on=ON)

    assert {a.organisation_key for a in facts[person.pk].affiliations} == {"にし研究所"}
    assert facts[person.pk].fundings == ()  # the first version's funding is gone
    assert {a.organisation_key for a in facts[other.pk].affiliations} == {"きた研究所"}


def test_a_disclosed_position_naming_a_known_organisation_meets_its_code():
    org("mirai", "みらい技研", "Mirai Labs")
    person = UserFactory()  # no account tie: the registry alone resolves the name
    disclose(
        person,
        positions=[position("株式会社みらい技研"), position("Mirai Labs Inc.", kind="advisory")],
    )

    facts = person_facts_for([person], on=ON)[person.pk]

    assert {(a.organisation_key, a.kind) for a in facts.affiliations} == {
        ("mirai", "concurrent"),
        ("mirai", "advisory"),
    }


def test_a_name_two_organisations_share_resolves_to_the_persons_own_or_stays_a_name():
    org("minato-a", "みなと大学", "Minato University")
    minato_b = org("minato-b", "みなと工科大学", "Minato University")
    stranger = UserFactory()
    member = UserFactory(organisation=minato_b)
    for person in (stranger, member):
        disclose(person, positions=[position("Minato University")])

    facts = person_facts_for([stranger, member], on=ON)

    # Two organisations bear the name: merging them could invent a conflict.
    assert {a.organisation_key for a in facts[stranger.pk].affiliations} == {"minatouniversity"}
    assert {a.organisation_key for a in facts[member.pk].affiliations} == {"minato-b"}


def test_a_funding_under_a_non_disclosure_agreement_identifies_nothing_and_is_left_out():
    person = UserFactory()
    nda = {"status": "current", "funder": "さくら財団", "nda": True, "effort_percent": 10}
    disclose(person, fundings=[nda, FUNDING])

    facts = person_facts_for([person], on=ON)[person.pk]

    assert [f.title for f in facts.fundings] == [FUNDING["title"]]


def test_people_without_anything_recorded_have_bare_facts():
    person = UserFactory(name_ja="", name_en="", username="nobody")

    assert person_facts_for([person], on=ON)[person.pk].affiliations == ()
    assert person_facts_for([person], on=ON)[person.pk].name == "nobody"


# ---------- Proposals ----------


@pytest.fixture
def call(loaded_programs):
    return make_call()


def proposal(call, applicant: User, institution: Organisation) -> Proposal:
    return Proposal.objects.create(
        call=call, agency=call.agency, applicant=applicant, institution=institution
    )


def member(p: Proposal, person: User | None, status: str) -> ProposalMember:
    return ProposalMember.objects.create(
        proposal=p, person=person, status=status, invited_name="招待者"
    )


def test_co_investigators_are_included_only_once_they_have_accepted(call):
    startup = org("sakura", "さくら量子")
    applicant = UserFactory(organisation=startup)
    accepted, declined, withdrawn = UserFactory(), UserFactory(), UserFactory()
    p = proposal(call, applicant, startup)
    member(p, accepted, MemberStatus.ACCEPTED)
    member(p, declined, MemberStatus.DECLINED)
    member(p, withdrawn, MemberStatus.WITHDRAWN)
    member(p, None, MemberStatus.INVITED)

    facts = proposal_facts_for([p], on=ON)[p.pk]

    assert facts.proposal_key == str(p.pk)
    assert (facts.institution_key, facts.institution_name) == ("sakura", "さくら量子")
    assert facts.applicant.person_key == str(applicant.pk)
    assert [c.person_key for c in facts.co_investigators] == [str(accepted.pk)]


def test_conflicts_found_on_gathered_facts_cover_a_disclosure_and_a_former_institution(call):
    startup = org("sakura", "さくら量子")
    mirai = org("mirai", "みらい技研")
    applicant = UserFactory(organisation=startup)
    co = UserFactory()
    affiliate(co, mirai, "concurrent", start_date=date(2022, 4, 1))  # on the account
    reviewer = UserFactory(organisation=org("kita-u", "北大学"))
    affiliate(reviewer, startup, start_date=date(2018, 4, 1), end_date=date(2024, 3, 31))
    # The reviewer's side of the shared tie is only in the disclosure, by name.
    disclose(reviewer, positions=[position("株式会社みらい技研", start="2023-01-01")])
    p = proposal(call, applicant, startup)
    member(p, co, MemberStatus.ACCEPTED)

    # Gathered apart, as a round does: the two sources still meet on the code.
    reviewer_facts = person_facts_for([reviewer], on=ON)[reviewer.pk]
    proposal_facts = proposal_facts_for([p], on=ON)[p.pk]
    conflicts = find_conflicts(
        reviewer_facts, proposal_facts, on=ON, policy=ConflictPolicy(institution_years=3)
    )

    assert [(c.code, c.person_key, c.evidence["organisation_key"]) for c in conflicts] == [
        (FORMER_INSTITUTION, "", "sakura"),
        # the applicant's main organisation, where the reviewer was until 2024
        (SHARED_AFFILIATION, str(applicant.pk), "sakura"),
        (SHARED_AFFILIATION, str(co.pk), "mirai"),
    ]
    former, _, shared = conflicts
    assert former.evidence["end"] == "2024-03-31"
    assert shared.evidence["reviewer_organisation"] == "株式会社みらい技研"
    assert shared.evidence["reviewer_kind"] == "concurrent"
    assert shared.evidence["person_organisation"] == "みらい技研"


# ---------- Queries ----------


def populated_people(count: int) -> list[User]:
    kita = org("kita-u", "北大学")
    mirai = org("mirai", "みらい技研")
    people = []
    for _ in range(count):
        person = UserFactory(organisation=kita)
        affiliate(person, kita, start_date=date(2018, 4, 1))
        affiliate(person, mirai, "concurrent", start_date=date(2020, 4, 1))
        disclose(person, positions=[position("ひがし研究所")])
        disclose(person, positions=[position("にし研究所")], fundings=[FUNDING])
        people.append(person)
    return people


def count_queries(gather: Any, items: list[Any]) -> int:
    fresh = [type(item).objects.get(pk=item.pk) for item in items]  # nothing cached
    with CaptureQueriesContext(connection) as captured:
        facts = gather(fresh, on=ON)
    assert set(facts) == {item.pk for item in items}
    return len(captured)


def test_people_take_the_same_few_queries_for_two_as_for_ten():
    people = populated_people(10)

    assert count_queries(person_facts_for, people[:2]) == count_queries(person_facts_for, people)
    assert count_queries(person_facts_for, people) == 4


def test_people_take_one_query_fewer_with_the_registry_names_given(django_assert_num_queries):
    people = populated_people(3)
    names = OrganisationNames.load()

    with django_assert_num_queries(3):
        facts = person_facts_for(people, on=ON, names=names)
    assert all(len(f.affiliations) == 3 for f in facts.values())


def test_no_people_and_no_proposals_take_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert person_facts_for([], on=ON) == {}
        assert proposal_facts_for([], on=ON) == {}


def test_proposals_take_the_same_few_queries_for_two_as_for_ten(call):
    startup = org("sakura", "さくら量子")
    people = populated_people(20)
    proposals = []
    for applicant, co in zip(people[:10], people[10:], strict=True):
        p = proposal(call, applicant, startup)
        member(p, co, MemberStatus.ACCEPTED)
        member(p, None, MemberStatus.INVITED)
        proposals.append(p)

    assert count_queries(proposal_facts_for, proposals[:2]) == count_queries(
        proposal_facts_for, proposals
    )
    assert count_queries(proposal_facts_for, proposals) == 6
    facts = proposal_facts_for(proposals, on=ON)
    assert all(len(f.co_investigators) == 1 for f in facts.values())
    assert all(len(f.applicant.fundings) == 1 for f in facts.values())
