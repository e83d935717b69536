"""Identifier checks against real, published identifiers.

Corporate numbers used (each also verified by the check-digit formula):
7000012050002 国税庁, 2000012010019 内閣府, 4000012090001 経済産業省,
1180301018771 トヨタ自動車株式会社. ROR IDs: 057zh3y96 The University of Tokyo,
02kpeqv85 Kyoto University, 05k6zg924 (checksum verified).
"""

import pytest
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from openrd.core.identifiers import (
    IdentifierError,
    corporate_number_check_digit,
    is_valid_corporate_number,
    is_valid_doi,
    is_valid_erad_researcher_number,
    is_valid_orcid,
    is_valid_ror,
    normalize_corporate_number,
    normalize_doi,
    normalize_erad_researcher_number,
    normalize_orcid,
    normalize_ror,
    orcid_check_digit,
    ror_checksum,
)


def _code(normalize, text):
    with pytest.raises(IdentifierError) as caught:
        normalize(text)
    return caught.value.code


# --- ORCID -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("0000-0001-5109-3700", "0000-0001-5109-3700"),
        ("0000-0002-1694-233X", "0000-0002-1694-233X"),
        ("0000-0002-1694-233x", "0000-0002-1694-233X"),
        ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("http://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("000000021694233X", "0000-0002-1694-233X"),
        (" ００００-０００２-１８２５-００９７ ", "0000-0002-1825-0097"),
        ("００００－０００２－１８２５－００９７", "0000-0002-1825-0097"),
        ("0000‐0002‐1825‐0097", "0000-0002-1825-0097"),  # U+2010 HYPHEN, as PDFs print it
        ("0000−0002−1825−0097", "0000-0002-1825-0097"),  # U+2212 MINUS SIGN
        (
            "ｈｔｔｐｓ：／／ｏｒｃｉｄ．ｏｒｇ／０００００００２１６９４２３３ｘ",
            "0000-0002-1694-233X",
        ),
    ],
)
def test_orcid_normalizes(text, canonical):
    assert normalize_orcid(text) == canonical
    assert is_valid_orcid(text) is True


@pytest.mark.parametrize(
    "text",
    ["0000-0002-1825-0098", "0000-0002-1825-0079", "0000-0001-5109-3701", "0000-0002-1694-2330"],
)
def test_orcid_altered_digits_fail_the_checksum(text):
    assert _code(normalize_orcid, text) == "orcid.checksum"
    assert is_valid_orcid(text) is False


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0000-0002-1825-009",
        "0000-0002-1825-00977",
        "0000-0002-1825-009Y",
        "0000-00021825-0097",
        "X000-0002-1825-0097",
        "https://example.org/0000-0002-1825-0097",
    ],
)
def test_orcid_format_errors(text):
    assert _code(normalize_orcid, text) == "orcid.format"


def test_orcid_check_digit_of_known_ids():
    assert orcid_check_digit("000000021825009") == "7"
    assert orcid_check_digit("000000021694233") == "X"


@given(st.text(alphabet="0123456789", min_size=15, max_size=15))
def test_a_computed_orcid_check_digit_always_validates(base):
    digits = base + orcid_check_digit(base)
    canonical = "-".join(digits[i : i + 4] for i in range(0, 16, 4))
    assert normalize_orcid(digits) == canonical


@given(st.text(alphabet="0123456789", min_size=15, max_size=15), st.integers(0, 14))
def test_changing_one_orcid_digit_is_detected(base, position):
    digits = base + orcid_check_digit(base)
    altered = digits[:position] + str((int(digits[position]) + 1) % 10) + digits[position + 1 :]
    assert is_valid_orcid(altered) is False


def test_orcid_messages():
    with override("ja"):
        with pytest.raises(IdentifierError) as fmt:
            normalize_orcid("abc")
        with pytest.raises(IdentifierError) as checksum:
            normalize_orcid("0000-0002-1825-0098")
    assert fmt.value.message == (
        "ORCID iDの形式が正しくありません。0000-0000-0000-0000の形式で入力してください。"
    )
    assert checksum.value.message == (
        "ORCID iDのチェックデジットが一致しません。番号をご確認ください。"
    )
    with override("en"), pytest.raises(IdentifierError) as fmt_en:
        normalize_orcid("abc")
    assert fmt_en.value.message == "Enter an ORCID iD in the form 0000-0000-0000-0000."
    assert isinstance(fmt_en.value, ValueError)


# --- 法人番号 ------------------------------------------------------------------


@pytest.mark.parametrize(
    "number", ["7000012050002", "2000012010019", "4000012090001", "1180301018771"]
)
def test_real_corporate_numbers_validate(number):
    assert normalize_corporate_number(number) == number
    assert corporate_number_check_digit(number[1:]) == int(number[0])


@pytest.mark.parametrize(
    "text",
    [
        "７００００１２０５０００２",
        "7-0000-1205-0002",
        "7000 0120 50002",
        "７０００－０１２－０５０００２",
    ],
)
def test_corporate_number_accepts_full_width_and_separators(text):
    assert normalize_corporate_number(text) == "7000012050002"


def test_corporate_number_check_digit_worked_example():
    # 000012050002 from the right: 2×1 + 0×2 + 0×1 + 0×2 + 5×1 + 0×2 + 2×1 + 1×2 = 11,
    # 9 - (11 mod 9) = 7.
    assert corporate_number_check_digit("000012050002") == 7


@pytest.mark.parametrize("text", ["8000012050002", "7000012050003", "1180301018772"])
def test_corporate_number_checksum_errors(text):
    assert _code(normalize_corporate_number, text) == "corporate_number.checksum"
    assert is_valid_corporate_number(text) is False


@pytest.mark.parametrize(
    "text", ["", "700001205000", "70000120500021", "T7000012050002", "7000O12050002"]
)
def test_corporate_number_format_errors(text):
    assert _code(normalize_corporate_number, text) == "corporate_number.format"


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_a_computed_corporate_check_digit_always_validates(base):
    number = f"{corporate_number_check_digit(base)}{base}"
    assert is_valid_corporate_number(number) is True


def test_corporate_number_messages():
    with override("ja"), pytest.raises(IdentifierError) as checksum:
        normalize_corporate_number("8000012050002")
    with override("ja"), pytest.raises(IdentifierError) as fmt:
        normalize_corporate_number("123")
    with override("en"), pytest.raises(IdentifierError) as checksum_en:
        normalize_corporate_number("8000012050002")
    assert checksum.value.message == "法人番号のチェックデジットが一致しません。"
    assert fmt.value.message == "法人番号は13桁の数字で入力してください。"
    assert checksum_en.value.message == "The corporate number check digit does not match."


# --- e-Rad researcher number -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("12345678", "12345678"),
        ("１２３４５６７８", "12345678"),
        (" 00012345 ", "00012345"),
        ("　１２３４５６７８　", "12345678"),  # ideographic spaces around it
        ("\u00a012345678\t", "12345678"),
    ],
)
def test_erad_researcher_number(text, canonical):
    assert normalize_erad_researcher_number(text) == canonical
    assert is_valid_erad_researcher_number(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1234567",
        "123456789",
        "1234-5678",
        "1234567a",
        "١٢٣٤٥٦٧٨",
        "１２３４　５６７８",
        "１２３４５６７",
    ],
)
def test_erad_researcher_number_format_errors(text):
    assert _code(normalize_erad_researcher_number, text) == "erad.format"
    assert is_valid_erad_researcher_number(text) is False


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_full_width_erad_number_normalizes_to_the_ascii_one(number):
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert normalize_erad_researcher_number(full_width) == number


def test_erad_messages():
    with override("ja"), pytest.raises(IdentifierError) as ja:
        normalize_erad_researcher_number("123")
    with override("en"), pytest.raises(IdentifierError) as en:
        normalize_erad_researcher_number("123")
    assert ja.value.message == "e-Radの研究者番号は8桁の数字で入力してください。"
    assert en.value.message == "Enter the e-Rad researcher number as 8 digits."


# --- ROR ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("057zh3y96", "https://ror.org/057zh3y96"),
        ("https://ror.org/057zh3y96", "https://ror.org/057zh3y96"),
        ("http://ror.org/02kpeqv85", "https://ror.org/02kpeqv85"),
        ("ror.org/05k6zg924", "https://ror.org/05k6zg924"),
        ("057ZH3Y96", "https://ror.org/057zh3y96"),
        (" https://ror.org/057zh3y96 ", "https://ror.org/057zh3y96"),
    ],
)
def test_ror_normalizes(text, canonical):
    assert normalize_ror(text) == canonical
    assert is_valid_ror(text) is True


def test_ror_checksum_of_known_ids():
    assert ror_checksum("057zh3y") == "96"
    assert ror_checksum("02kpeqv") == "85"


@pytest.mark.parametrize("text", ["057zh3y97", "057zh3y69", "02kpeqv58", "057zh3z96"])
def test_ror_checksum_errors(text):
    assert _code(normalize_ror, text) == "ror.checksum"
    assert is_valid_ror(text) is False


@pytest.mark.parametrize(
    "text",
    [
        "",
        "157zh3y96",
        "057zh3y9",
        "057zh3y966",
        "057zh3i96",
        "057zh3l96",
        "057zh3o96",
        "057zh3u96",
        "https://example.org/057zh3y96",
    ],
)
def test_ror_format_errors(text):
    assert _code(normalize_ror, text) == "ror.format"


@given(st.text(alphabet="0123456789abcdefghjkmnpqrstvwxyz", min_size=6, max_size=6))
def test_a_computed_ror_checksum_always_validates(body):
    ror_id = f"0{body}{ror_checksum('0' + body)}"
    assert normalize_ror(ror_id) == f"https://ror.org/{ror_id}"


def test_ror_messages():
    with override("ja"), pytest.raises(IdentifierError) as checksum:
        normalize_ror("057zh3y97")
    with override("en"), pytest.raises(IdentifierError) as fmt:
        normalize_ror("nope")
    assert checksum.value.message == "ROR IDのチェックサムが一致しません。"
    assert fmt.value.message == "Enter a ROR ID such as https://ror.org/057zh3y96."


# --- DOI ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("10.1000/xyz", "10.1000/xyz"),
        ("doi:10.1000/xyz", "10.1000/xyz"),
        ("DOI: 10.1000/xyz", "10.1000/xyz"),
        ("https://doi.org/10.1000/xyz", "10.1000/xyz"),
        ("http://dx.doi.org/10.1000/xyz", "10.1000/xyz"),
        ("HTTPS://DOI.ORG/10.1038/NPHYS1170", "10.1038/NPHYS1170"),
        ("10.1038/nphys1170", "10.1038/nphys1170"),
        (
            "10.1002/(SICI)1097-4636(199707)36:1<1::AID-JBM1>3.0.CO;2-T",
            "10.1002/(SICI)1097-4636(199707)36:1<1::AID-JBM1>3.0.CO;2-T",
        ),
        ("https://doi.org/10.1000.10/a%2Fb", "10.1000.10/a/b"),
        ("10.123456789/x", "10.123456789/x"),
    ],
)
def test_doi_normalizes(text, canonical):
    assert normalize_doi(text) == canonical
    assert is_valid_doi(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "",
        "10.1000",
        "10.1000/",
        "10.123/xyz",
        "10.1234567890/x",
        "11.1000/xyz",
        "10.1000/x y",
        "https://example.org/10.1000/xyz",
        "doi:",
    ],
)
def test_doi_format_errors(text):
    assert _code(normalize_doi, text) == "doi.format"
    assert is_valid_doi(text) is False


def test_doi_messages():
    with override("ja"), pytest.raises(IdentifierError) as ja:
        normalize_doi("x")
    with override("en"), pytest.raises(IdentifierError) as en:
        normalize_doi("x")
    assert (
        ja.value.message
        == "DOIの形式が正しくありません。10.1000/xyz123 のような形式で入力してください。"
    )
    assert en.value.message == "Enter a DOI such as 10.1000/xyz123."
