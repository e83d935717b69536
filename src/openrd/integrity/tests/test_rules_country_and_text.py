"""Disclosure countries are assigned ISO codes; titles carry no bidi tricks. Pure, no database."""

import pytest
from django.utils import translation

from openrd.integrity.rules import (
    Disclosure,
    Funding,
    Position,
    parse_disclosure,
    validate_disclosure,
)

K1, K2 = "a" * 32, "b" * 32


def _funding(**kw):
    values = {"key": K1, "status": "current", "program": "科研費", "title": "量子センサの研究",
              "funder": "日本学術振興会", "effort_percent": 30}  # fmt: skip
    return Funding(**(values | kw))


def _position(**kw):
    return Position(
        **({"key": K2, "organisation": "東京大学", "title": "教授", "kind": "primary"} | kw)
    )


def _errors(*fundings, positions=()):
    return validate_disclosure(Disclosure(fundings, positions))


@pytest.mark.parametrize("country", ["ZZ", "XX", "AA"])
def test_a_code_that_names_no_country_is_refused_in_the_users_language(country):
    with translation.override("en"):
        errors = _errors(_funding(country=country), positions=(_position(country=country),))
    assert [(e.field, e.code) for e in errors] == [
        ("fundings.0.country", "integrity.bad_country"),
        ("positions.0.country", "integrity.bad_country"),
    ]
    assert errors[0].message == "Enter an ISO 3166-1 country code of two letters, e.g. JP or US."


def test_lower_case_and_full_width_codes_are_read_as_the_iso_code():
    disclosure, errors = parse_disclosure(
        [{"key": K1, "country": "us", "effort_percent": 10}], [{"key": K2, "country": "ｔｗ"}]
    )
    assert errors == []
    assert (disclosure.fundings[0].country, disclosure.positions[0].country) == ("US", "TW")


def test_a_title_with_a_bidi_override_is_refused_on_that_field():
    with translation.override("ja"):
        errors = _errors(
            _funding(title="研究\u202e題名"), positions=(_position(organisation="大学\u200b"),)
        )
    assert [(e.field, e.code) for e in errors] == [
        ("fundings.0.title", "text.invisible_character"),
        ("positions.0.organisation", "text.invisible_character"),
    ]
    assert errors[0].message == (
        "見えない文字または制御文字（U+202E）を削除してください。表示と実際の内容が異なって見える原因になります。"
    )
