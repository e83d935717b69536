"""Who is under the immediate-open-access mandate (pure rules, no database)."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.utils import translation

from openrd.core.fiscal import tokyo_datetime
from openrd.repository import rules
from openrd.repository.rules.mandate import OUTPUT_KINDS, MandateFacts, is_oa_mandated
from openrd.repository.rules.policy import oa_policy

FY2025_OPENS = tokyo_datetime(2025, 4, 1)

FACTS = MandateFacts(
    call_opened_at=tokyo_datetime(2025, 6, 1, 10),
    award_starts_on=None,
    program_code="moonshot",
    program_rules={},
    output_kind="article",
    peer_reviewed=True,
)


def _codes(facts: MandateFacts) -> list[str]:
    return is_oa_mandated(facts).codes()


def test_the_package_exposes_is_oa_mandated_by_name():
    assert rules.is_oa_mandated is is_oa_mandated
    assert rules.MandateFacts is MandateFacts


def test_a_peer_reviewed_article_of_a_fy2025_call_of_a_listed_program_is_mandated():
    mandate = is_oa_mandated(FACTS)
    assert (mandate.mandated, mandate.codes()) == (True, ["oa.mandated"])


def test_the_mandated_reason_cites_the_fy2025_and_green_oa_clauses():
    with translation.override("en"):
        reason = is_oa_mandated(FACTS).reasons[0]
    policy = oa_policy()
    assert policy.cite("new_calls_from_fy2025") in reason.source
    assert policy.cite("green_oa_accepted_manuscript") in reason.source
    assert "FY2025" in reason.message


def test_truth_testing_a_mandate_is_refused():
    with pytest.raises(TypeError, match="mandated"):
        bool(is_oa_mandated(FACTS))


def test_a_call_opened_the_last_second_of_fy2024_in_tokyo_is_not_covered():
    facts = replace(FACTS, call_opened_at=FY2025_OPENS - timedelta(seconds=1))
    assert _codes(facts) == ["oa.call_before_fy2025"]


def test_a_call_opened_the_first_second_of_fy2025_in_tokyo_is_covered():
    assert is_oa_mandated(replace(FACTS, call_opened_at=FY2025_OPENS)).mandated


def test_the_fiscal_year_of_the_opening_is_taken_in_tokyo_not_utc():
    # 2025-03-31 15:00 UTC is 2025-04-01 00:00 in Tokyo: FY2025.
    opened = datetime(2025, 3, 31, 15, 0, 0, tzinfo=UTC)
    assert is_oa_mandated(replace(FACTS, call_opened_at=opened)).mandated
    just_before = datetime(2025, 3, 31, 14, 59, 59, tzinfo=UTC)
    assert _codes(replace(FACTS, call_opened_at=just_before)) == ["oa.call_before_fy2025"]


def test_a_naive_opening_time_is_refused():
    with pytest.raises(ValueError, match="naive"):
        is_oa_mandated(replace(FACTS, call_opened_at=datetime(2025, 6, 1)))


def test_the_call_before_fy2025_reason_names_the_fiscal_year_and_cites_the_clause():
    with translation.override("en"):
        reason = is_oa_mandated(replace(FACTS, call_opened_at=tokyo_datetime(2024, 10, 1))).reasons[
            0
        ]
    assert "FY2024" in reason.message
    assert "FY2025" in reason.message
    assert reason.source == oa_policy().cite("new_calls_from_fy2025")


def test_the_call_decides_even_when_the_award_starts_in_fy2025():
    facts = replace(
        FACTS, call_opened_at=tokyo_datetime(2025, 3, 1), award_starts_on=date(2025, 10, 1)
    )
    assert _codes(facts) == ["oa.call_before_fy2025"]


def test_an_award_without_a_call_is_judged_by_its_start_date():
    no_call = replace(FACTS, call_opened_at=None)
    assert is_oa_mandated(replace(no_call, award_starts_on=date(2025, 4, 1))).mandated
    assert _codes(replace(no_call, award_starts_on=date(2025, 3, 31))) == ["oa.call_before_fy2025"]


def test_the_no_call_reason_says_the_start_date_stood_in():
    facts = replace(FACTS, call_opened_at=None, award_starts_on=date(2024, 5, 1))
    with translation.override("en"):
        message = is_oa_mandated(facts).reasons[0].message
    assert "no call" in message
    assert "FY2024" in message


def test_without_a_call_or_a_start_date_the_mandate_cannot_be_judged():
    with pytest.raises(ValueError, match="start date"):
        is_oa_mandated(replace(FACTS, call_opened_at=None, award_starts_on=None))


@pytest.mark.parametrize("code", ["moonshot", "k_program", "kakenhi", "jst-strategic"])
def test_programs_on_the_list_are_covered(code):
    assert rules.covered(code, {})
    assert is_oa_mandated(replace(FACTS, program_code=code)).mandated


def test_a_program_off_the_list_is_not_covered_and_cites_the_seed_note():
    facts = replace(FACTS, program_code="sbir")
    mandate = is_oa_mandated(facts)
    assert mandate.codes() == ["oa.program_not_covered"]
    assert mandate.reasons[0].source == oa_policy().cite("covered_programs")
    assert rules.covered("sbir", {}) is False


def test_a_program_setting_true_covers_a_program_off_the_list():
    facts = replace(FACTS, program_code="sbir", program_rules={"oa_mandate": True})
    assert rules.covered("sbir", {"oa_mandate": True}) is True
    mandate = is_oa_mandated(facts)
    assert mandate.mandated
    assert "oa_mandate = true" in mandate.reasons[0].source


def test_a_program_setting_false_excludes_a_listed_program():
    facts = replace(FACTS, program_rules={"oa_mandate": False})
    assert rules.covered("moonshot", {"oa_mandate": False}) is False
    mandate = is_oa_mandated(facts)
    assert mandate.codes() == ["oa.program_not_covered"]
    assert "oa_mandate = false" in mandate.reasons[0].source


def test_a_program_setting_that_is_not_a_boolean_is_refused():
    with pytest.raises(ValueError, match="oa_mandate"):
        rules.covered("moonshot", {"oa_mandate": "false"})


def test_an_article_that_is_not_peer_reviewed_is_not_mandated():
    mandate = is_oa_mandated(replace(FACTS, peer_reviewed=False))
    assert mandate.codes() == ["oa.not_peer_reviewed"]
    assert mandate.reasons[0].source == oa_policy().cite("covered_outputs")


def test_a_dataset_that_is_the_back_data_of_a_mandated_article_is_mandated():
    facts = replace(FACTS, output_kind="dataset", peer_reviewed=False, supports_article=True)
    mandate = is_oa_mandated(facts)
    assert mandate.mandated
    with translation.override("en"):
        assert "back data" in is_oa_mandated(facts).reasons[0].message


def test_a_dataset_on_its_own_is_not_mandated():
    facts = replace(FACTS, output_kind="dataset", peer_reviewed=True)
    assert _codes(facts) == ["oa.dataset_not_back_data"]


def test_another_kind_of_output_is_not_mandated_even_if_peer_reviewed():
    assert _codes(replace(FACTS, output_kind="other")) == ["oa.output_kind_not_covered"]


def test_an_unknown_output_kind_is_refused():
    with pytest.raises(ValueError, match="book"):
        is_oa_mandated(replace(FACTS, output_kind="book"))


def test_every_reason_that_applies_is_given_in_order():
    facts = replace(
        FACTS,
        call_opened_at=tokyo_datetime(2024, 4, 1),
        program_code="sbir",
        peer_reviewed=False,
    )
    assert _codes(facts) == [
        "oa.call_before_fy2025",
        "oa.program_not_covered",
        "oa.not_peer_reviewed",
    ]


def test_the_output_kinds_match_the_repository_vocabulary():
    assert {"article", "dataset", "other"} == OUTPUT_KINDS
    # The rules import no models; once the app is installed, its models must agree.
    if apps.is_installed("openrd.repository"):
        from openrd.repository.models import OutputKind

        assert set(OutputKind.values) == OUTPUT_KINDS
