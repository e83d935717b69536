"""Conflict-of-interest rules: pure tests, no database."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from openrd.core.decisions import Reason
from openrd.integrity.rules.entries import Funding, Position
from openrd.review.rules.conflicts import (
    REVIEW_POLICY_SOURCE,
    Affiliation,
    ConflictPolicy,
    Declaration,
    FundingLink,
    PersonFacts,
    ProposalFacts,
    affiliation_from_position,
    check_may_review,
    find_conflicts,
    funding_key,
    funding_link_from_funding,
    organisation_key,
)

ON = date(2024, 10, 1)
POLICY = ConflictPolicy()  # N = 3
SAKURA = organisation_key("さくら量子株式会社")
TOKAI = organisation_key("東海大学")


def aff(name, start=None, end=None, kind="primary", country="JP"):
    return Affiliation(organisation_key(name), name, start, end, kind, country)


def person(key, name, *affiliations, fundings=()):
    return PersonFacts(key, name, tuple(affiliations), tuple(fundings))


APPLICANT = person("1", "山田太郎", aff("東海大学", date(2015, 4, 1)))
CO_INVESTIGATOR = person("2", "佐藤花子", aff("北陸大学", date(2010, 4, 1)))
PROPOSAL = ProposalFacts("P-1", TOKAI, "東海大学", APPLICANT, (CO_INVESTIGATOR,))
STRANGER = person("9", "鈴木一郎", aff("九州大学", date(2000, 4, 1)))


def conflicts(reviewer, proposal=PROPOSAL, *, on=ON, policy=POLICY, declaration=None):
    return find_conflicts(reviewer, proposal, on=on, policy=policy, declaration=declaration)


def codes(reviewer, **kwargs):
    return [c.code for c in conflicts(reviewer, **kwargs)]


# ---------- Keys ----------


@pytest.mark.parametrize(
    "name",
    ["さくら量子株式会社", "株式会社さくら量子", "さくら量子", "（株）さくら量子", "さくら量子 "],
)
def test_legal_forms_and_spacing_do_not_change_the_organisation(name):
    assert organisation_key(name) == organisation_key("さくら量子")


def test_organisation_key_rules():
    assert organisation_key("国立大学法人 東海大学") == organisation_key("東海大学")
    assert organisation_key("Sakura Quantum Co., Ltd.") == organisation_key("SAKURA QUANTUM Inc.")
    assert organisation_key("University of Tokyo") == "universityoftokyo"
    assert organisation_key("Zinc") == "zinc"  # "inc" only as a word of its own
    assert organisation_key("株式会社") == "株式会社"
    assert organisation_key("さくら量子株式会社", code="ORG-7") == "ORG-7"


def test_funding_key_prefers_the_grant_number():
    assert funding_key("日本学術振興会", "科研費", "量子 計算") == funding_key(
        "独立行政法人日本学術振興会", "科研費", "量子計算"
    )
    assert funding_key("JSPS", "KAKENHI", "A", grant_number="23K00001") == funding_key(
        "", "", "B", grant_number="23k00001"
    )
    assert funding_key("JSPS", "KAKENHI", "A") != funding_key("JSPS", "KAKENHI", "B")


def test_disclosure_entries_become_facts():
    position = Position(key="p", organisation="株式会社さくら量子", kind="concurrent", country="US")
    affiliation = affiliation_from_position(position)
    assert (affiliation.organisation_key, affiliation.kind, affiliation.country) == (
        SAKURA,
        "concurrent",
        "US",
    )
    funding = Funding(key="f", funder="JST", program="CREST", title="量子")
    assert funding_link_from_funding(funding).key == funding_key("JST", "CREST", "量子")


# ---------- 1. The submitting institution ----------


def test_current_affiliation_with_the_institution_conflicts():
    reviewer = person(
        "8", "審査太郎", aff("国立大学法人東海大学", date(2019, 4, 1), kind="visiting")
    )
    (conflict,) = conflicts(reviewer, proposal=replace(PROPOSAL, applicant=STRANGER))
    assert conflict.code == "review.conflict.same_institution"
    assert conflict.person_key == ""
    assert conflict.source == REVIEW_POLICY_SOURCE
    assert conflict.evidence["kind"] == "visiting"
    assert conflict.evidence["start"] == "2019-04-01"


def test_the_last_day_of_an_affiliation_is_still_current():
    reviewer = person("8", "審査太郎", aff("東海大学", date(2019, 4, 1), ON))
    proposal = replace(PROPOSAL, applicant=STRANGER)
    assert codes(reviewer, proposal=proposal) == ["review.conflict.same_institution"]
    assert codes(reviewer, proposal=proposal, on=ON + timedelta(days=1)) == [
        "review.conflict.former_institution"
    ]


@pytest.mark.parametrize(
    ("end", "years", "on", "conflicted"),
    [
        (date(2021, 3, 31), 3, date(2024, 3, 31), True),  # exactly N years after the end
        (date(2021, 3, 31), 3, date(2024, 4, 1), False),  # the day after
        (date(2020, 2, 29), 3, date(2023, 2, 28), True),  # a leap day: 28 February
        (date(2020, 2, 29), 3, date(2023, 3, 1), False),
        (date(2020, 2, 29), 4, date(2024, 2, 29), True),  # and 29 February when there is one
        (date(2020, 2, 29), 4, date(2024, 3, 1), False),
        (date(2019, 3, 31), 5, date(2024, 3, 31), True),  # N per program
        (date(2019, 3, 31), 3, date(2024, 3, 31), False),
        (date(2024, 3, 30), 0, date(2024, 3, 31), False),  # N = 0: only current
    ],
)
def test_former_institution_boundary(end, years, on, conflicted):
    reviewer = person("8", "審査太郎", aff("東海大学", date(2010, 4, 1), end))
    proposal = replace(PROPOSAL, applicant=STRANGER)
    found = codes(reviewer, proposal=proposal, on=on, policy=ConflictPolicy(years))
    assert found == (["review.conflict.former_institution"] if conflicted else [])


def test_a_current_tie_is_reported_once_even_with_an_old_one():
    reviewer = person(
        "8",
        "審査太郎",
        aff("東海大学", date(2010, 4, 1), date(2022, 3, 31)),
        aff("東海大学", date(2023, 4, 1), kind="concurrent"),
    )
    (conflict,) = conflicts(reviewer, proposal=replace(PROPOSAL, applicant=STRANGER))
    assert conflict.code == "review.conflict.same_institution"
    assert conflict.evidence["kind"] == "concurrent"


def test_negative_years_are_refused():
    with pytest.raises(ValueError, match="negative"):
        ConflictPolicy(-1)


# ---------- 2. Shared affiliations ----------


def test_a_shared_concurrent_position_with_the_applicant_conflicts():
    applicant = person(
        "1", "山田太郎", aff("株式会社さくら量子", date(2021, 4, 1), kind="concurrent")
    )
    reviewer = person("8", "審査太郎", aff("さくら量子株式会社", date(2018, 4, 1)))
    (conflict,) = conflicts(reviewer, proposal=replace(PROPOSAL, applicant=applicant))
    assert conflict.code == "review.conflict.shared_affiliation"
    assert conflict.person_key == "1"
    assert conflict.evidence["organisation_key"] == SAKURA
    assert conflict.evidence["person_kind"] == "concurrent"
    assert conflict.evidence["reviewer_start"] == "2018-04-01"


def test_a_foreign_position_shared_with_a_co_investigator_conflicts():
    co = person("2", "Jane Doe", aff("MIT", date(2022, 9, 1), kind="foreign", country="US"))
    reviewer = person("8", "審査太郎", aff("MIT", date(2023, 1, 1), kind="advisory", country="US"))
    (conflict,) = conflicts(reviewer, proposal=replace(PROPOSAL, co_investigators=(co,)))
    assert (conflict.code, conflict.person_key) == ("review.conflict.shared_affiliation", "2")
    assert conflict.evidence["person_country"] == "US"


def test_a_shared_past_counts_for_n_years_and_not_the_day_after():
    applicant = person("1", "山田太郎", aff("さくら量子", date(2015, 4, 1), date(2021, 3, 31)))
    reviewer = person("8", "審査太郎", aff("さくら量子", date(2016, 4, 1)))
    proposal = replace(PROPOSAL, applicant=applicant)
    assert codes(reviewer, proposal=proposal, on=date(2024, 3, 31)) == [
        "review.conflict.shared_affiliation"
    ]
    assert codes(reviewer, proposal=proposal, on=date(2024, 4, 1)) == []


def test_periods_apart_by_more_than_n_years_do_not_meet():
    # Both are recent enough on the day, but the reviewer left long before the applicant came.
    applicant = person("1", "山田太郎", aff("さくら量子", date(2030, 4, 1)))  # accepted, not begun
    reviewer = person("8", "審査太郎", aff("さくら量子", date(2015, 4, 1), date(2024, 3, 31)))
    proposal = replace(PROPOSAL, applicant=applicant)
    assert codes(reviewer, proposal=proposal) == []
    soon = replace(applicant, affiliations=(aff("さくら量子", date(2025, 4, 1)),))
    assert codes(reviewer, proposal=replace(PROPOSAL, applicant=soon)) == [
        "review.conflict.shared_affiliation"
    ]


def test_institution_and_shared_affiliation_are_both_reported():
    reviewer = person("8", "審査太郎", aff("東海大学", date(2012, 4, 1)))
    assert codes(reviewer) == [
        "review.conflict.same_institution",
        "review.conflict.shared_affiliation",
    ]


def test_several_positions_at_one_organisation_make_one_conflict():
    reviewer = person(
        "8",
        "審査太郎",
        aff("さくら量子", date(2018, 4, 1), kind="advisory"),
        aff("株式会社さくら量子", date(2020, 4, 1), kind="concurrent"),
    )
    applicant = person("1", "山田太郎", aff("さくら量子", date(2019, 4, 1)))
    found = conflicts(reviewer, proposal=replace(PROPOSAL, applicant=applicant))
    assert [c.code for c in found] == ["review.conflict.shared_affiliation"]


def test_strangers_have_no_conflict():
    assert conflicts(STRANGER) == ()


# ---------- 3. The reviewer is one of the proposal's people ----------


def test_reviewing_ones_own_proposal_is_a_conflict():
    with translation.override("en"):
        found = conflicts(APPLICANT)
    # Comparing the applicant with themself finds no "shared" affiliation.
    assert [c.code for c in found] == [
        "review.conflict.same_institution",
        "review.conflict.co_investigator",
    ]
    assert found[1].person_key == "1"
    assert found[1].message == "The reviewer is the applicant of this proposal."


def test_a_co_investigator_cannot_review():
    with translation.override("en"):
        (conflict,) = conflicts(CO_INVESTIGATOR)
    assert (conflict.code, conflict.person_key) == ("review.conflict.co_investigator", "2")
    assert conflict.message == "The reviewer is a co-investigator of this proposal."


# ---------- 4. Shared funding ----------

GRANT = funding_key("JST", "CREST", "量子誤り訂正")


def link(start, end, key=GRANT):
    return FundingLink(key, "JST", "量子誤り訂正", start, end)


@pytest.mark.parametrize(
    ("reviewer_link", "applicant_link", "conflicted"),
    [
        (link(date(2022, 4, 1), date(2027, 3, 31)), link(date(2022, 4, 1), None), True),
        # the reviewer left within N years of the day, the applicant joined afterwards
        (link(date(2015, 4, 1), date(2022, 3, 31)), link(date(2023, 4, 1), None), True),
        (
            link(date(2015, 4, 1), date(2022, 3, 31)),
            link(date(2015, 4, 1), date(2022, 9, 30)),
            True,
        ),
        # the applicant's part ended more than N years before the day
        (
            link(date(2015, 4, 1), date(2022, 3, 31)),
            link(date(2015, 4, 1), date(2021, 9, 30)),
            False,
        ),
        (link(date(2022, 4, 1), None), link(date(2022, 4, 1), None, key="other"), False),
        (link(date(2025, 4, 1), None), link(date(2025, 4, 1), None), True),  # applied together
    ],
)
def test_shared_funding(reviewer_link, applicant_link, conflicted):
    reviewer = person("8", "審査太郎", fundings=(reviewer_link,))
    applicant = replace(APPLICANT, fundings=(applicant_link,))
    found = codes(reviewer, proposal=replace(PROPOSAL, applicant=applicant))
    assert found == (["review.conflict.shared_funding"] if conflicted else [])


def test_shared_funding_message_names_the_person_and_the_funding():
    reviewer = person("8", "審査太郎", fundings=(link(date(2022, 4, 1), None),))
    co = replace(CO_INVESTIGATOR, fundings=(link(date(2023, 4, 1), None),))
    with translation.override("en"):
        (conflict,) = conflicts(reviewer, proposal=replace(PROPOSAL, co_investigators=(co,)))
    assert conflict.message == (
        "The reviewer and the co-investigator 佐藤花子 both take part in the research "
        "funding “量子誤り訂正” (JST)."
    )
    assert conflict.evidence["funding_key"] == GRANT
    assert conflict.evidence["person_start"] == "2023-04-01"


# ---------- 5. Declaration ----------


def test_a_declared_conflict_is_reported_with_its_note():
    with translation.override("en"):
        (conflict,) = conflicts(STRANGER, declaration=Declaration(True, "共同研究の相手方"))
    assert conflict.code == "review.conflict.declared"
    assert conflict.person_key == ""
    assert conflict.message == (
        "The reviewer has declared a conflict of interest with this proposal (共同研究の相手方)."
    )
    assert conflict.evidence == {"note": "共同研究の相手方"}


def test_a_declaration_of_no_conflict_adds_nothing():
    assert conflicts(STRANGER, declaration=Declaration(False)) == ()
    assert codes(STRANGER, declaration=Declaration(True)) == ["review.conflict.declared"]


# ---------- Order, wording, storage ----------


def everything_reviewer():
    return person(
        "8",
        "審査太郎",
        aff("東海大学", date(2012, 4, 1)),
        aff("北陸大学", date(2012, 4, 1), kind="concurrent"),
        aff("さくら量子", date(2019, 4, 1), kind="advisory"),
        fundings=(link(date(2022, 4, 1), None),),
    )


def everything_proposal():
    applicant = person(
        "1",
        "山田太郎",
        aff("東海大学", date(2015, 4, 1)),
        aff("さくら量子", date(2021, 4, 1), kind="concurrent"),
        fundings=(link(date(2022, 4, 1), None),),
    )
    return replace(PROPOSAL, applicant=applicant)


def test_conflicts_come_in_rule_then_person_then_organisation_order():
    found = conflicts(
        everything_reviewer(), proposal=everything_proposal(), declaration=Declaration(True)
    )
    assert [(c.code, c.person_key, c.evidence.get("organisation_key", "")) for c in found] == [
        ("review.conflict.same_institution", "", TOKAI),
        ("review.conflict.shared_affiliation", "1", SAKURA),
        ("review.conflict.shared_affiliation", "1", TOKAI),
        ("review.conflict.shared_affiliation", "2", organisation_key("北陸大学")),
        ("review.conflict.shared_funding", "1", ""),
        ("review.conflict.declared", "", ""),
    ]
    assert sorted([SAKURA, TOKAI]) == [SAKURA, TOKAI]  # the order above is the key order


def test_english_messages_say_who_and_what():
    applicant = person(
        "1", "山田太郎", aff("さくら量子株式会社", date(2021, 4, 1), kind="concurrent")
    )
    reviewer = person(
        "8",
        "審査太郎",
        aff("さくら量子株式会社", date(2018, 4, 1), date(2023, 3, 31)),
        aff("東海大学", date(2010, 4, 1), date(2022, 3, 31)),
    )
    with translation.override("en"):
        former, shared = conflicts(reviewer, proposal=replace(PROPOSAL, applicant=applicant))
    assert former.message == (
        "The reviewer was affiliated with 東海大学, the institution submitting this proposal, "
        "until 31 March 2022 (Reiwa 4) (main position), within the 3-year period set for "
        "this program."
    )
    assert shared.message == (
        "The reviewer and the applicant 山田太郎 share an affiliation with さくら量子株式会社 "
        "(the reviewer: main position, 1 April 2018 (Heisei 30) to 31 March 2023 (Reiwa 5); "
        "the applicant: concurrent position, since 1 April 2021 (Reiwa 3))."
    )


def test_same_institution_message_in_english():
    reviewer = person("8", "審査太郎", aff("東海大学", date(2019, 4, 1), kind="visiting"))
    with translation.override("en"):
        (conflict,) = conflicts(reviewer, proposal=replace(PROPOSAL, applicant=STRANGER))
    assert conflict.message == (
        "The reviewer is affiliated with 東海大学, the institution submitting this proposal "
        "(visiting position, since 1 April 2019 (Heisei 31))."
    )
    with translation.override("ja"):
        (conflict,) = conflicts(reviewer, proposal=replace(PROPOSAL, applicant=STRANGER))
    assert conflict.message == (
        "審査委員は、本提案を提出した機関である東海大学に所属しています（客員、平成31年4月1日から）。"
    )


def test_japanese_gives_the_same_conflicts():
    args = (everything_reviewer(), everything_proposal())
    with translation.override("ja"):
        ja = find_conflicts(*args, on=ON, policy=POLICY, declaration=Declaration(True))
    with translation.override("en"):
        en = find_conflicts(*args, on=ON, policy=POLICY, declaration=Declaration(True))
    assert [(c.code, c.person_key, c.evidence) for c in ja] == [
        (c.code, c.person_key, c.evidence) for c in en
    ]
    assert all(c.message for c in ja)


def test_a_conflict_is_a_reason_and_is_stored_as_plain_data():
    (conflict,) = conflicts(STRANGER, declaration=Declaration(True, "note"))
    assert conflict.as_reason() == Reason(conflict.code, conflict.message, REVIEW_POLICY_SOURCE)
    stored = conflict.as_dict()
    assert stored == {
        "code": "review.conflict.declared",
        "message": conflict.message,
        "source": REVIEW_POLICY_SOURCE,
        "person_key": "",
        "evidence": {"note": "note"},
    }


def test_the_program_names_its_own_source():
    policy = ConflictPolicy(5, source="〇〇事業審査規程第5条")
    (conflict,) = conflicts(STRANGER, policy=policy, declaration=Declaration(True))
    assert conflict.source == "〇〇事業審査規程第5条"


# ---------- May the reviewer open the proposal? ----------


@pytest.mark.parametrize("conflicted", [True, False])
@pytest.mark.parametrize("confirmed", [True, False])
@pytest.mark.parametrize("accepted", [True, False])
def test_check_may_review_names_every_missing_piece(conflicted, confirmed, accepted):
    found = conflicts(APPLICANT if conflicted else STRANGER)
    decision = check_may_review(
        found, confirmed_no_conflict=confirmed, accepted_confidentiality=accepted
    )
    expected = ["review.conflicted"] * len(found)
    expected += [] if confirmed else ["review.no_conflict_unconfirmed"]
    expected += [] if accepted else ["review.confidentiality_not_accepted"]
    assert decision.codes() == expected
    assert decision.allowed is (not conflicted and confirmed and accepted)


def test_check_may_review_carries_the_conflict_messages():
    found = conflicts(APPLICANT)
    decision = check_may_review(found, confirmed_no_conflict=True, accepted_confidentiality=True)
    assert [r.message for r in decision.reasons] == [c.message for c in found]
    assert [r.source for r in decision.reasons] == [REVIEW_POLICY_SOURCE] * 2


def test_check_may_review_in_english():
    with translation.override("en"):
        decision = check_may_review((), confirmed_no_conflict=False, accepted_confidentiality=False)
    assert [r.message for r in decision.reasons] == [
        "Confirm that you have no conflict of interest with this proposal before opening it.",
        "Accept the confidentiality undertaking before opening this proposal.",
    ]


# ---------- Properties ----------

ORGS = ("さくら量子", "東海大学", "MIT", "北陸大学")
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))
affiliations = st.builds(
    lambda name, start, length, kind: aff(
        name, start, None if length is None else start + timedelta(days=length), kind
    ),
    st.sampled_from(ORGS),
    days,
    st.one_of(st.none(), st.integers(0, 4000)),
    st.sampled_from(("primary", "concurrent", "visiting", "advisory", "foreign")),
)
affiliation_lists = st.lists(affiliations, max_size=4)


def shared(reviewer, applicant, on, years):
    proposal = ProposalFacts("P", "elsewhere", "他機関", applicant)
    found = find_conflicts(reviewer, proposal, on=on, policy=ConflictPolicy(years))
    return {c.evidence["organisation_key"] for c in found if c.code.endswith("shared_affiliation")}


@given(affiliation_lists, affiliation_lists, days, st.integers(0, 5))
def test_shared_affiliation_is_symmetric(a_affiliations, b_affiliations, on, years):
    a = person("A", "甲", *a_affiliations)
    b = person("B", "乙", *b_affiliations)
    assert shared(a, b, on, years) == shared(b, a, on, years)


@given(affiliation_lists, affiliation_lists, days, st.integers(0, 5), st.randoms())
def test_find_conflicts_is_deterministic(a_affiliations, b_affiliations, on, years, rnd):
    reviewer = person("A", "甲", *a_affiliations)
    applicant = person("B", "乙", *b_affiliations)
    proposal = ProposalFacts("P", TOKAI, "東海大学", applicant)
    policy = ConflictPolicy(years)
    first = find_conflicts(reviewer, proposal, on=on, policy=policy)
    assert find_conflicts(reviewer, proposal, on=on, policy=policy) == first
    # Nor does the order in which the facts were gathered matter.
    rnd.shuffle(a_affiliations)
    rnd.shuffle(b_affiliations)
    shuffled = ProposalFacts("P", TOKAI, "東海大学", person("B", "乙", *b_affiliations))
    assert find_conflicts(person("A", "甲", *a_affiliations), shuffled, on=on, policy=policy) == (
        first
    )
