"""Matching and the proposals' life as pure rules (no database): each score
component at its values with the words that explain it, the weighted score,
the ranking's order, the weights' file; and every step of a proposal, who may
take it and what a contract needs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils.translation import override

from openrd.ecosystem import challenge_files
from openrd.ecosystem.rules import matching as m
from openrd.ecosystem.rules import responses as r

WEIGHTS = m.Weights(
    "test", Decimal("0.5"), Decimal("0.2"), Decimal("0.15"), Decimal("0.15"), "setting"
)
NEED = m.Need(
    "bridge", "橋梁点検", ("橋梁", "ドローン", "AI"), "道路橋の点検を省人化する", "福岡県"
)


def company(**changes):
    fields = {"key": "c1", "name": "甲", "keywords": (), "text": "", "prefecture": "福岡県",
              "phase_reached": 0, "eligibility": "yes"} | changes  # fmt: skip
    return m.Candidate(**fields)


def components(match):
    return {c.code: c for c in match.components}


def test_topic_is_the_share_of_keywords_found_blended_with_the_texts_overlap():
    found = components(m.match(NEED, company(text="ＡＩとドローンによる橋梁の点検"), WEIGHTS))
    topic = found["topic"]
    # All three keywords (ＡＩ folded to ai); the bigrams overlap in part.
    assert Decimal("0.7") < topic.value < 1
    for word in ("3", "ai", "橋梁"):
        assert word in topic.because
    with override("en"):
        none = components(m.match(NEED, company(text="会計ソフトウェア"), WEIGHTS))["topic"]
    assert none.value == 0
    assert none.because == "Covers none of the need's 3 keywords."
    partial = components(m.match(NEED, company(keywords=("橋梁",)), WEIGHTS))["topic"]
    assert Decimal("0.7") / 3 <= partial.value < Decimal("0.7") * 2 / 3


def test_a_need_without_keywords_is_compared_by_its_text_alone():
    need = m.Need("n", "n", (), "道路橋の点検", "")
    topic = components(m.match(need, company(text="道路橋の点検"), WEIGHTS))["topic"]
    assert topic.value == 1


@pytest.mark.parametrize(("phase", "value"), [(0, "0.000"), (1, "0.333"), (2, "0.667"),
                                              (3, "1.000"), (5, "1.000")])  # fmt: skip
def test_the_phase_reached_counts_a_third_each(phase, value):
    found = components(m.match(NEED, company(phase_reached=phase), WEIGHTS))["phase"]
    assert found.value == Decimal(value)


@pytest.mark.parametrize(
    ("need_pref", "company_pref", "value"),
    [("福岡県", "福岡県", "1"), ("福岡県", "熊本県", "0.5"), ("福岡県", "東京都", "0"),
     ("福岡県", "", "0"), ("", "北海道", "1")],
)  # fmt: skip
def test_the_region_is_the_prefecture_then_the_region_and_a_nationwide_need_is_everyones(
    need_pref, company_pref, value
):
    need = m.Need("n", "n", ("x",), "", need_pref)
    found = components(m.match(need, company(prefecture=company_pref), WEIGHTS))["region"]
    assert found.value == Decimal(value)
    assert found.because


@pytest.mark.parametrize(("status", "value"), [("yes", "1"), ("undetermined", "0.5"),
                                               ("no", "0")])  # fmt: skip
def test_eligibility_follows_the_current_assessment(status, value):
    found = components(m.match(NEED, company(eligibility=status), WEIGHTS))["eligibility"]
    assert found.value == Decimal(value)


def test_the_score_is_the_weighted_sum_and_the_ranking_breaks_ties_by_name():
    best = company(key="a", name="Z社", keywords=("橋梁", "ドローン", "AI"), phase_reached=3)
    tie_1 = company(key="b", name="B社")
    tie_2 = company(key="c", name="C社")
    ranked = m.rank_candidates(NEED, [tie_2, best, tie_1], WEIGHTS)
    assert [x.candidate.key for x in ranked] == ["a", "b", "c"]
    top = ranked[0]
    assert top.score == sum(c.contribution for c in top.components)
    # Tied companies: no topic, no phase, same region, eligible.
    assert ranked[1].score == ranked[2].score == Decimal("0.300")
    assert all(c.because in top.explanation() for c in top.components)
    needs = m.rank_needs(best, [m.Need("z", "z", (), "", "北海道"), NEED], WEIGHTS)
    assert [x.need.key for x in needs] == ["bridge", "z"]


def test_weights_must_be_non_negative_and_sum_to_one():
    with pytest.raises(ValueError, match="sum to 1"):
        m.Weights("bad", Decimal("0.5"), Decimal("0.5"), Decimal("0.5"), Decimal(0), "")


def test_the_shipped_file_gives_weights_and_contract_bases_with_their_sources():
    weights = challenge_files.weights()
    assert weights.topic + weights.phase + weights.region + weights.eligibility == 1
    bases = challenge_files.contract_bases()
    assert {"sbir_discretionary", "municipal_trial_order"} <= set(bases)
    assert bases["municipal_trial_order"].owners == {"municipal"}
    assert "1187" in bases["sbir_discretionary"].source


def test_a_malformed_file_fails_when_read():
    with pytest.raises(challenge_files.ChallengeFileError, match="owners"):
        challenge_files.parse({"contract_bases": [{"code": "x", "name_ja": "x", "name_en": "x",
                                                   "law": "x", "seed_text": "x", "seed_line": 1,
                                                   "owners": ["galactic"]}],
                               "matching": {}})  # fmt: skip


BASIS = r.Basis("sbir", "SBIR", "law", frozenset({"national"}), "source")
CITY_BASIS = r.Basis("trial", "trial", "law", frozenset({"municipal"}), "source")
TODAY = date(2026, 12, 1)


def step(current, target, **changes):
    fields = {"current": current, "target": target, "today": TODAY, "by_company": False,
              "owner_kind": "national"} | changes  # fmt: skip
    return r.check_step(r.StepFacts(**fields))


NO_STEPS = [(s, t) for s, ts in r.TRANSITIONS.items() for t in r.TRANSITIONS if t not in ts]


@pytest.mark.parametrize(("current", "target"), NO_STEPS)
def test_only_the_table_s_steps_are_taken(current, target):
    assert step(current, target, by_company=target in r.BY_COMPANY).codes() == [
        "response.no_such_step"
    ]


def test_the_company_withdraws_and_the_owner_decides():
    assert step("submitted", "withdrawn", by_company=True).allowed
    assert step("submitted", "withdrawn").codes() == ["response.not_yours"]
    assert step("submitted", "shortlisted", by_company=True).codes() == ["response.not_yours"]
    assert step("submitted", "shortlisted").allowed


def test_declining_needs_a_reason_and_a_pilot_its_start():
    assert step("shortlisted", "declined").codes() == ["response.decline_needs_reason"]
    assert step("shortlisted", "declined", note="予算の範囲外").allowed
    assert step("shortlisted", "pilot").codes() == ["response.pilot_needs_start"]
    assert step("shortlisted", "pilot", pilot_starts_on=TODAY).allowed


def test_a_contract_needs_a_basis_the_owner_may_use_signed_after_the_pilot_and_not_ahead():
    pilot = date(2026, 9, 1)
    ok = {"basis": BASIS, "contracted_on": date(2026, 11, 1), "pilot_starts_on": pilot}
    assert step("pilot", "contracted", **ok).allowed
    assert step("pilot", "contracted", **(ok | {"basis": None})).codes() == [
        "response.contract_needs_basis"
    ]
    assert step("pilot", "contracted", **(ok | {"basis": CITY_BASIS})).codes() == [
        "response.basis_not_for_owner"
    ]
    assert step("pilot", "contracted", owner_kind="municipal", **(ok | {"basis": CITY_BASIS})
                ).allowed  # fmt: skip
    assert step("pilot", "contracted", **(ok | {"contracted_on": None})).codes() == [
        "response.contract_needs_date"
    ]
    assert step("pilot", "contracted", **(ok | {"contracted_on": date(2026, 12, 2)})).codes() == [
        "response.contract_in_future"
    ]
    assert step("pilot", "contracted", **(ok | {"contracted_on": date(2026, 8, 31)})).codes() == [
        "response.contract_before_pilot"
    ]
