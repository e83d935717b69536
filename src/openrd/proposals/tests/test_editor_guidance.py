"""The editor's guidance as pure wording and rules: no database."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import translation

from openrd.core.decisions import Decision, Reason
from openrd.core.fiscal import TOKYO
from openrd.integrity.rules import DisclosureFacts
from openrd.programs.rules import ApplicantFacts, program_rules
from openrd.proposals.forms import ProposalForm
from openrd.proposals.rules import BudgetLine, SubmissionFacts, check_submission
from openrd.proposals.rules.guidance import (
    budget_standing,
    character_counter,
    content_requirements,
    deadline_countdown,
    man_yen,
    refusal_links,
    size_text,
    upload_limits_text,
)

OPENS = datetime(2026, 10, 1, 10, 0, tzinfo=TOKYO)
CLOSES = datetime(2026, 12, 4, 12, 0, tzinfo=TOKYO)
YEARS = [2026, 2027]
FACTS = SubmissionFacts(
    now=datetime(2026, 11, 1, 9, 0, tzinfo=TOKYO),
    call_status="open",
    opens_at=OPENS,
    closes_at=CLOSES,
    rules=program_rules({"eligible_org_kinds": ["startup"]}),
    applicant=ApplicantFacts(org_kind="startup", is_sme=True, founded_on=date(2015, 6, 1)),
    disclosure=DisclosureFacts(has_version=True, pledged=True),
    cap_per_proposal_yen=20_000_000,
    first_budget_year=2026,
    last_budget_year=2027,
    budget=(BudgetLine(2026, 1_000_000),),
    effort_percent=30,
    required_documents=(("plan", "研究計画書"),),
    attached_documents=frozenset({"plan"}),
    has_title=True,
)


@pytest.fixture(autouse=True)
def japanese():
    with translation.override("ja"):
        yield


# --- required markers: the fields the submission rules refuse when empty ---------


def test_the_required_fields_are_those_the_submission_rules_refuse_on_an_empty_proposal():
    required = {r.code: r.fields for r in content_requirements(FACTS, YEARS)}
    assert required == {
        "proposal.title_missing": ("title_ja", "title_en"),
        "budget.missing": ("budget_2026", "budget_2027"),
        "effort.out_of_range": ("effort_percent",),
        "document.missing.plan": ("file_plan",),
    }
    # The same codes the submission itself is refused with, for an empty proposal.
    empty = replace(
        FACTS, budget=(), effort_percent=None, attached_documents=frozenset(), has_title=False
    )
    assert set(required) == set(check_submission(empty).codes())


def test_a_document_the_call_does_not_require_is_not_marked_and_either_title_will_do():
    requirements = content_requirements(replace(FACTS, required_documents=()), YEARS)
    assert "document.missing.plan" not in [r.code for r in requirements]
    by_code = {r.code: r for r in requirements}
    assert by_code["proposal.title_missing"].any_of
    assert by_code["budget.missing"].any_of
    assert not by_code["effort.out_of_range"].any_of


def test_each_refusal_reason_links_to_its_field_and_a_reason_without_a_field_to_nothing():
    decision = Decision.of(
        Reason("call.not_open", "締切", "公募要領"),
        Reason("proposal.title_missing", "題名", "公募要領"),
        Reason("budget.over_cap", "上限", "公募要領"),
        Reason("effort.out_of_range", "エフォート", "指針"),
        Reason("document.missing.plan", "書類", "公募要領"),
    )
    assert [item["href"] for item in refusal_links(decision, YEARS)] == [
        "",
        "#id_title_ja",
        "#id_budget_2026",
        "#id_effort_percent",
        "#id_file_plan",
    ]


# --- the budget against the cap ---------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (15_000_000, "1,500万円"),
        (12_500, "1.25万円"),
        (10_001, "1.0001万円"),
        (9_999, "9,999円"),
        (0, "0円"),
        (123_450_000, "12,345万円"),
    ],
)
def test_amounts_are_read_in_man_yen_exactly(amount, text):
    assert man_yen(amount, "ja") == text


def test_the_budget_says_what_is_left_under_the_cap():
    standing = budget_standing([5_000_000, 5_000_000], 20_000_000, "ja")
    assert standing.total == 10_000_000
    assert standing.total_text == "予算合計: 1,000万円"
    assert standing.text == "上限まで残り1,000万円"
    assert not standing.over


def test_the_budget_says_by_how_much_it_exceeds_the_cap():
    standing = budget_standing([15_000_000, 10_000_000], 20_000_000, "ja")
    assert standing.over
    assert standing.text == "上限を500万円超えています"


def test_a_budget_exactly_at_the_cap_has_nothing_left_and_is_not_over():
    standing = budget_standing([20_000_000], 20_000_000, "ja")
    assert (standing.over, standing.text) == (False, "上限まで残り0円")


def test_the_budget_in_english_gives_the_full_figure():
    with translation.override("en"):
        assert budget_standing([21_000_000], 20_000_000, "en").text == "¥1,000,000 over the cap"


# --- the deadline ------------------------------------------------------------------


def countdown(now):
    return deadline_countdown("open", OPENS, CLOSES, now, "ja")


def test_the_banner_counts_the_days_to_the_deadline_in_japan_time():
    banner = countdown(datetime(2026, 12, 1, 11, 0, tzinfo=TOKYO))
    assert banner.text == "締切まであと3日。締切は令和8年12月4日 12:00（日本時間）です。"
    assert (banner.urgent, banner.closed) == (False, False)


def test_the_deadline_is_shown_in_japan_time_whatever_the_zone_of_the_clock():
    utc = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 11:00 in Tokyo
    assert "令和8年12月4日 12:00（日本時間）" in countdown(utc).text


def test_the_last_day_is_urgent_and_counted_in_hours_then_minutes():
    hours = countdown(CLOSES - timedelta(hours=5, minutes=10))
    assert hours.text == "締切まであと5時間。締切は令和8年12月4日 12:00（日本時間）です。"
    assert hours.urgent
    assert countdown(CLOSES - timedelta(hours=24, seconds=1)).urgent is False
    minutes = countdown(CLOSES - timedelta(minutes=30))
    assert minutes.text.startswith("締切まであと30分")
    assert minutes.urgent


def test_the_deadline_second_is_still_open_and_the_next_one_says_it_plainly():
    assert not countdown(CLOSES + timedelta(microseconds=999_999)).closed
    after = countdown(CLOSES + timedelta(seconds=1))
    assert after.closed
    assert after.text == (
        "この公募は令和8年12月4日 12:00（日本時間）に締め切られました。"
        "提案の保存・提出はできません。"
    )


# --- counters and limits -----------------------------------------------------------


def test_the_counter_shows_the_length_against_the_limit():
    assert character_counter("あ" * 123, 4000).text == "123 / 4000 文字"


def test_the_counter_says_how_many_too_many_in_words():
    counter = character_counter("x" * 4012, 4000)
    assert counter.over
    assert counter.text == "4012 / 4000 文字（12 文字超過）"


def test_a_line_break_counts_as_one_character_as_the_browser_shows_it():
    assert character_counter("a\r\nb", 10).count == 3


def test_upload_limits_are_stated_in_words():
    assert size_text(10 * 2**20) == "10 MB"
    assert size_text(512 * 2**10) == "512 KB"
    assert upload_limits_text(20 * 2**20) == "添付できるのはPDFのみ、1ファイル20 MBまでです。"


# --- the form: no silent cut, the server judges the length --------------------------


def editor_form(data=None):
    return ProposalForm(
        data, fiscal_years=YEARS, document_codes=["plan"], document_names={"plan": "研究計画書"}
    )


def test_text_fields_carry_no_maxlength_but_a_counter_the_input_is_described_by():
    form = editor_form()
    html = str(form["abstract_ja"])
    assert "maxlength" not in html
    assert 'data-counter-limit="4000"' in html
    assert 'aria-describedby="id_abstract_ja_counter"' in html
    assert form["abstract_ja"].counter.text == "0 / 4000 文字"


def test_a_too_long_text_is_a_field_error_and_is_kept_whole():
    form = editor_form({"revision": "1", "title_ja": "題" * 301})
    assert not form.is_valid()
    assert "title_ja" in form.errors
    assert form["title_ja"].value() == "題" * 301
    assert form["title_ja"].counter.text == "301 / 300 文字（1 文字超過）"


def test_a_file_field_is_named_for_its_document_and_described_by_the_limits():
    form = editor_form()
    assert form["file_plan"].label == "研究計画書"
    assert 'aria-describedby="id_file_plan_limits"' in str(form["file_plan"])
