import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from openrd.core.validators import (
    validate_corporate_number,
    validate_doi,
    validate_erad_researcher_number,
    validate_orcid,
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
        assert form.errors["budget"] == ["金額は半角数字で入力してください（例：1,000,000）。"]
