"""Disclosure rules: pure tests, no database."""

from datetime import date

import pytest
from django.utils import translation

from openrd.integrity.rules import (
    GUIDELINE_SOURCE,
    Disclosure,
    DisclosureFacts,
    Funding,
    Position,
    check_disclosure_complete,
    diff_disclosures,
    entry_label,
    parse_disclosure,
    validate_disclosure,
)

K1, K2, K3 = "a" * 32, "b" * 32, "c" * 32


def funding(**kw):
    values = {"key": K1, "status": "current", "program": "科研費 基盤研究(B)",
              "title": "量子センサの研究", "funder": "日本学術振興会", "effort_percent": 30,
              "amount_yen": 5_000_000, "start": date(2023, 4, 1),
              "end": date(2026, 3, 31)}  # fmt: skip
    return Funding(**(values | kw))


def position(**kw):
    values = {"key": K2, "organisation": "東京大学", "title": "教授", "kind": "primary"}
    return Position(**(values | kw))


def errors_of(*fundings, positions=()):
    return {(e.field, e.code) for e in validate_disclosure(Disclosure(fundings, positions))}


def test_a_complete_disclosure_has_no_errors():
    assert errors_of(funding(), positions=(position(),)) == set()


@pytest.mark.parametrize(("effort", "ok"), [(0, True), (100, True), (101, False), (-1, False)])
def test_effort_is_a_whole_percent_from_0_to_100(effort, ok):
    errors = errors_of(funding(effort_percent=effort))
    assert errors == (
        set() if ok else {("fundings.0.effort_percent", "integrity.effort_out_of_range")}
    )


def test_end_before_start_is_refused_on_the_end_field_and_same_day_is_allowed():
    assert errors_of(funding(start=date(2024, 4, 1), end=date(2024, 3, 31))) == {
        ("fundings.0.end", "integrity.end_before_start")
    }
    assert errors_of(funding(start=date(2024, 4, 1), end=date(2024, 4, 1))) == set()
    assert errors_of(
        funding(), positions=(position(start=date(2020, 1, 2), end=date(2020, 1, 1)),)
    ) == {("positions.0.end", "integrity.end_before_start")}


def test_negative_amount_is_refused():
    assert errors_of(funding(amount_yen=-1)) == {("fundings.0.amount_yen", "yen.negative")}


def test_nda_entry_with_an_amount_or_title_is_refused():
    errors = errors_of(funding(nda=True, title="秘密の共同研究", amount_yen=1_000_000))
    assert errors == {
        ("fundings.0.title", "integrity.nda_with_title"),
        ("fundings.0.amount_yen", "integrity.nda_with_amount"),
    }


def test_nda_entry_with_only_the_effort_is_accepted():
    nda = Funding(key=K1, nda=True, effort_percent=10, funder="", program="")
    assert errors_of(nda) == set()


def test_ordinary_entry_needs_title_and_funder_and_position_an_organisation():
    errors = errors_of(funding(title="", funder=""), positions=(position(organisation=""),))
    assert errors == {
        ("fundings.0.title", "integrity.title_missing"),
        ("fundings.0.funder", "integrity.funder_missing"),
        ("positions.0.organisation", "integrity.organisation_missing"),
    }


@pytest.mark.parametrize("country", ["jp", "JPN", "J", "", "日本"])
def test_country_must_be_two_capital_letters(country):
    assert errors_of(funding(country=country)) == {("fundings.0.country", "integrity.bad_country")}
    assert ("positions.0.country", "integrity.bad_country") in errors_of(
        positions=(position(country=country),)
    )


def test_status_and_kind_must_be_allowed_values():
    errors = errors_of(funding(status="finished"), positions=(position(kind="member"),))
    assert errors == {
        ("fundings.0.status", "integrity.bad_status"),
        ("positions.0.kind", "integrity.bad_kind"),
    }


def test_current_effort_may_add_up_to_100_but_not_more():
    assert errors_of(funding(effort_percent=60), funding(key=K2, effort_percent=40)) == set()
    assert errors_of(funding(effort_percent=60), funding(key=K2, effort_percent=41)) == {
        ("fundings", "integrity.effort_over_100")
    }


def test_pending_funding_does_not_count_towards_the_effort_total():
    assert (
        errors_of(funding(effort_percent=80), funding(key=K2, status="pending", effort_percent=80))
        == set()
    )


def test_keys_must_be_hex_and_unique_per_section():
    assert errors_of(funding(), funding(effort_percent=0)) == {
        ("fundings.1.key", "integrity.duplicate_key")
    }
    assert errors_of(funding(key="not-a-key")) == {("fundings.0.key", "integrity.bad_key")}
    # The same key may appear in both sections: each section is matched on its own.
    assert errors_of(funding(key=K2), positions=(position(key=K2),)) == set()


def test_error_messages_follow_the_active_language():
    d = Disclosure((funding(effort_percent=101),))
    with translation.override("en"):
        assert validate_disclosure(d)[0].message == "Enter an effort between 0 and 100 percent."
    with translation.override("ja"):
        assert "エフォート" in validate_disclosure(d)[0].message


def test_effort_total_message_names_the_total():
    d = Disclosure((funding(effort_percent=70), funding(key=K2, effort_percent=70)))
    with translation.override("en"):
        (error,) = validate_disclosure(d)
    assert "140%" in error.message
    assert "100%" in error.message


# ---------- Reading raw input ----------


def parsed_errors(**kw):
    raw = {"key": K1, "title": "t", "funder": "f", "effort_percent": "10"} | kw
    _, errors = parse_disclosure([raw], [])
    return {(e.field, e.code) for e in errors}


def test_form_strings_are_read_into_typed_values():
    raw = {"key": K1, "title": " 研究 ", "funder": "JST", "country": "ｕｓ",
           "start": "2024-04-01", "end": "", "amount_yen": "1,000,000",
           "effort_percent": "５０", "nda": None, "on_platform": "on"}  # fmt: skip
    disclosure, errors = parse_disclosure([raw], [{"key": K2, "organisation": "X", "paid": None}])
    assert errors == []
    assert disclosure.fundings[0] == Funding(
        key=K1, title="研究", funder="JST", country="US", start=date(2024, 4, 1), end=None,
        amount_yen=1_000_000, effort_percent=50, nda=False, on_platform=True,
    )  # fmt: skip
    assert disclosure.positions[0].paid is False


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("start", "2023-02-30", "integrity.bad_date"),
        ("end", "30/03/2024", "integrity.bad_date"),
        ("effort_percent", "abc", "integrity.not_whole_number"),
        ("effort_percent", "12.5", "integrity.not_whole_number"),
        ("effort_percent", "", "integrity.effort_missing"),
        ("amount_yen", "-5", "yen.negative"),
        ("amount_yen", "1.5", "yen.fractional"),
        ("amount_yen", 1.5, "yen.fractional"),
        ("nda", "maybe", "integrity.not_boolean"),
        ("title", 12, "integrity.not_text"),
        ("secret", "x", "integrity.unknown_field"),
    ],
)
def test_unreadable_values_are_field_errors(field, value, code):
    assert parsed_errors(**{field: value}) == {(f"fundings.0.{field}", code)}


def test_a_missing_effort_is_an_error_not_zero():
    _, errors = parse_disclosure([{"key": K1, "title": "t", "funder": "f"}], [])
    assert [(e.field, e.code) for e in errors] == [
        ("fundings.0.effort_percent", "integrity.effort_missing")
    ]


def test_sections_must_be_lists_of_objects():
    _, errors = parse_disclosure("x", ["y"])
    assert {(e.field, e.code) for e in errors} == {
        ("fundings", "integrity.not_a_list"),
        ("positions.0", "integrity.not_an_object"),
    }


def test_json_round_trip_keeps_every_value():
    d = Disclosure((funding(), funding(key=K3, nda=True, title="", amount_yen=None)),
                   (position(paid=False, country="US", start=date(2020, 1, 1)),))  # fmt: skip
    data = d.to_json()
    assert data["fundings"][0]["start"] == "2023-04-01"
    assert Disclosure.from_json(data) == d


# ---------- Diff ----------


def test_first_version_shows_every_entry_as_added():
    changes = diff_disclosures(None, Disclosure((funding(),), (position(),)))
    assert [(c.section, c.key, c.kind) for c in changes] == [
        ("funding", K1, "added"),
        ("position", K2, "added"),
    ]
    assert changes[0].label == "量子センサの研究"


def test_changed_entry_lists_old_and_new_values_and_keeps_its_key():
    old = Disclosure((funding(),))
    new = Disclosure((funding(title="量子センサの応用研究", effort_percent=40),))
    (change,) = diff_disclosures(old, new)
    assert (change.kind, change.key) == ("changed", K1)
    assert change.field_changes == (
        ("title", "量子センサの研究", "量子センサの応用研究"),
        ("effort_percent", 30, 40),
    )


def test_removed_and_added_entries_and_unchanged_ones_are_not_listed():
    old = Disclosure((funding(), funding(key=K2, title="消える研究")), (position(),))
    new = Disclosure((funding(), funding(key=K3, title="新しい研究")), (position(),))
    changes = diff_disclosures(old, new)
    assert [(c.key, c.kind, c.label) for c in changes] == [
        (K3, "added", "新しい研究"),
        (K2, "removed", "消える研究"),
    ]
    assert diff_disclosures(new, new) == []


def test_nda_label_never_shows_a_title():
    nda = funding(nda=True, title="", funder="")
    with translation.override("en"):
        assert entry_label(nda) == "Funding under a non-disclosure agreement"
    assert entry_label(position(title="")) == "東京大学"
    assert entry_label(position()) == "東京大学 — 教授"


# ---------- Completeness ----------


def test_no_disclosure_at_all():
    decision = check_disclosure_complete(DisclosureFacts(has_version=False, pledged=False))
    assert decision.codes() == ["integrity.disclosure_missing"]
    assert decision.reasons[0].source == GUIDELINE_SOURCE


def test_latest_version_not_pledged():
    decision = check_disclosure_complete(DisclosureFacts(has_version=True, pledged=False))
    assert decision.codes() == ["integrity.pledge_missing"]
    assert (
        decision.reasons[0].source == "競争的研究費の適正な執行に関する指針（2021年12月17日改正）"
    )
    with translation.override("ja"):
        message = check_disclosure_complete(DisclosureFacts(True, False)).reasons[0].message
    assert "誓約" in message


def test_pledged_disclosure_is_complete():
    assert check_disclosure_complete(DisclosureFacts(has_version=True, pledged=True)).allowed
