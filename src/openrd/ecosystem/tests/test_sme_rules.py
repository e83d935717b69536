"""The SME Basic Act's table at every boundary, for each industry (the Act's four
and the Cabinet Order's three), either limit sufficing; small enterprises;
SBIR's 15-year rule at its boundary for a call's opening day, and control by
large companies at its thresholds. Pure rules: no database."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from openrd.ecosystem.rules.sme import ControlFacts, SizeFacts, Status, assess_program, assess_sme
from openrd.ecosystem.sme_files import (
    RuleFileError,
    current_sme_rules,
    parse,
    program_rules,
    rule_files,
)

RULES = current_sme_rules(date(2026, 4, 1))
# (industry, capital limit, employees limit, small-enterprise employees): the Act and the Order.
TABLE = [
    ("manufacturing", 300_000_000, 300, 20),
    ("wholesale", 100_000_000, 100, 5),
    ("services", 50_000_000, 100, 5),
    ("retail", 50_000_000, 50, 5),
    ("rubber_products", 300_000_000, 900, 20),
    ("software_information", 300_000_000, 300, 5),
    ("hotels", 50_000_000, 200, 20),
]


def test_the_rule_set_holds_exactly_the_acts_and_the_orders_industries():
    assert RULES.version == "sme-basic-act-1999"
    assert {(i.code, i.max_capital_yen, i.max_employees, i.small_max_employees)
            for i in RULES.industries.values()} == set(TABLE)  # fmt: skip


@pytest.mark.parametrize(("industry", "capital", "employees", "_small"), TABLE)
def test_either_limit_suffices_and_each_is_inclusive(industry, capital, employees, _small):
    def status(c, e):
        return assess_sme(SizeFacts(industry, c, e), RULES).status

    over_c, over_e = capital + 1, employees + 1
    assert status(capital, over_e) is Status.YES  # capital at the limit
    assert status(over_c, employees) is Status.YES  # employees at the limit
    assert status(over_c, over_e) is Status.NO  # both over
    assert status(over_c, None) is Status.UNDETERMINED  # over one, the other unknown
    assert status(None, employees) is Status.YES  # within one is enough
    assert status(None, None) is Status.UNDETERMINED


@pytest.mark.parametrize(("industry", "capital", "employees", "small"), TABLE)
def test_small_enterprises_by_employees(industry, capital, employees, small):
    at = assess_sme(SizeFacts(industry, capital, small), RULES)
    over = assess_sme(SizeFacts(industry, capital, small + 1), RULES)
    assert (at.small, over.small) == (True, False)
    assert "sme.small_enterprise" in [r.code for r in at.reasons]


def test_the_order_gives_rubber_products_900_employees_where_manufacturing_has_300():
    assert assess_sme(SizeFacts("rubber_products", 10**10, 900), RULES).status is Status.YES
    assert assess_sme(SizeFacts("manufacturing", 10**10, 900), RULES).status is Status.NO


def test_an_individual_is_judged_by_employees_and_every_answer_is_explained():
    assert assess_sme(SizeFacts("retail", None, 50, individual=True), RULES).status is Status.YES
    refused = assess_sme(SizeFacts("retail", None, 51, individual=True), RULES)
    assert refused.status is Status.NO
    assert [r.code for r in refused.reasons] == ["sme.over_both_limits"]
    assert refused.reasons[0].source == "中小企業基本法第2条第1項第4号"
    assert refused.facts == {"industry": "retail", "capital_yen": None, "employees": 51,
                             "individual": True}  # fmt: skip
    unknown = assess_sme(SizeFacts("mining", 1, 1), RULES)
    assert (unknown.status, unknown.reasons[0].code) == (
        Status.UNDETERMINED,
        "sme.industry_unknown",
    )


SBIR = program_rules("sbir")
FREE = ControlFacts(Fraction(0), Fraction(0), Fraction(0))


def _sbir(founded_on, on, control=FREE, sme=None):
    sme = sme or assess_sme(SizeFacts("software_information", 10_000_000, 12), RULES)
    return assess_program(sme, SBIR, founded_on=founded_on, on=on, control=control)


def test_sbir_takes_firms_founded_within_15_years_of_the_call_opening():
    opens = date(2026, 4, 1)
    assert _sbir(date(2011, 4, 1), opens).status is Status.YES  # exactly 15 years
    late = _sbir(date(2011, 3, 31), opens)  # 15 years and a day
    assert late.status is Status.NO
    assert late.reasons[0].code == "sbir.founded_over_15_years"
    assert "1179" in late.reasons[0].source  # the briefing line stating the rule
    assert _sbir(None, opens).status is Status.UNDETERMINED
    # 29 February: 15 years later is 28 February.
    assert _sbir(date(2012, 2, 29), date(2027, 2, 28)).status is Status.YES
    assert _sbir(date(2012, 2, 29), date(2027, 3, 1)).status is Status.NO


@pytest.mark.parametrize(
    ("control", "code"),
    [
        (ControlFacts(Fraction(1, 2), Fraction(1, 2), Fraction(0)), "single_large_share"),
        (ControlFacts(Fraction(2, 5), Fraction(2, 3), Fraction(0)), "large_total_share"),
        (ControlFacts(Fraction(0), Fraction(0), Fraction(1, 2)), "large_officers_share"),
    ],
)
def test_sbir_excludes_firms_large_companies_control_at_each_threshold(control, code):
    refused = _sbir(date(2020, 4, 1), date(2026, 4, 1), control)
    assert refused.status is Status.NO
    assert f"sbir.controlled_by_large.{code}" in [r.code for r in refused.reasons]
    below = ControlFacts(Fraction(49, 100), Fraction(66, 100), Fraction(49, 100))
    assert _sbir(date(2020, 4, 1), date(2026, 4, 1), below).status is Status.YES


def test_sbir_needs_an_sme_and_keeps_the_versions_it_read():
    large = assess_sme(SizeFacts("manufacturing", 10**10, 5_000), RULES)
    refused = _sbir(date(2020, 4, 1), date(2026, 4, 1), sme=large)
    assert refused.status is Status.NO
    assert refused.reasons[0].code == "sbir.not_sme"
    assert (refused.version, refused.facts["sme_version"]) == ("sbir-2023", "sme-basic-act-1999")
    undeclared = _sbir(date(2020, 4, 1), date(2026, 4, 1), ControlFacts())
    assert undeclared.status is Status.UNDETERMINED


def test_a_malformed_rule_file_fails_when_read():
    assert rule_files()[0]["sme-basic-act-1999"].industries["retail"].max_employees == 50
    with pytest.raises(RuleFileError):
        parse('[[rulesets]]\nversion = "x"\neffective_on = 2020-01-01\nname_ja = "a"\n'
              'name_en = "a"\n[[rulesets.industries]]\ncode = "m"\nname_ja = "m"\n'
              'name_en = "m"\nmax_capital_yen = -1\nmax_employees = 1\n'
              'small_max_employees = 1\narticle = "a"\n')  # fmt: skip
    with pytest.raises(LookupError):
        current_sme_rules(date(1990, 1, 1))
