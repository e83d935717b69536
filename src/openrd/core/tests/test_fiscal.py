from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from openrd.core.fiscal import (
    TOKYO,
    Wareki,
    fiscal_year_bounds,
    fiscal_year_of,
    format_fiscal_year,
    format_tokyo_datetime,
    format_wareki_date,
    parse_wareki_fiscal_year,
    to_tokyo,
    tokyo_datetime,
    wareki,
)


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (date(2024, 3, 31), 2023),
        (date(2024, 4, 1), 2024),
        (date(2024, 12, 31), 2024),
        (date(2025, 1, 1), 2024),
    ],
)
def test_fiscal_year_turns_on_april_first(day, fy):
    assert fiscal_year_of(day) == fy


def test_fiscal_year_of_a_datetime_uses_its_date():
    assert fiscal_year_of(tokyo_datetime(2024, 3, 31, 23, 59)) == 2023


def test_fiscal_year_bounds():
    assert fiscal_year_bounds(2023) == (date(2023, 4, 1), date(2024, 3, 31))
    # Leap year: the last day is still 31 March, February is inside the year.
    assert fiscal_year_bounds(2027) == (date(2027, 4, 1), date(2028, 3, 31))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_every_date_lies_within_its_fiscal_year(day):
    start, end = fiscal_year_bounds(fiscal_year_of(day))
    assert start <= day <= end
    assert (end - start).days in (364, 365)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2019, 4, 30), Wareki("平成", "Heisei", 31)),
        (date(2019, 5, 1), Wareki("令和", "Reiwa", 1)),
        (date(1989, 1, 7), Wareki("昭和", "Showa", 64)),
        (date(1989, 1, 8), Wareki("平成", "Heisei", 1)),
        (date(1926, 12, 24), Wareki("大正", "Taisho", 15)),
        (date(1926, 12, 25), Wareki("昭和", "Showa", 1)),
        (date(1912, 7, 29), Wareki("明治", "Meiji", 45)),
        (date(1912, 7, 30), Wareki("大正", "Taisho", 1)),
        (date(1868, 10, 23), Wareki("明治", "Meiji", 1)),
        (date(2023, 9, 14), Wareki("令和", "Reiwa", 5)),
    ],
)
def test_era_boundaries(day, expected):
    assert wareki(day) == expected


def test_dates_before_meiji_are_refused():
    with pytest.raises(ValueError, match="before the Meiji era"):
        wareki(date(1868, 10, 22))


@pytest.mark.parametrize(
    ("day", "ja", "en"),
    [
        (date(2023, 9, 14), "令和5年9月14日", "14 September 2023 (Reiwa 5)"),
        (date(2019, 5, 1), "令和元年5月1日", "1 May 2019 (Reiwa 1)"),
        (date(2019, 4, 30), "平成31年4月30日", "30 April 2019 (Heisei 31)"),
        (date(1989, 1, 7), "昭和64年1月7日", "7 January 1989 (Showa 64)"),
        (date(1989, 1, 8), "平成元年1月8日", "8 January 1989 (Heisei 1)"),
    ],
)
def test_format_wareki_date(day, ja, en):
    assert format_wareki_date(day, "ja") == ja
    assert format_wareki_date(day, "en") == en
    assert format_wareki_date(day, "en-gb") == en


def test_a_moment_is_dated_by_the_tokyo_calendar():
    # 15:05 UTC on the last day of Heisei is already the first day of Reiwa in Tokyo.
    assert format_wareki_date(datetime(2019, 4, 30, 15, 5, tzinfo=UTC), "ja") == "令和元年5月1日"
    assert format_wareki_date(datetime(2019, 4, 30, 14, 59, tzinfo=UTC), "ja") == "平成31年4月30日"


@pytest.mark.parametrize(
    ("fy", "ja", "en"),
    [
        (2023, "令和5年度（2023年度）", "FY2023 (Reiwa 5)"),
        (2019, "令和元年度（2019年度）", "FY2019 (Reiwa 1)"),
        (2018, "平成30年度（2018年度）", "FY2018 (Heisei 30)"),
        (1989, "平成元年度（1989年度）", "FY1989 (Heisei 1)"),
        (1988, "昭和63年度（1988年度）", "FY1988 (Showa 63)"),
    ],
)
def test_fiscal_year_takes_the_era_in_force_on_31_december(fy, ja, en):
    assert format_fiscal_year(fy, "ja") == ja
    assert format_fiscal_year(fy, "en") == en


@pytest.mark.parametrize(
    ("text", "fy"),
    [
        ("令和5年度", 2023),
        ("令和元年度", 2019),
        ("令和1年度", 2019),
        ("R5年度", 2023),
        ("r5年度", 2023),
        ("Ｒ５年度", 2023),
        ("令和５年度", 2023),
        ("令和 5 年度", 2023),
        ("平成30年度", 2018),
        ("H30年度", 2018),
        ("㍻30年度", 2018),
        ("平成31年度", 2019),
        ("平成元年度", 1989),
        ("昭和63年度", 1988),
        ("  令和7年度 ", 2025),
    ],
)
def test_parse_wareki_fiscal_year(text, fy):
    assert parse_wareki_fiscal_year(text) == fy


@pytest.mark.parametrize(
    "text",
    [
        "2023年度",
        "令和5年",
        "令和年度",
        "令和0年度",
        "平成32年度",
        "大化5年度",
        "X5年度",
        "",
        "令和5年度末",
    ],
)
def test_parse_wareki_fiscal_year_rejects(text):
    with pytest.raises(ValueError):  # noqa: PT011 - the message is asserted below
        parse_wareki_fiscal_year(text)


def test_parse_wareki_fiscal_year_message_is_translated():
    with override("ja"), pytest.raises(ValueError, match="令和5年度の形式で入力してください"):
        parse_wareki_fiscal_year("2023年度")
    with override("en"), pytest.raises(ValueError, match="is not a fiscal year in the form"):
        parse_wareki_fiscal_year("2023年度")
    with override("ja"), pytest.raises(ValueError, match="平成32年は存在しません"):
        parse_wareki_fiscal_year("平成32年度")


@given(st.integers(min_value=1869, max_value=2200))
def test_formatted_fiscal_year_parses_back(fy):
    era_part = format_fiscal_year(fy, "ja").split("（")[0]
    assert parse_wareki_fiscal_year(era_part) == fy


def test_to_tokyo_converts_the_instant():
    utc = datetime(2023, 10, 25, 0, 30, tzinfo=UTC)
    local = to_tokyo(utc)
    assert local == utc
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2023, 10, 25, 9, 30)
    assert local.utcoffset() == timedelta(hours=9)


def test_to_tokyo_rejects_naive_datetimes():
    with pytest.raises(ValueError, match="naive"):
        to_tokyo(datetime(2023, 10, 25, 9, 30))


def test_tokyo_datetime():
    dt = tokyo_datetime(2023, 10, 25, 9, 30)
    assert dt.tzinfo is TOKYO
    assert dt == datetime(2023, 10, 25, 0, 30, tzinfo=UTC)
    assert tokyo_datetime(2024, 4, 1) == datetime(2024, 3, 31, 15, 0, tzinfo=UTC)


def test_format_tokyo_datetime():
    dt = datetime(2023, 10, 25, 0, 30, tzinfo=UTC)
    assert format_tokyo_datetime(dt, "ja") == "令和5年10月25日 09:30（日本時間）"
    assert format_tokyo_datetime(dt, "en") == "25 October 2023 09:30 JST"


def test_format_tokyo_datetime_uses_the_tokyo_calendar_day():
    # 20:00 UTC on 30 April is already 1 May, the first day of Reiwa, in Tokyo.
    dt = datetime(2019, 4, 30, 20, 0, tzinfo=UTC)
    assert format_tokyo_datetime(dt, "ja") == "令和元年5月1日 05:00（日本時間）"


def test_format_tokyo_datetime_keeps_nonzero_seconds():
    dt = tokyo_datetime(2024, 3, 31, 23, 59, 59)
    assert format_tokyo_datetime(dt, "ja") == "令和6年3月31日 23:59:59（日本時間）"
    assert format_tokyo_datetime(dt, "en") == "31 March 2024 23:59:59 JST"


def test_the_requested_fiscal_year_falls_back_to_the_current_one():
    from openrd.core.fiscal import requested_fiscal_year

    today = date(2026, 3, 31)  # still FY2025
    assert requested_fiscal_year("2024", today=today) == 2024
    assert requested_fiscal_year(None, today=today) == 2025
    assert requested_fiscal_year("", today=today) == 2025
    assert requested_fiscal_year("令和6", today=today) == 2025
    assert requested_fiscal_year("1800", today=today) == 2025
