"""Program rules as data: pure tests, no database."""

from datetime import date

import pytest
from django.utils import translation

from openrd.programs.rules import (
    ApplicantFacts,
    add_years,
    check_applicant,
    check_duration,
    describe_rules,
    program_rules,
)

SBIR = program_rules(
    {
        "eligible_org_kinds": ["company", "startup"],
        "sme_required": True,
        "max_years_since_founding": 15,
        "founding_limit_in_principle": True,
        "sources": {"max_years_since_founding": {"seed_line": 1160, "seed_text": "15年以内"}},
    }
)
STARTUP = ApplicantFacts(org_kind="startup", is_sme=True, founded_on=date(2008, 10, 1))


def test_founded_exactly_15_years_before_the_call_opens_is_eligible():
    assert check_applicant(SBIR, STARTUP, on=date(2023, 10, 1)).allowed is True


def test_founded_15_years_and_one_day_before_the_call_opens_is_not_eligible():
    decision = check_applicant(SBIR, STARTUP, on=date(2023, 10, 2))
    assert decision.codes() == ["sbir.founded_over_15_years"]
    with translation.override("ja"):
        source = check_applicant(SBIR, STARTUP, on=date(2023, 10, 2)).reasons[0].source
    assert (
        source
        == "「統合イノベーション戦略2023」について（内閣府、令和5年9月14日）1160行目「15年以内」"
    )


def test_leap_day_founding_reaches_15_years_on_28_february():
    leap = ApplicantFacts(org_kind="startup", is_sme=True, founded_on=date(2008, 2, 29))
    assert add_years(date(2008, 2, 29), 15) == date(2023, 2, 28)
    assert check_applicant(SBIR, leap, on=date(2023, 2, 28)).allowed is True
    assert check_applicant(SBIR, leap, on=date(2023, 3, 1)).allowed is False


def test_every_failing_applicant_rule_is_reported_at_once():
    university = ApplicantFacts(org_kind="university", is_sme=None, founded_on=None)
    decision = check_applicant(SBIR, university, on=date(2023, 10, 1))
    assert decision.codes() == [
        "program.org_kind_not_eligible",
        "sbir.not_sme",
        "sbir.founding_date_missing",
    ]


def test_reasons_are_in_the_active_language():
    big = ApplicantFacts(org_kind="company", is_sme=False, founded_on=date(1950, 1, 1))
    with translation.override("ja"):
        ja = check_applicant(SBIR, big, on=date(2023, 10, 1))
    with translation.override("en"):
        en = check_applicant(SBIR, big, on=date(2023, 10, 1))
    assert ja.codes() == en.codes() == ["sbir.not_sme", "sbir.founded_over_15_years"]
    assert en.reasons[0].message == "Only small and medium-sized enterprises can apply."
    assert ja.reasons[0].message == "中小企業等に限り応募できます。"


def test_program_without_applicant_rules_allows_anyone():
    anyone = ApplicantFacts(org_kind="municipality")
    assert check_applicant(program_rules({}), anyone, on=date(2023, 4, 1)).allowed is True


def test_support_beyond_the_maximum_duration_is_refused():
    moonshot = program_rules({"max_duration_years": 10})
    assert check_duration(moonshot, 10).allowed is True
    assert check_duration(moonshot, 11).codes() == ["program.duration_too_long"]


def test_unknown_rule_key_is_an_error_not_ignored():
    with pytest.raises(ValueError, match="max_duration"):
        program_rules({"max_duration": 10})


def test_rules_in_plain_words_in_japanese():
    with translation.override("ja"):
        texts = [text for text, _ in describe_rules(SBIR)]
    assert texts[0] == "応募できる機関：企業、スタートアップ。"


def test_rules_in_plain_words_cite_their_source():
    with translation.override("en"):
        lines = describe_rules(SBIR)
    texts = [text for text, _ in lines]
    assert texts[0] == "Who can apply: Company, Startup."
    assert "Applicants must be small and medium-sized enterprises." in texts
    assert (
        "Applicants must have been founded within 15 years. "
        "(In principle; exceptions are set per call.)"
    ) in texts
    assert dict(lines)[texts[-1]].endswith(", line 1160: “15年以内”")
