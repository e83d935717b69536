"""Submission rules at their boundaries: pure, no database."""

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from django.utils import translation

from openrd.core.fiscal import TOKYO
from openrd.integrity.rules import DisclosureFacts
from openrd.programs.rules import ApplicantFacts, program_rules
from openrd.proposals.rules import BudgetLine, SubmissionFacts, check_submission

OPENS = datetime(2023, 10, 2, 10, 0, 0, tzinfo=TOKYO)
CLOSES = datetime(2023, 12, 1, 12, 0, 0, tzinfo=TOKYO)
SBIR_RULES = program_rules(
    {
        "eligible_org_kinds": ["startup", "company"],
        "sme_required": True,
        "max_years_since_founding": 15,
    }
)

VALID = SubmissionFacts(
    now=datetime(2023, 11, 1, 9, 0, tzinfo=TOKYO),
    call_status="open",
    opens_at=OPENS,
    closes_at=CLOSES,
    rules=SBIR_RULES,
    applicant=ApplicantFacts(org_kind="startup", is_sme=True, founded_on=date(2015, 6, 1)),
    disclosure=DisclosureFacts(has_version=True, pledged=True),
    cap_per_proposal_yen=20_000_000,
    first_budget_year=2023,
    last_budget_year=2024,
    budget=(BudgetLine(2023, 10_000_000), BudgetLine(2024, 10_000_000)),
    effort_percent=30,
    required_documents=(("plan", "研究計画書"), ("budget-sheet", "予算計画書")),
    attached_documents=frozenset({"plan", "budget-sheet"}),
    has_title=True,
)


def codes(facts):
    return check_submission(facts).codes()


def test_a_complete_proposal_may_be_submitted():
    assert codes(VALID) == []


def test_submission_on_the_deadline_second_is_accepted_and_one_second_later_refused():
    assert codes(replace(VALID, now=CLOSES + timedelta(microseconds=999_999))) == []
    assert codes(replace(VALID, now=CLOSES + timedelta(seconds=1))) == ["call.not_open"]


def test_submission_before_the_call_opens_is_refused():
    assert codes(replace(VALID, now=OPENS - timedelta(seconds=1))) == ["call.not_open"]
    assert codes(replace(VALID, now=OPENS)) == []


def test_a_closed_call_refuses_even_inside_its_window():
    assert codes(replace(VALID, call_status="closed")) == ["call.not_open"]


def test_missing_disclosure_and_missing_pledge():
    assert codes(replace(VALID, disclosure=DisclosureFacts(has_version=False, pledged=False)))[
        :1
    ] == ["integrity.disclosure_missing"]
    assert codes(replace(VALID, disclosure=DisclosureFacts(has_version=True, pledged=False))) == [
        "integrity.pledge_missing"
    ]


def test_sbir_founding_15_years_before_the_call_opens_on_the_exact_day():
    on_the_day = ApplicantFacts(org_kind="startup", is_sme=True, founded_on=date(2008, 10, 2))
    day_before = ApplicantFacts(org_kind="startup", is_sme=True, founded_on=date(2008, 10, 1))
    assert codes(replace(VALID, applicant=on_the_day)) == []
    assert codes(replace(VALID, applicant=day_before)) == ["sbir.founded_over_15_years"]


def test_sbir_refuses_a_non_sme_and_a_university():
    big = ApplicantFacts(org_kind="company", is_sme=False, founded_on=date(2015, 6, 1))
    assert codes(replace(VALID, applicant=big)) == ["sbir.not_sme"]
    uni = ApplicantFacts(org_kind="university", is_sme=None, founded_on=date(2015, 6, 1))
    assert codes(replace(VALID, applicant=uni)) == ["program.org_kind_not_eligible", "sbir.not_sme"]


def test_budget_at_the_cap_passes_one_yen_over_fails():
    at_cap = (BudgetLine(2023, 12_000_000), BudgetLine(2024, 8_000_000))
    assert codes(replace(VALID, budget=at_cap)) == []
    over = (BudgetLine(2023, 12_000_001), BudgetLine(2024, 8_000_000))
    assert codes(replace(VALID, budget=over)) == ["budget.over_cap"]


def test_budget_outside_the_calls_fiscal_years_at_both_edges():
    before = (BudgetLine(2022, 1), BudgetLine(2023, 1))
    after = (BudgetLine(2024, 1), BudgetLine(2025, 1))
    assert codes(replace(VALID, budget=before)) == ["budget.outside_call_years"]
    assert codes(replace(VALID, budget=after)) == ["budget.outside_call_years"]
    edges = (BudgetLine(2023, 1), BudgetLine(2024, 1))
    assert codes(replace(VALID, budget=edges)) == []


def test_no_budget_is_refused():
    assert codes(replace(VALID, budget=())) == ["budget.missing"]


@pytest.mark.parametrize(
    ("effort", "ok"), [(None, False), (0, False), (1, True), (100, True), (101, False)]
)
def test_effort_must_be_1_to_100_percent(effort, ok):
    assert (codes(replace(VALID, effort_percent=effort)) == []) is ok


def test_each_missing_required_document_is_its_own_reason_named_in_the_users_language():
    facts = replace(VALID, attached_documents=frozenset())
    with translation.override("ja"):
        decision = check_submission(facts)
    assert decision.codes() == ["document.missing.plan", "document.missing.budget-sheet"]
    assert "研究計画書" in decision.reasons[0].message


def test_every_failing_rule_is_reported_at_once_with_sources():
    everything_wrong = replace(
        VALID,
        now=CLOSES + timedelta(days=1),
        disclosure=DisclosureFacts(has_version=True, pledged=False),
        applicant=ApplicantFacts(org_kind="company", is_sme=False, founded_on=date(1950, 1, 1)),
        budget=(BudgetLine(2030, 30_000_000),),
        effort_percent=0,
        attached_documents=frozenset({"plan"}),
        has_title=False,
    )
    decision = check_submission(everything_wrong)
    assert decision.codes() == [
        "call.not_open",
        "integrity.pledge_missing",
        "sbir.not_sme",
        "sbir.founded_over_15_years",
        "proposal.title_missing",
        "budget.over_cap",
        "budget.outside_call_years",
        "effort.out_of_range",
        "document.missing.budget-sheet",
    ]
    assert all(r.source for r in decision.reasons)
