from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils.translation import override

from openrd.core.fiscal import tokyo_datetime


def render(source, **context):
    # No {% load %}: the filters are installed as template builtins.
    return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ja", "1,066.2億円"), ("en", "¥106.62 billion"), ("en-us", "¥106.62 billion")],
)
def test_yen_filter_follows_the_active_language(lang, expected):
    with override(lang):
        assert render("{{ amount|yen }}", amount=106_620_000_000) == expected


def test_yen_filter_accepts_whole_decimals_from_the_database():
    with override("ja"):
        assert render("{{ amount|yen }}", amount=Decimal(150_000_000)) == "1.5億円"


@pytest.mark.parametrize("value", [None, "", "abc", 1.5, Decimal("1.5"), True])
def test_yen_filter_renders_unusable_values_as_empty(value):
    with override("ja"):
        assert render("{{ amount|yen }}", amount=value) == ""


def test_wareki_filter():
    with override("ja"):
        assert render("{{ d|wareki }}", d=date(2019, 5, 1)) == "令和元年5月1日"
    with override("en"):
        assert render("{{ d|wareki }}", d=date(2019, 4, 30)) == "30 April 2019 (Heisei 31)"


def test_wareki_filter_takes_the_tokyo_day_of_an_aware_datetime():
    late_utc = datetime(2019, 4, 30, 15, 0, tzinfo=UTC)  # 00:00 on 1 May in Tokyo
    with override("ja"):
        assert render("{{ d|wareki }}", d=late_utc) == "令和元年5月1日"


@pytest.mark.parametrize("value", [None, "2023-09-14", date(1800, 1, 1)])
def test_wareki_filter_renders_unusable_values_as_empty(value):
    with override("ja"):
        assert render("{{ d|wareki }}", d=value) == ""


def test_fiscal_year_filter():
    with override("ja"):
        assert render("{{ fy|fiscal_year }}", fy=2019) == "令和元年度（2019年度）"
    with override("en"):
        assert render("{{ fy|fiscal_year }}", fy=2023) == "FY2023 (Reiwa 5)"
    with override("ja"):
        assert render("{{ fy|fiscal_year }}", fy="2023") == ""


def test_tokyo_filter():
    deadline = tokyo_datetime(2023, 10, 25, 9, 30)
    with override("ja"):
        assert render("{{ dt|tokyo }}", dt=deadline) == "令和5年10月25日 09:30（日本時間）"
    with override("en"):
        assert render("{{ dt|tokyo }}", dt=deadline) == "25 October 2023 09:30 JST"


def test_tokyo_filter_refuses_naive_datetimes_quietly():
    naive = datetime(2023, 10, 25, 9, 30)
    with override("ja"):
        assert render("{{ dt|tokyo }}", dt=naive) == ""
