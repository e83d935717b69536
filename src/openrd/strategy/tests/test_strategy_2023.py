"""The 2023 strategy as shipped: every excerpt on the seed line it cites, the
seed's figures with their years, and the measures linked to the programs that
carry them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from openrd.programs.preset_files import read_presets
from openrd.strategy.strategy_files import read_strategies

SPEC = next(s for s in read_strategies() if s.year == 2023)
INDICATORS = {i.code: i for i in SPEC.indicators}


def test_the_strategy_is_the_cabinet_decision_of_2023_06_09_third_under_the_6th_plan(seed_lines):
    assert (SPEC.code, str(SPEC.cabinet_decision_on), SPEC.ordinal) == ("iis-2023", "2023-06-09", 3)
    assert "2023年6月9日閣議決定" in seed_lines[SPEC.sources["cabinet_decision_on"].seed_line - 1]
    assert "第6期" in SPEC.basic_plan_ja


def test_the_three_pillars_are_the_top_level_goals_and_convergence_knowledge_stands_beside():
    roots = [g for g in SPEC.goals if not g.parent]
    pillars = [g.title_ja for g in roots if not g.cross_cutting]
    assert pillars == [
        "先端科学技術の戦略的な推進",
        "知の基盤と人材育成の強化",
        "イノベーション・エコシステムの形成",
    ]
    assert [g.title_ja for g in roots if g.cross_cutting] == ["総合知"]


def test_every_excerpt_is_on_the_seed_line_it_cites(seed_lines):
    wrong = [(where, c.seed_line, c.seed_text) for where, c in SPEC.citations()
             if not 1 <= c.seed_line <= len(seed_lines)
             or c.seed_text not in seed_lines[c.seed_line - 1]]  # fmt: skip
    assert wrong == []


def _yen(text: str) -> int:
    """The one amount written in an excerpt ("1066.2億円", "50兆円", "2,060億円")."""
    (match,) = re.findall(r"([\d,.]+)\s*(兆|億)円", text)
    number, unit = Decimal(match[0].replace(",", "")), match[1]
    return int(number * (10**12 if unit == "兆" else 10**8))


def test_every_yen_target_and_value_equals_the_amount_written_in_the_seed():
    for indicator in SPEC.indicators:
        if indicator.unit != "yen":
            continue
        for value in indicator.targets + indicator.observations:
            assert value.value == _yen(value.cited.seed_text), (indicator.code, value)


@pytest.mark.parametrize(
    ("code", "fiscal_year", "value"),
    [
        ("quantum-domestic-users", 2030, 10_000_000),
        ("quantum-production", 2030, 50_000_000_000_000),
    ],
)
def test_the_quantum_2030_targets_are_there_with_their_year(code, fiscal_year, value):
    (target,) = [t for t in INDICATORS[code].targets if t.kind == "final"]
    assert (target.fiscal_year, target.value) == (fiscal_year, value)


def test_the_sbir_spending_targets_are_those_of_fy2022_and_fy2023_and_the_spending_is_computed():
    sbir = [i for i in SPEC.indicators if i.computed == "sbir_spending_yen"]
    assert len(sbir) == 1
    targets = {t.fiscal_year: t.value for t in sbir[0].targets}
    assert targets == {2022: 54_600_000_000, 2023: 106_620_000_000}


def test_the_immediate_oa_share_is_computed_from_the_repository():
    assert any(i.computed == "oa_share_mandated" for i in SPEC.indicators)


def test_measures_name_the_programs_that_carry_them():
    presets = {p.code for p in read_presets()}
    linked = {p for m in SPEC.measures for p in m.programs}
    assert {"sip", "moonshot", "k_program", "sbir", "university_fund", "gsuc"} <= linked
    assert linked <= presets


def test_the_research_integrity_measures_carry_their_ministries_from_the_slide():
    # 【内、文科等】: the Cabinet Office and MEXT, and others.
    tagged = [
        m
        for m in SPEC.measures
        if m.primary_ministries[:1] == ("cao",)
        and "mext" in m.primary_ministries + m.collaborating_ministries
        and m.others
    ]
    assert tagged, "a measure tagged 【内、文科等】"


@pytest.mark.django_db
def test_the_api_serves_the_loaded_2023_strategy_with_targets_and_sources(client, loaded_programs):
    from openrd.strategy.services import load_strategies

    load_strategies()
    body = client.get("/api/v1/strategy/2023", HTTP_ACCEPT_LANGUAGE="en").json()
    pillars = [g.code for g in SPEC.goals if not g.parent and not g.cross_cutting]
    assert [p["code"] for p in body["pillars"]] == pillars
    assert [g["code"] for g in body["cross_cutting"]] == ["sogochi"]
    users = client.get("/api/v1/indicators/quantum-domestic-users").json()
    assert users["computed"] is False
    assert users["targets"][-1]["value"] == 10_000_000
    assert (
        users["targets"][-1]["source"]["line"]
        == INDICATORS["quantum-domestic-users"].targets[-1].cited.seed_line
    )
    oa = next(i for i in SPEC.indicators if i.computed == "oa_share_mandated")
    computed = client.get(f"/api/v1/indicators/{oa.code}").json()
    assert computed["computed"] is True
    assert computed["definition"]
    page = client.get("/ja/strategy/2023/")
    assert page.status_code == 200
    assert "統合イノベーション戦略2023" in page.content.decode()
