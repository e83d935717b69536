"""Compliance with the immediate-open-access mandate (pure rules, no database)."""

from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction

import pytest
from django.apps import apps
from django.utils import translation

from openrd.core.decisions import Reason
from openrd.repository import rules
from openrd.repository.rules.compliance import (
    ACCESS_RIGHTS,
    DEPOSIT_STATUSES,
    ComplianceFacts,
    ComplianceStatus,
    assess_compliance,
    due_date,
    summarise,
)
from openrd.repository.rules.mandate import Mandate
from openrd.repository.rules.policy import exception_reason_codes, oa_policy

S = ComplianceStatus
MANDATED = Mandate(True, (Reason("oa.mandated", "required", "clause"),))
NOT_MANDATED = Mandate(False, (Reason("oa.not_peer_reviewed", "not peer reviewed", "outputs"),))
PUBLISHED_ON = date(2025, 9, 1)
DUE_ON = PUBLISHED_ON + timedelta(days=30)

# A mandated article the journal has published, with nothing deposited yet.
FACTS = ComplianceFacts(
    mandate=MANDATED,
    published_on=PUBLISHED_ON,
    accepted_on=date(2025, 7, 1),
    deposit_status=None,
    access_rights=None,
    opened_on=None,
    has_open_fulltext=False,
    exception_reason="",
    exception_reported_on=None,
)
OPEN = replace(
    FACTS,
    deposit_status="published",
    access_rights="open",
    has_open_fulltext=True,
    opened_on=date(2025, 9, 10),
)


def _assess(facts: ComplianceFacts, today: date = PUBLISHED_ON) -> rules.Compliance:
    with translation.override("en"):
        return assess_compliance(facts, today=today)


def test_the_package_exposes_assess_compliance_by_name():
    assert rules.assess_compliance is assess_compliance


def test_the_due_date_is_the_publication_date_plus_the_grace_days():
    assert oa_policy().deposit_grace_days == 30
    assert due_date(PUBLISHED_ON, date(2025, 7, 1)) == date(2025, 10, 1)


def test_there_is_no_due_date_before_the_journal_publishes():
    assert due_date(None, date(2025, 7, 1)) is None


def test_a_publication_before_acceptance_is_refused():
    with pytest.raises(ValueError, match="accepted"):
        due_date(date(2025, 7, 1), date(2025, 9, 1))


def test_an_output_not_mandated_is_not_mandated_and_says_why():
    result = _assess(replace(FACTS, mandate=NOT_MANDATED))
    assert (result.status, result.due_on) == (S.NOT_MANDATED, None)
    assert "not peer reviewed" in result.reason.message
    assert result.reason.source == "outputs"


def test_an_open_published_record_with_open_full_text_is_compliant_since_its_opening():
    result = _assess(OPEN, today=date(2026, 1, 1))
    assert (result.status, result.reason.code) == (S.COMPLIANT, "oa.open")
    assert "10 September 2025" in result.reason.message
    assert result.reason.source == oa_policy().cite("green_oa_accepted_manuscript")


def test_an_output_opened_after_its_due_date_is_compliant_and_says_it_was_late():
    result = _assess(replace(OPEN, opened_on=DUE_ON + timedelta(days=5)))
    assert result.status is S.COMPLIANT
    assert "later than the due date" in result.reason.message


def test_the_compliance_message_uses_the_japanese_era_date_in_japanese():
    with translation.override("ja"):
        result = assess_compliance(OPEN, today=PUBLISHED_ON)
    assert "令和7年9月10日" in result.reason.message


def test_gold_oa_is_compliant_citing_the_apc_clause():
    result = _assess(replace(FACTS, gold_oa=True), today=DUE_ON + timedelta(days=100))
    assert (result.status, result.reason.code) == (S.COMPLIANT, "oa.gold_oa")
    assert result.reason.source == oa_policy().cite("gold_oa_apc_support")


@pytest.mark.parametrize(
    "change",
    [
        {"access_rights": "embargoed"},
        {"deposit_status": "curated"},
        {"has_open_fulltext": False},
    ],
    ids=["embargoed", "not-published-here", "no-open-file"],
)
def test_open_needs_a_published_record_open_access_and_an_open_full_text(change):
    result = _assess(replace(OPEN, **change), today=DUE_ON + timedelta(days=1))
    assert result.status is S.NON_COMPLIANT


@pytest.mark.parametrize(
    "code", ["publisher_embargo", "unclear_policy", "apc_unaffordable", "other"]
)
def test_each_reported_exception_reason_is_an_exception_naming_the_reason(code):
    facts = replace(FACTS, exception_reason=code, exception_reported_on=date(2025, 9, 5))
    result = _assess(facts, today=DUE_ON + timedelta(days=200))
    assert (result.status, result.due_on) == (S.EXCEPTION, DUE_ON)
    assert oa_policy().exception_reason(code).label_en in result.reason.message
    assert "no penalty" in result.reason.message
    assert "5 September 2025" in result.reason.message
    assert result.reason.source == oa_policy().cite("exception_report")
    assert result.decision.allowed


def test_the_list_of_exception_reasons_is_the_policys():
    assert exception_reason_codes() == (
        "publisher_embargo", "unclear_policy", "apc_unaffordable", "other",
    )  # fmt: skip


def test_an_exception_once_the_output_is_open_is_compliant():
    result = _assess(replace(OPEN, exception_reason="publisher_embargo"))
    assert result.status is S.COMPLIANT


def test_an_unknown_exception_reason_is_refused():
    with pytest.raises(ValueError, match="no_time"):
        _assess(replace(FACTS, exception_reason="no_time"))


def test_an_unknown_deposit_status_or_access_right_is_refused():
    with pytest.raises(ValueError, match="archived"):
        _assess(replace(FACTS, deposit_status="archived"))
    with pytest.raises(ValueError, match="secret"):
        _assess(replace(FACTS, access_rights="secret"))


def test_an_article_not_yet_published_by_the_journal_is_pending_without_a_due_date():
    result = _assess(replace(FACTS, published_on=None), today=date(2030, 1, 1))
    assert (result.status, result.due_on) == (S.PENDING, None)
    assert "30 days" in result.reason.message


def test_on_the_due_day_itself_the_output_is_pending():
    result = _assess(FACTS, today=DUE_ON)
    assert (result.status, result.due_on) == (S.PENDING, DUE_ON)
    assert "1 October 2025" in result.reason.message
    assert result.decision.allowed


def test_a_pending_output_cites_the_grace_days_as_an_operating_setting():
    assert "Operating setting" in _assess(FACTS, today=DUE_ON).reason.source


def test_the_day_after_the_due_day_the_output_is_non_compliant():
    result = _assess(FACTS, today=DUE_ON + timedelta(days=1))
    assert (result.status, result.due_on) == (S.NON_COMPLIANT, DUE_ON)
    assert result.decision.codes() == ["oa.late.not_deposited"]
    assert not result.decision.allowed


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({}, "oa.late.not_deposited", "nothing has been deposited"),
        ({"deposit_status": "draft"}, "oa.late.not_published", "not yet published"),
        ({"deposit_status": "withdrawn"}, "oa.late.withdrawn", "withdrawn"),
        (
            {"deposit_status": "published", "access_rights": "embargoed"},
            "oa.late.embargoed",
            "under embargo",
        ),
        (
            {"deposit_status": "published", "access_rights": "restricted"},
            "oa.late.restricted",
            "restricted",
        ),
        (
            {"deposit_status": "published", "access_rights": "metadata_only"},
            "oa.late.metadata_only",
            "only the metadata",
        ),
        (
            {"deposit_status": "published", "access_rights": "open"},
            "oa.late.no_open_fulltext",
            "no accepted manuscript or version of record",
        ),
    ],
)
def test_a_late_output_says_what_keeps_it_closed(change, code, words):
    result = _assess(replace(FACTS, **change), today=DUE_ON + timedelta(days=1))
    assert (result.status, result.reason.code) == (S.NON_COMPLIANT, code)
    assert words in result.reason.message
    assert "1 October 2025" in result.reason.message


def test_an_embargo_here_cites_the_no_embargo_clause():
    facts = replace(FACTS, deposit_status="published", access_rights="embargoed")
    result = _assess(facts, today=DUE_ON + timedelta(days=1))
    assert result.reason.source == oa_policy().cite("no_embargo")


def test_summarise_counts_each_status_and_the_share_of_mandated_outputs():
    summary = summarise(
        [S.COMPLIANT, S.COMPLIANT, S.PENDING, S.EXCEPTION, S.NON_COMPLIANT, S.NOT_MANDATED]
    )
    assert summary.counts[S.COMPLIANT] == 2
    assert (summary.total, summary.mandated) == (6, 5)
    assert (summary.exceptions, summary.pending, summary.non_compliant) == (1, 1, 1)
    # The exception counts as not open: 2 compliant of 5 mandated.
    assert summary.compliant_share == Fraction(2, 5)


def test_summarise_accepts_stored_strings_and_lists_every_status():
    summary = summarise(["compliant", "not_mandated"])
    assert set(summary.counts) == set(S)
    assert summary.counts[S.PENDING] == 0
    assert summary.compliant_share == 1


def test_summarise_of_nothing_mandated_has_no_share():
    assert summarise([S.NOT_MANDATED]).compliant_share is None
    assert summarise([]).total == 0


def test_summaries_add_up_for_a_roll_up():
    total = summarise([S.COMPLIANT]) + summarise([S.NON_COMPLIANT, S.NOT_MANDATED])
    assert (total.total, total.mandated, total.compliant_share) == (3, 2, Fraction(1, 2))


def test_the_workflow_values_match_the_repository_vocabulary():
    assert {"draft", "submitted", "curated", "published", "withdrawn"} == DEPOSIT_STATUSES
    assert {"open", "embargoed", "restricted", "metadata_only"} == ACCESS_RIGHTS
    # The rules import no models; once the app is installed, its models must agree.
    if apps.is_installed("openrd.repository"):
        from openrd.repository.models import AccessRights, DepositStatus

        assert set(DepositStatus.values) == DEPOSIT_STATUSES
        assert set(AccessRights.values) == ACCESS_RIGHTS
