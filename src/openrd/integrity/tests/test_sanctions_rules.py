"""The sanctions engine without a database: every row of the table with its
boundaries, the fiscal years a restriction covers, and what it refuses."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from openrd.integrity.rules.sanctions import (
    offence_tables,
    parse_tables,
    propose_restriction,
    table_for,
)

DECIDED = date(2026, 12, 1)  # FY2026: a restriction runs from FY2027
TABLE = table_for()
ROWS = TABLE.rows

# The guideline's ranges, written out again here so that a changed table fails a test.
EXPECTED = {
    "misuse.private_gain": (10, 10),
    "misuse.grave": (5, 5),
    "misuse.other": (2, 4),
    "misuse.minor": (1, 1),
    "misuse.small_amount": (0, 0),
    "deceit": (5, 5),
    "duty_of_care": (1, 2),
    "misconduct.intended": (10, 10),
    "misconduct.responsible_author.grave": (5, 7),
    "misconduct.responsible_author.other": (3, 5),
    "misconduct.other_author": (2, 3),
    "misconduct.non_author": (2, 3),
    "misconduct.responsible_not_involved.grave": (2, 3),
    "misconduct.responsible_not_involved.other": (1, 2),
    "false_declaration": (1, 5),
}


def _propose(row, **kw):
    return propose_restriction(
        row.offence, role=row.role, severity=row.severity, decided_on=DECIDED, **kw
    )


def test_the_table_holds_exactly_the_guidelines_rows_and_ranges():
    assert {r.code: (r.min_years, r.max_years) for r in ROWS} == EXPECTED
    assert all(r.clause_ja and r.label_ja and r.label_en for r in ROWS)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.code)
def test_each_row_allows_its_range_and_refuses_one_year_either_side(row):
    for years in (row.min_years, row.max_years):
        proposal = _propose(row, years=years)
        assert proposal.allowed, proposal.reasons
        assert (proposal.min_years, proposal.max_years, proposal.years) == (
            row.min_years,
            row.max_years,
            years,
        )
        assert row.clause_ja in proposal.source
    for years in (row.min_years - 1, row.max_years + 1):
        refused = _propose(row, years=years)
        assert [r.code for r in refused.reasons] == ["sanctions.years_out_of_range"]
        assert (refused.min_years, refused.max_years) == (row.min_years, row.max_years)
        assert refused.first_fiscal_year is None


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.code)
def test_without_years_the_least_the_row_allows_is_proposed_from_the_next_fiscal_year(row):
    proposal = _propose(row)
    assert proposal.years == row.min_years
    if row.min_years == 0:
        assert (proposal.first_fiscal_year, proposal.last_fiscal_year) == (None, None)
    else:
        assert proposal.first_fiscal_year == 2027
        assert proposal.last_fiscal_year == 2027 + row.min_years - 1


def test_the_fiscal_year_turns_on_the_first_of_april():
    row = next(r for r in ROWS if r.code == "misconduct.responsible_author.grave")
    on_31_march = propose_restriction(
        row.offence, role=row.role, severity=row.severity, decided_on=date(2027, 3, 31), years=7
    )
    on_1_april = propose_restriction(
        row.offence, role=row.role, severity=row.severity, decided_on=date(2027, 4, 1), years=7
    )
    assert (on_31_march.first_fiscal_year, on_31_march.last_fiscal_year) == (2027, 2033)
    assert (on_1_april.first_fiscal_year, on_1_april.last_fiscal_year) == (2028, 2034)


def test_a_false_declaration_restricts_only_from_the_fy2022_calls_on():
    row = next(r for r in ROWS if r.code == "false_declaration")
    assert _propose(row, years=5, call_fiscal_year=2022).allowed
    before = _propose(row, years=5, call_fiscal_year=2021)
    assert [r.code for r in before.reasons] == ["sanctions.not_yet_in_force"]
    assert "1022" in before.reasons[0].source


def test_an_unknown_offence_or_a_missing_severity_is_refused_with_its_reason():
    unknown = propose_restriction("plagiarism", role="user", decided_on=DECIDED)
    assert [r.code for r in unknown.reasons] == ["sanctions.no_row"]
    assert unknown.years is None
    with translation.override("en"):
        no_severity = propose_restriction("misuse", role="user", decided_on=DECIDED)
    assert [r.code for r in no_severity.reasons] == ["sanctions.no_row"]
    assert "severity" in no_severity.reasons[0].message
    with translation.override("ja"):
        in_japanese = propose_restriction("misuse", role="user", decided_on=DECIDED)
    assert "程度を選んでください" in in_japanese.reasons[0].message


def test_a_funders_own_table_wins_and_versions_apply_from_their_date():
    base = {"funder": "all", "version": "2021-12-17", "title_ja": "共通", "title_en": "Common"}
    row = {
        "code": "deceit", "offence": "deceit", "role": "applicant", "severity": "",
        "min_years": 5, "max_years": 5, "label_ja": "a", "label_en": "a", "clause_ja": "c",
    }  # fmt: skip
    assert {t.funder for t in offence_tables()} == {"all"}
    own = parse_tables(
        {"table": [base | {"rows": [row]},
                   base | {"funder": "jst", "version": "2027-04-01", "title_ja": "JST",
                           "rows": [row | {"min_years": 3}]}]}
    )  # fmt: skip
    assert table_for("jst", on=date(2027, 3, 31), tables=own).funder == "all"
    assert table_for("jst", on=date(2027, 4, 1), tables=own).rows[0].min_years == 3
    assert table_for("nedo", on=date(2027, 4, 1), tables=own).funder == "all"


@pytest.mark.parametrize(
    ("change", "message"),
    [({"min_years": 4, "max_years": 2}, "range"), ({"min_years": -1}, "range")],
)
def test_a_malformed_row_is_an_error_not_skipped(change, message):
    row = {
        "code": "x", "offence": "misuse", "role": "user", "severity": "",
        "min_years": 1, "max_years": 2, "label_ja": "a", "label_en": "a", "clause_ja": "c",
    } | change  # fmt: skip
    with pytest.raises(ValueError, match=message):
        parse_tables({"table": [{"funder": "all", "version": "1", "title_ja": "t",
                                 "title_en": "t", "rows": [row]}]})  # fmt: skip


def test_a_row_given_twice_is_an_error():
    row = {
        "code": "x", "offence": "misuse", "role": "user", "severity": "",
        "min_years": 1, "max_years": 2, "label_ja": "a", "label_en": "a", "clause_ja": "c",
    }  # fmt: skip
    rows = [row, row | {"code": "y"}]
    with pytest.raises(ValueError, match="twice"):
        parse_tables({"table": [{"funder": "all", "version": "1", "title_ja": "t",
                                 "title_en": "t", "rows": rows}]})  # fmt: skip
