from decimal import Decimal

import pytest
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from openrd.core.money import (
    MAX_YEN,
    YenError,
    fold_number,
    format_yen,
    parse_yen_ja,
    validate_yen,
)


@pytest.mark.parametrize(
    ("amount", "ja", "en"),
    [
        (100_000_000_000, "1,000億円", "¥100 billion"),
        (28_000_000_000, "280億円", "¥28 billion"),
        (10_000_000_000_000, "10兆円", "¥10 trillion"),
        (106_620_000_000, "1,066.2億円", "¥106.62 billion"),
        (2_500_000_000_000, "2兆5,000億円", "¥2.5 trillion"),
        (1_066_200_000_000, "1兆662億円", "¥1,066.2 billion"),
        (150_000_000, "1.5億円", "¥150 million"),
        (101_000_000, "1.01億円", "¥101 million"),
        (100_000_000, "1億円", "¥100 million"),
        (15_000_000, "1,500万円", "¥15 million"),
        (1_000_000, "100万円", "¥1 million"),
        (10_000, "1万円", "¥10,000"),
        (15_000, "15,000円", "¥15,000"),
        (0, "0円", "¥0"),
        (12_345, "12,345円", "¥12,345"),
        (MAX_YEN, "1京円", "¥10,000 trillion"),
    ],
)
def test_format_yen(amount, ja, en):
    assert format_yen(amount, "ja") == ja
    assert format_yen(amount, "en") == en


@pytest.mark.parametrize(
    ("amount", "ja", "en"),
    [
        # Not a whole number of 万: written in full, never rounded.
        (106_620_000_001, "106,620,000,001円", "¥106,620,000,001"),
        # Two decimals of 億 are not enough, so the units are spelled out.
        (100_500_000, "1億50万円", "¥100.5 million"),
        (106_625_000_000, "1,066.25億円", "¥106,625 million"),
        (106_625_500_000, "1,066億2,550万円", "¥106,625.5 million"),
        # No 億 figure to attach decimals to.
        (1_000_005_000_000, "1兆500万円", "¥1,000,005 million"),
        (2_500_150_000_000, "2兆5,001.5億円", "¥2,500.15 billion"),
        (1_234_567, "1,234,567円", "¥1,234,567"),
    ],
)
def test_format_yen_is_exact_when_a_short_form_would_round(amount, ja, en):
    assert format_yen(amount, "ja") == ja
    assert format_yen(amount, "en") == en


def test_format_yen_negative_amounts_keep_their_sign():
    assert format_yen(-150_000_000, "ja") == "-1.5億円"
    assert format_yen(-12_345, "en") == "-¥12,345"


@pytest.mark.parametrize("amount", [1.5, 100.0, Decimal(100), True, "100"])
def test_format_yen_refuses_anything_but_int(amount):
    with pytest.raises(TypeError):
        format_yen(amount, "ja")


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1,000億円", 100_000_000_000),
        ("280億円", 28_000_000_000),
        ("1.5億円", 150_000_000),
        ("10兆円", 10_000_000_000_000),
        ("1兆662億円", 1_066_200_000_000),
        ("2,060億円", 206_000_000_000),
        ("約1,000億円", 100_000_000_000),
        ("5,000万円", 50_000_000),
        ("12,345円", 12_345),
        ("１，０００億円", 100_000_000_000),
        ("１．５億円", 150_000_000),
        ("1,066億2,000万1円", 106_620_000_001),
        ("2.5兆円", 2_500_000_000_000),
        ("1京円", 10**16),
        ("10,000万円", 100_000_000),
        ("0円", 0),
        (" 280 億円 ", 28_000_000_000),
        ("▲5億円", -500_000_000),
        ("△1,000万円", -10_000_000),
    ],
)
def test_parse_yen_ja(text, amount):
    assert parse_yen_ja(text) == amount


@pytest.mark.parametrize(
    "text",
    [
        "",
        "円",
        "億円",
        "1,000億",
        "1,00億円",
        "1万2億円",
        "1.5",
        "abc",
        "¥1,000",
        "1億円円",
        "5千万円",
    ],
)
def test_parse_yen_ja_rejects_what_is_not_an_amount(text):
    with override("en"), pytest.raises(ValueError, match="is not an amount in yen"):
        parse_yen_ja(text)


def test_parse_yen_ja_rejects_fractions_of_a_yen():
    with override("en"), pytest.raises(ValueError, match="whole number of yen"):
        parse_yen_ja("1.5円")
    with override("ja"), pytest.raises(ValueError, match="1円未満の端数"):
        parse_yen_ja("0.000000001億円")


def test_parse_yen_ja_refuses_figures_too_long_to_be_exact():
    with override("en"), pytest.raises(ValueError, match="is not an amount in yen"):
        parse_yen_ja("1" * 70 + "京円")


def test_parse_yen_ja_message_is_translated():
    with override("ja"), pytest.raises(ValueError, match="金額として読み取れません"):
        parse_yen_ja("たくさん")


@given(st.integers(min_value=0, max_value=MAX_YEN // 10**6).map(lambda n: n * 10**6))
def test_japanese_format_parses_back_for_round_amounts(amount):
    assert parse_yen_ja(format_yen(amount, "ja")) == amount


@given(st.integers(min_value=-MAX_YEN, max_value=MAX_YEN))
def test_japanese_format_parses_back_for_any_amount(amount):
    assert parse_yen_ja(format_yen(amount, "ja")) == amount


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        (0, 0),
        (12_345, 12_345),
        ("12345", 12_345),
        ("1,000,000", 1_000_000),
        (" 1,000 ", 1_000),
        (Decimal(5000), 5000),
        (MAX_YEN, MAX_YEN),
        (str(MAX_YEN), MAX_YEN),
        # Full-width digits, commas and spaces from a Japanese IME read like ASCII.
        ("１２３", 123),
        ("１,２３４円", 1_234),
        ("１，２３４円", 1_234),
        ("　１，０００，０００　", 1_000_000),
        ("1,000 円", 1_000),
        ("5000円", 5_000),
        ("¥1,000", 1_000),
        ("￥１，０００", 1_000),
    ],
)
def test_validate_yen_accepts(value, amount):
    result = validate_yen(value)
    assert result == amount
    assert type(result) is int


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (-1, "yen.negative"),
        ("-1", "yen.negative"),
        (Decimal(-3), "yen.negative"),
        ("1.5", "yen.fractional"),
        ("100.0", "yen.fractional"),
        (1.5, "yen.fractional"),
        (Decimal("1.5"), "yen.fractional"),
        (100.0, "yen.not_a_number"),
        (True, "yen.not_a_number"),
        ("", "yen.not_a_number"),
        ("abc", "yen.not_a_number"),
        ("1,00", "yen.not_a_number"),
        ("١٢٣", "yen.not_a_number"),  # Arabic-Indic digits: NFKC leaves them, and so do we
        ("1 000", "yen.not_a_number"),
        ("１、０００", "yen.not_a_number"),
        ("円", "yen.not_a_number"),
        ("¥", "yen.not_a_number"),
        ("　", "yen.not_a_number"),
        ("1,000円円", "yen.not_a_number"),
        ("5−", "yen.not_a_number"),
        ("−5", "yen.negative"),  # U+2212 MINUS SIGN
        ("－5", "yen.negative"),  # FULLWIDTH HYPHEN-MINUS
        ("－１，０００円", "yen.negative"),
        ("‐5", "yen.negative"),  # U+2010 HYPHEN
        ("–5", "yen.negative"),  # EN DASH
        ("ー5", "yen.negative"),  # the katakana long mark an IME gives for "-"
        ("▲1,000", "yen.negative"),
        ("△1,000円", "yen.negative"),
        ("¥-1,000", "yen.negative"),
        ("-¥1,000", "yen.negative"),
        ("１．５", "yen.fractional"),
        ("1.5円", "yen.fractional"),
        ("１００００００００００００００００１", "yen.too_large"),
        ("1e3", "yen.not_a_number"),
        (None, "yen.not_a_number"),
        (Decimal("NaN"), "yen.not_a_number"),
        (float("inf"), "yen.not_a_number"),
        (MAX_YEN + 1, "yen.too_large"),
        (str(MAX_YEN + 1), "yen.too_large"),
    ],
)
def test_validate_yen_rejects(value, code):
    with pytest.raises(YenError) as caught:
        validate_yen(value)
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("value", "ja", "en"),
    [
        (-1, "金額に負の値は入力できません。", "The amount cannot be negative."),
        ("1.5", "金額は1円単位の整数で入力してください。", "Enter the amount in whole yen."),
        (
            "abc",
            "金額は数字で入力してください（例：1,000,000）。",
            "Enter the amount in yen using digits, e.g. 1,000,000.",
        ),
        (
            MAX_YEN + 1,
            "金額は1京円以下で入力してください。",
            "The amount cannot exceed ¥10,000 trillion.",
        ),
    ],
)
def test_validate_yen_messages_in_both_languages(value, ja, en):
    with override("ja"), pytest.raises(YenError) as caught_ja:
        validate_yen(value)
    with override("en"), pytest.raises(YenError) as caught_en:
        validate_yen(value)
    assert caught_ja.value.message == ja
    assert caught_en.value.message == en
    assert str(caught_en.value) == en


@given(st.integers(min_value=0, max_value=MAX_YEN))
def test_full_width_digits_read_like_ascii(amount):
    full_width = f"{amount:,}".translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    assert validate_yen(full_width) == validate_yen(f"{amount:,}") == amount
    assert validate_yen(full_width + "円") == amount


@given(st.integers(min_value=1, max_value=MAX_YEN), st.sampled_from(["-", "−", "－", "▲"]))
def test_any_minus_sign_is_refused_as_negative(amount, sign):
    with pytest.raises(YenError) as caught:
        validate_yen(f"{sign}{amount:,}")
    assert caught.value.code == "yen.negative"


@pytest.mark.parametrize(
    ("text", "folded"),
    [("１２３", "123"), ("　１，２３４　", "1,234"), ("－５", "-5"), ("−5", "−5"), ("", "")],
)
def test_fold_number(text, folded):
    assert fold_number(text) == folded
