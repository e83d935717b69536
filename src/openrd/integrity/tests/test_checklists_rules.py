"""Checklist templates as data, the version in force, completion and the yearly boundary."""

from datetime import date

import pytest
from django.utils import translation

from openrd.core.fiscal import tokyo_datetime
from openrd.integrity.rules.checklists import (
    ChecklistFacts,
    TemplateError,
    check_answers,
    check_institution_checklist,
    checklist_fiscal_year,
    counts_in,
    load_templates,
    parse_templates,
    template_in_force,
)

ONE = """
[[templates]]
kind = "researcher"
version = "{version}"
title_ja = "研究者チェックリスト"
title_en = "Researcher checklist"
source = "対応方針"

[[templates.sections]]
code = "s"
title_ja = "節"
title_en = "Section"

[[templates.sections.items]]
code = "A"
text_ja = "項目A"
text_en = "Item A"
clause = "§1"
expected = "yes"

[[templates.sections.items]]
code = "B"
text_ja = "項目B"
text_en = "Item B"
clause = "§2"
expected = "yes"
allow_not_applicable = true
"""


def template(version="2021-12-17"):
    return parse_templates(ONE.format(version=version))[0]


def test_both_shipped_templates_parse_with_the_required_topics():
    templates = load_templates()
    kinds = {(t.kind, t.version) for t in templates}
    assert kinds == {("researcher", "2021-12-17"), ("institution", "2023-06-29")}
    institution = template_in_force(templates, "institution", date(2026, 4, 1))
    assert institution is not None
    text = " ".join(i.text_en for i in institution.items)
    for topic in ("conflicts of interest", "conflicts of commitment", "foreign", "training",
                  "advice desk", "export control", "every fiscal year"):  # fmt: skip
        assert topic in text


def test_every_cited_seed_excerpt_is_on_its_line(seed_lines):
    for t in load_templates():
        assert t.seed_line is not None
        assert t.seed_text in seed_lines[t.seed_line - 1]
        for item in t.items:
            if item.seed_line is not None:
                assert item.seed_text in seed_lines[item.seed_line - 1], item.code


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda s: s.replace('version = "2021-12-17"', 'version = "R3"'), "ISO date"),
        (lambda s: s.replace('kind = "researcher"', 'kind = "agency"'), "kind"),
        (lambda s: s.replace('expected = "yes"\nallow', 'expected = "maybe"\nallow'), "expected"),
        (lambda s: s.replace('code = "B"', 'code = "A"'), "repeated"),
        (lambda s: s.replace('text_en = "Item A"\n', ""), "text_en"),
        (lambda s: s.replace('clause = "§1"', 'clause = "§1"\ncolour = "red"'), "colour"),
        (
            lambda s: s.replace("allow_not_applicable = true", 'allow_not_applicable = "yes"'),
            "allow_not_applicable",
        ),
        (lambda s: s.replace('clause = "§1"', 'clause = "§1"\nseed_line = 3'), "seed_text"),
        (lambda s: s + "\n[[[broken", "TOML"),
    ],
)
def test_malformed_template_data_is_an_error_naming_the_problem(change, match):
    with pytest.raises(TemplateError, match=match):
        parse_templates(change(ONE.format(version="2021-12-17")))


def test_the_same_version_twice_is_an_error():
    with pytest.raises(TemplateError, match="twice"):
        parse_templates(ONE.format(version="2021-12-17") + ONE.format(version="2021-12-17"))


def test_the_latest_version_in_force_on_a_date_is_chosen():
    templates = parse_templates(ONE.format(version="2021-12-17") + ONE.format(version="2023-06-29"))
    assert template_in_force(templates, "researcher", date(2021, 12, 16)) is None
    assert template_in_force(templates, "researcher", date(2021, 12, 17)).version == "2021-12-17"
    assert template_in_force(templates, "researcher", date(2023, 6, 28)).version == "2021-12-17"
    assert template_in_force(templates, "researcher", date(2023, 6, 29)).version == "2023-06-29"
    assert template_in_force(templates, "institution", date(2030, 1, 1)) is None


def test_a_draft_may_leave_items_unanswered():
    assert check_answers(template(), {"A": {"answer": "yes", "note": ""}}, complete=False) == []


def test_completing_needs_every_item_answered():
    errors = check_answers(template(), {"A": {"answer": "yes"}}, complete=True)
    assert [(e.field, e.code) for e in errors] == [("answers.B.answer", "checklist.unanswered")]


def test_a_no_answer_needs_a_note_to_complete_but_not_for_a_draft():
    answers = {"A": {"answer": "no", "note": "  "}, "B": {"answer": "yes"}}
    assert check_answers(template(), answers, complete=False) == []
    errors = check_answers(template(), answers, complete=True)
    assert [(e.field, e.code) for e in errors] == [("answers.A.note", "checklist.note_required")]
    answers["A"]["note"] = "規程は本年度中に制定予定"
    assert check_answers(template(), answers, complete=True) == []


def test_not_applicable_only_where_the_item_offers_it_and_bad_answers_are_refused():
    with translation.override("en"):
        errors = check_answers(
            template(),
            {"A": {"answer": "not_applicable", "note": "x"}, "B": {"answer": "not_applicable",
             "note": "共同研究なし"}, "Z": {"answer": "yes"}},
            complete=True,
        )  # fmt: skip
    assert [(e.field, e.code) for e in errors] == [
        ("answers.Z", "checklist.unknown_item"),
        ("answers.A.answer", "checklist.answer_invalid"),
    ]
    assert "yes or no" in errors[1].message
    wrong = check_answers(template(), {"A": {"answer": "maybe"}}, complete=False)
    assert [e.code for e in wrong] == ["checklist.answer_invalid"]


def test_the_fiscal_year_turns_at_midnight_tokyo_on_1_april():
    last_moment = tokyo_datetime(2026, 3, 31, 23, 59, 59)
    first_moment = tokyo_datetime(2026, 4, 1, 0, 0, 0)
    assert checklist_fiscal_year(last_moment) == 2025
    assert checklist_fiscal_year(first_moment) == 2026
    # A checklist completed for FY2025 is due again from 1 April.
    assert counts_in(2025, last_moment) is True
    assert counts_in(2025, first_moment) is False
    assert counts_in(None, first_moment) is False


def test_the_institution_checklist_refuses_only_when_required_and_not_completed():
    assert check_institution_checklist(None).allowed
    assert check_institution_checklist(ChecklistFacts(False, 2026, False)).allowed
    assert check_institution_checklist(ChecklistFacts(True, 2026, True)).allowed
    with translation.override("en"):
        refused = check_institution_checklist(ChecklistFacts(True, 2026, False, "さくら量子"))
    assert refused.codes() == ["integrity.institution_checklist_missing"]
    assert "さくら量子" in refused.reasons[0].message
    assert "2023年6月29日改訂" in refused.reasons[0].source
