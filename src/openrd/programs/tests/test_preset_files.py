"""Preset files: schema checks (pure) and their agreement with the seed."""

import re

import pytest

from openrd.core.money import parse_yen_ja
from openrd.programs.preset_files import PresetError, parse_preset, read_presets
from openrd.programs.rules import program_rules
from openrd.programs.rules.program import SETTING_KEYS

MINIMAL = """
code = "demo"
kind = "other"
name_ja = "デモ"
name_en = "Demo"
seed_line = 1
seed_text = "デモ"
"""


def test_minimal_preset_parses():
    spec = parse_preset(MINIMAL)
    assert (spec.code, spec.figures, spec.elements) == ("demo", (), ())


def test_unknown_key_in_a_preset_is_refused_with_its_name():
    with pytest.raises(PresetError, match="budgett"):
        parse_preset(MINIMAL + "budgett = 1\n", name="demo.toml")


def test_negative_figure_is_refused():
    text = (
        MINIMAL
        + """
[[figures]]
kind = "budget"
label_ja = "予算"
fiscal_year = 2023
amount_yen = -1
seed_line = 1
seed_text = "x"
"""
    )
    with pytest.raises(PresetError, match="must not be negative"):
        parse_preset(text)


def test_fractional_figure_is_refused():
    text = (
        MINIMAL
        + """
[[figures]]
kind = "budget"
label_ja = "予算"
fiscal_year = 2023
amount_yen = 1.5
seed_line = 1
seed_text = "x"
"""
    )
    with pytest.raises(PresetError, match="expected an integer"):
        parse_preset(text)


def test_element_with_unknown_parent_is_refused():
    text = (
        MINIMAL
        + """
[[elements]]
kind = "project"
code = "p1"
parent = "goal-99"
title_ja = "課題"
seed_line = 1
seed_text = "x"
"""
    )
    with pytest.raises(PresetError, match="goal-99"):
        parse_preset(text)


PRESETS = read_presets()
EXPECTED = {
    "sip", "moonshot", "k_program", "sbir", "university_fund", "regional_university",
    "startup_accelerator", "gsuc",
}  # fmt: skip


def test_every_program_of_the_seed_has_a_preset():
    assert {p.code for p in PRESETS} == EXPECTED


@pytest.mark.parametrize("spec", PRESETS, ids=lambda s: s.code)
def test_preset_rules_are_readable(spec):
    rules = program_rules(spec.rules)
    assert set(rules.sources) <= set(spec.rules)


@pytest.mark.parametrize("spec", PRESETS, ids=lambda s: s.code)
def test_every_operating_setting_of_a_preset_has_a_setting_source(spec):
    settings = set(spec.rules) & SETTING_KEYS
    sources = spec.rules.get("sources", {})
    assert {k for k in settings if "setting_ja" not in sources.get(k, {})} == set()
    assert all(sources[k]["setting_ja"] and sources[k]["setting_en"] for k in settings)


def test_the_presets_operating_settings():
    rules = {p.code: program_rules(p.rules) for p in PRESETS}
    assert rules["moonshot"].stage_gate_years == (3, 5)
    assert (rules["sip"].stage_gate_years, rules["sip"].matching_funds_ratio) == ((3,), 0.5)
    assert rules["sbir"].stage_gate_at_end is True
    assert {c: r.conflict_years for c, r in rules.items() if "conflict_years" in r.sources} == {
        "moonshot": 3, "sip": 3, "sbir": 3, "k_program": 3,
    }  # fmt: skip


@pytest.mark.parametrize("spec", PRESETS, ids=lambda s: s.code)
def test_every_excerpt_is_on_the_seed_line_it_cites(spec, seed_lines):
    cited = [(spec.code, spec.seed_line, spec.seed_text)]
    cited += [(e.code, e.seed_line, e.seed_text) for e in spec.elements]
    cited += [(f.label_ja, f.seed_line, f.seed_text) for f in spec.figures]
    sources = spec.rules.get("sources", {}).items()
    # Operating settings cite no line of the seed (ADR 0025); every other source does.
    cited += [(k, s["seed_line"], s["seed_text"]) for k, s in sources if "setting_ja" not in s]
    wrong = [(what, n) for what, n, text in cited if text not in seed_lines[n - 1]]
    assert wrong == []


# An amount as written in the briefing: "1,000億円", "10兆円", "1066.2億円", "75億円".
AMOUNT = re.compile(r"[0-9０-９][0-9０-９,，.]*(?:兆[0-9,.]*)?(?:億[0-9,.]*)?(?:万)?円")


@pytest.mark.parametrize("spec", PRESETS, ids=lambda s: s.code)
def test_every_figure_equals_the_amount_written_in_the_seed(spec, seed_lines):
    for figure in spec.figures:
        assert figure.seed_text in seed_lines[figure.seed_line - 1]
        amounts = AMOUNT.findall(figure.seed_text)
        assert len(amounts) == 1, figure.seed_text
        assert parse_yen_ja(amounts[0]) == figure.amount_yen, figure.label_ja
