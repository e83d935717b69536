"""The deposit form's hint from the journal's self-archiving policy (pure, no database)."""

import pytest
from django.utils import translation

from openrd.repository import rules
from openrd.repository.rules.policy import exception_reason_codes
from openrd.repository.rules.publisher_policy import (
    HintKind,
    PublisherPolicyFacts,
    _sentences,
    publisher_policy_hint,
)

IMMEDIATE = PublisherPolicyFacts(am_allowed=True, am_embargo_months=0, licence="CC BY 4.0")
EMBARGO = PublisherPolicyFacts(am_allowed=True, am_embargo_months=12)
NOT_ALLOWED = PublisherPolicyFacts(am_allowed=False)


def _hint(policy, *, mandated):
    with translation.override("en"):
        return publisher_policy_hint(policy, mandated=mandated)


def test_the_package_exposes_publisher_policy_hint_by_name():
    assert rules.publisher_policy_hint is publisher_policy_hint


@pytest.mark.parametrize("mandated", [True, False])
def test_no_embargo_means_the_manuscript_may_be_opened_immediately_under_its_licence(mandated):
    hint = _hint(IMMEDIATE, mandated=mandated)
    assert (hint.kind, hint.suggested_exception) == (HintKind.IMMEDIATE, "")
    assert "immediately" in hint.message
    assert "CC BY 4.0" in hint.message


def test_immediate_without_a_required_licence_names_none():
    hint = _hint(PublisherPolicyFacts(am_allowed=True), mandated=True)
    assert hint.message == "The accepted manuscript may be opened immediately."


def test_an_embargo_for_a_mandated_output_suggests_reporting_it_or_gold_oa():
    hint = _hint(EMBARGO, mandated=True)
    assert (hint.kind, hint.suggested_exception) == (HintKind.EMBARGO, "publisher_embargo")
    assert "12 months" in hint.message
    assert "report the reason" in hint.message
    assert "gold OA" in hint.message


def test_a_one_month_embargo_is_written_in_the_singular():
    hint = _hint(PublisherPolicyFacts(am_allowed=True, am_embargo_months=1), mandated=False)
    assert "1 month after" in hint.message


def test_an_embargo_for_an_output_not_mandated_suggests_nothing():
    hint = _hint(EMBARGO, mandated=False)
    assert (hint.kind, hint.suggested_exception) == (HintKind.EMBARGO, "")
    assert "gold OA" not in hint.message


def test_a_publisher_that_forbids_deposit_suggests_the_publisher_reason_when_mandated():
    mandated = _hint(NOT_ALLOWED, mandated=True)
    assert (mandated.kind, mandated.suggested_exception) == (
        HintKind.NOT_ALLOWED,
        "publisher_embargo",
    )
    assert "does not allow" in mandated.message
    assert _hint(NOT_ALLOWED, mandated=False).suggested_exception == ""


def test_no_recorded_policy_suggests_the_unclear_policy_reason_when_mandated():
    hint = _hint(None, mandated=True)
    assert (hint.kind, hint.suggested_exception) == (HintKind.UNKNOWN, "unclear_policy")
    assert "No self-archiving policy" in hint.message
    assert _hint(None, mandated=False).suggested_exception == ""


def test_every_suggested_reason_is_on_the_policys_list():
    suggested = {
        _hint(p, mandated=True).suggested_exception for p in (IMMEDIATE, EMBARGO, NOT_ALLOWED, None)
    } - {""}
    assert suggested <= set(exception_reason_codes())


def test_a_negative_embargo_is_refused():
    with pytest.raises(ValueError, match="negative"):
        _hint(PublisherPolicyFacts(am_allowed=True, am_embargo_months=-1), mandated=True)


def test_japanese_sentences_are_joined_without_a_space_english_with_one():
    with translation.override("ja"):
        assert _sentences("一。", "二。") == "一。二。"
    with translation.override("en"):
        assert _sentences("One.", "Two.") == "One. Two."
