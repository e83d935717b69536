"""The report rules, without a database: the schedule, the lifecycle, the guards."""

from __future__ import annotations

from datetime import date

import pytest

from openrd.awards.models import AwardStatus, ReportStatus
from openrd.awards.rules import (
    REPORT_TRANSITIONS,
    ReportFacts,
    check_report_transition,
    report_schedule,
)


def test_a_ten_year_award_owes_a_progress_report_a_year_but_the_last_and_a_final_one():
    schedule = report_schedule(date(2020, 12, 1), date(2030, 11, 30))
    progress = [(fy, due) for kind, fy, due in schedule if kind == "progress"]
    assert progress == [(fy, date(fy + 1, 5, 31)) for fy in range(2020, 2030)]  # not FY2030
    assert schedule[-1] == ("final", None, date(2031, 1, 30))  # 61 days after the end
    assert len(schedule) == 11


def test_an_award_within_one_fiscal_year_owes_the_final_report_only():
    assert report_schedule(date(2025, 4, 1), date(2026, 3, 31)) == [
        ("final", None, date(2026, 5, 31))
    ]


def test_the_table():
    assert REPORT_TRANSITIONS[ReportStatus.DUE] == {ReportStatus.SUBMITTED}
    assert REPORT_TRANSITIONS[ReportStatus.SUBMITTED] == {
        ReportStatus.ACCEPTED,
        ReportStatus.RETURNED,
    }
    assert REPORT_TRANSITIONS[ReportStatus.RETURNED] == {ReportStatus.SUBMITTED}
    assert REPORT_TRANSITIONS[ReportStatus.ACCEPTED] == frozenset()


@pytest.mark.parametrize(
    ("facts", "codes"),
    [
        (ReportFacts("due", AwardStatus.ACTIVE, body="成果"), []),
        (ReportFacts("returned", AwardStatus.COMPLETED, body="成果"), []),
        (ReportFacts("due", AwardStatus.ACTIVE, body="  "), ["award.report_empty"]),
        (
            ReportFacts("due", AwardStatus.SUSPENDED, body=""),
            ["award.report_empty", "award.report_award_not_reporting"],
        ),
        (
            ReportFacts("submitted", AwardStatus.ACTIVE, body="成果"),
            ["award.report_transition_not_allowed"],
        ),
        (
            ReportFacts("accepted", AwardStatus.ACTIVE, body="成果"),
            ["award.report_transition_not_allowed"],
        ),
    ],
)
def test_submitting_needs_a_body_and_a_reporting_award(facts, codes):
    assert list(check_report_transition(facts, ReportStatus.SUBMITTED).codes()) == codes


def test_accepting_and_returning_are_for_a_submitted_report_and_a_return_says_why():
    submitted = ReportFacts("submitted", AwardStatus.ACTIVE)
    assert check_report_transition(submitted, ReportStatus.ACCEPTED).allowed
    assert list(check_report_transition(submitted, ReportStatus.RETURNED).codes()) == [
        "award.report_comment_missing"
    ]
    with_comment = ReportFacts("submitted", AwardStatus.ACTIVE, comment="図を追加してください")
    assert check_report_transition(with_comment, ReportStatus.RETURNED).allowed
    for status in ("due", "returned", "accepted"):
        facts = ReportFacts(status, AwardStatus.ACTIVE, comment="x")
        for target in (ReportStatus.ACCEPTED, ReportStatus.RETURNED):
            assert not check_report_transition(facts, target).allowed
