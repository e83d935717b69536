import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from openrd.core.validators import (
    normalize_country_code,
    validate_corporate_number,
    validate_country_code,
    validate_doi,
    validate_erad_researcher_number,
    validate_orcid,
    validate_plain_text,
    validate_ror,
    validate_yen_amount,
)


@pytest.mark.parametrize(
    ("validator", "value"),
    [
        (validate_orcid, "https://orcid.org/0000-0002-1825-0097"),
        (validate_corporate_number, "7000012050002"),
        (validate_erad_researcher_number, "12345678"),
        (validate_erad_researcher_number, 12345678),
        (validate_ror, "https://ror.org/057zh3y96"),
        (validate_doi, "doi:10.1000/xyz"),
        (validate_yen_amount, 150_000_000),
        (validate_yen_amount, "1,000,000"),
    ],
)
def test_valid_values_pass(validator, value):
    assert validator(value) is None


@pytest.mark.parametrize(
    ("validator", "value", "code", "ja", "en"),
    [
        (
            validate_orcid,
            "0000-0002-1825-0098",
            "orcid.checksum",
            "ORCID iDのチェックデジットが一致しません。番号をご確認ください。",
            "The ORCID iD check digit does not match. Please check the number.",
        ),
        (
            validate_corporate_number,
            "8000012050002",
            "corporate_number.checksum",
            "法人番号のチェックデジットが一致しません。",
            "The corporate number check digit does not match.",
        ),
        (
            validate_erad_researcher_number,
            "1234567",
            "erad.format",
            "e-Radの研究者番号は8桁の数字で入力してください。",
            "Enter the e-Rad researcher number as 8 digits.",
        ),
        (
            validate_ror,
            "057zh3y97",
            "ror.checksum",
            "ROR IDのチェックサムが一致しません。",
            "The ROR ID checksum does not match.",
        ),
        (
            validate_doi,
            "not a doi",
            "doi.format",
            "DOIの形式が正しくありません。10.1000/xyz123 のような形式で入力してください。",
            "Enter a DOI such as 10.1000/xyz123.",
        ),
        (
            validate_yen_amount,
            -5,
            "yen.negative",
            "金額に負の値は入力できません。",
            "The amount cannot be negative.",
        ),
        (
            validate_yen_amount,
            "1.5",
            "yen.fractional",
            "金額は1円単位の整数で入力してください。",
            "Enter the amount in whole yen.",
        ),
    ],
)
def test_invalid_values_raise_validation_error(validator, value, code, ja, en):
    with override("ja"), pytest.raises(ValidationError) as caught_ja:
        validator(value)
    with override("en"), pytest.raises(ValidationError) as caught_en:
        validator(value)
    assert caught_ja.value.code == code
    assert caught_ja.value.messages == [ja]
    assert caught_en.value.code == code
    assert caught_en.value.messages == [en]


def test_validators_work_on_a_form_field():
    from django import forms

    class ResearcherForm(forms.Form):
        orcid = forms.CharField(validators=[validate_orcid])
        budget = forms.CharField(validators=[validate_yen_amount])

    with override("ja"):
        form = ResearcherForm(data={"orcid": "0000-0002-1825-0098", "budget": "abc"})
        assert form.is_valid() is False
        assert form.errors.as_data()["orcid"][0].code == "orcid.checksum"
        assert form.errors["budget"] == ["金額は数字で入力してください（例：1,000,000）。"]


@pytest.mark.parametrize("code", ["JP", "US", "TW", "GB", "DE"])
def test_assigned_country_codes_pass(code):
    assert validate_country_code(code) is None


@pytest.mark.parametrize("code", ["ZZ", "jp", "J", "JPN", "", "XX", 81, None])
def test_unassigned_or_unnormalised_country_codes_are_refused_in_both_languages(code):
    with override("ja"), pytest.raises(ValidationError) as caught_ja:
        validate_country_code(code)
    with override("en"), pytest.raises(ValidationError) as caught_en:
        validate_country_code(code)
    assert caught_ja.value.code == "country.unknown"
    assert caught_ja.value.messages == [
        "国・地域はISO 3166-1の2文字のコードで入力してください（例：JP、US）。"
    ]
    assert caught_en.value.messages == [
        "Enter an ISO 3166-1 country code of two letters, e.g. JP or US."
    ]


@pytest.mark.parametrize(("typed", "stored"), [("jp", "JP"), (" us ", "US"), ("ｊｐ", "JP")])
def test_country_codes_are_normalised_to_their_stored_form(typed, stored):
    assert normalize_country_code(typed) == stored
    assert validate_country_code(normalize_country_code(typed)) is None


@pytest.mark.parametrize(
    ("text", "codepoint"),
    [
        ("\u202eakanaT", "U+202E"),  # right-to-left override
        ("Tanaka\u202a", "U+202A"),  # left-to-right embedding
        ("\u2066田中\u2069", "U+2066"),  # isolates
        ("山\u200b田", "U+200B"),  # zero-width space
        ("\ufeffSato", "U+FEFF"),  # byte order mark
        ("Ito\u3164", "U+3164"),  # Hangul filler: a letter that shows nothing
        ("line\nbreak", "U+000A"),
    ],
)
def test_names_with_invisible_or_control_characters_are_refused_naming_the_character(
    text, codepoint
):
    with override("en"), pytest.raises(ValidationError) as caught_en:
        validate_plain_text(text)
    with override("ja"), pytest.raises(ValidationError) as caught_ja:
        validate_plain_text(text)
    assert caught_en.value.code == "text.invisible_character"
    assert caught_en.value.messages == [
        f"Remove the invisible or control character {codepoint}: it can make the text read "
        "differently from what it is."
    ]
    assert caught_ja.value.messages == [
        f"見えない文字または制御文字（{codepoint}）を削除してください。"
        "表示と実際の内容が異なって見える原因になります。"
    ]


@pytest.mark.parametrize(
    "text", ["田中 太郎", "Jean-Luc O'Neil", "さくら量子株式会社", "葛\U000e0100飾", "José Müller"]
)
def test_ordinary_names_pass_including_kanji_variation_selectors(text):
    assert validate_plain_text(text) is None
