import pytest

from openrd.accounts.services import load_organisations
from openrd.core.models import AuditEntry
from openrd.programs.models import Program, ProgramElement, ProgramFigure
from openrd.programs.preset_files import parse_preset
from openrd.programs.services import UnknownOrganisation, load_preset, load_presets

pytestmark = pytest.mark.django_db

PRESET = """
code = "demo"
kind = "other"
name_ja = "デモ制度"
name_en = "Demo program"
seed_line = 1
seed_text = "デモ"
owner = "csti"
agencies = ["jst", "nedo"]

[[elements]]
kind = "project"
code = "goal-1-p1"
parent = "goal-1"
title_ja = "課題"
seed_line = 2
seed_text = "課題"

[[elements]]
kind = "goal"
code = "goal-1"
title_ja = "目標1"
seed_line = 3
seed_text = "目標"

[[figures]]
kind = "fund"
label_ja = "基金"
fiscal_year = 2018
amount_yen = 100_000_000_000
supplementary = true
seed_line = 4
seed_text = "1,000億円"
"""


def test_load_preset_builds_program_tree_and_figures():
    load_organisations()
    program, changed = load_preset(parse_preset(PRESET))
    assert changed is True
    assert sorted(a.code for a in program.agencies.all()) == ["jst", "nedo"]
    child = ProgramElement.objects.get(code="goal-1-p1")
    assert child.parent.code == "goal-1"
    assert ProgramFigure.objects.get().amount_yen == 100_000_000_000
    assert AuditEntry.objects.filter(action="programs.preset.loaded").count() == 1


def test_reloading_an_unchanged_preset_changes_nothing():
    load_organisations()
    load_preset(parse_preset(PRESET))
    _program, changed = load_preset(parse_preset(PRESET))
    assert changed is False
    assert AuditEntry.objects.filter(action="programs.preset.loaded").count() == 1


def test_changed_preset_replaces_elements_and_figures():
    load_organisations()
    load_preset(parse_preset(PRESET))
    load_preset(parse_preset(PRESET.replace("100_000_000_000", "15_000_000_000")))
    assert list(ProgramFigure.objects.values_list("amount_yen", flat=True)) == [15_000_000_000]
    assert ProgramElement.objects.count() == 2


def test_preset_naming_an_unknown_organisation_saves_nothing():
    with pytest.raises(UnknownOrganisation):
        load_preset(parse_preset(PRESET))
    assert not Program.objects.exists()
    assert not AuditEntry.objects.filter(action="programs.preset.loaded").exists()


def test_all_shipped_presets_load(loaded_programs):
    assert Program.objects.count() == 8
    assert load_presets()
    assert all(not changed for _, changed in load_presets())
