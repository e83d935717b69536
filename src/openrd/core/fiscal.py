"""Japanese fiscal years, era (wareki) dates and Tokyo deadlines.

The national fiscal year runs from 1 April to 31 March and is named after the
calendar year in which it starts. Official documents write dates in the
Japanese era calendar, so everything shown to applicants can be rendered both
ways. ``lang`` arguments follow Django language codes: anything starting with
"en" is English, everything else Japanese.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

TOKYO = ZoneInfo("Asia/Tokyo")

_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Era:
    ja: str
    en: str
    start: date
    abbreviation: str


# Newest first, so the first era whose start is not after a date is its era.
# Meiji is counted from its Gregorian proclamation date; dates before the 1873
# calendar reform are rendered proleptically, which is all a funding system needs.
ERAS: tuple[Era, ...] = (
    Era("令和", "Reiwa", date(2019, 5, 1), "R"),
    Era("平成", "Heisei", date(1989, 1, 8), "H"),
    Era("昭和", "Showa", date(1926, 12, 25), "S"),
    Era("大正", "Taisho", date(1912, 7, 30), "T"),
    Era("明治", "Meiji", date(1868, 10, 23), "M"),
)


def _is_en(lang: str) -> bool:
    return lang.lower().startswith("en")


@dataclass(frozen=True)
class Wareki:
    era_ja: str
    era_en: str
    year: int

    @property
    def ja(self) -> str:
        """E.g. "令和5年"; the first year of an era is written 元年 by convention."""
        return f"{self.era_ja}{'元' if self.year == 1 else self.year}年"

    @property
    def en(self) -> str:
        return f"{self.era_en} {self.year}"


def _era_of(d: date) -> Era:
    for era in ERAS:
        if d >= era.start:
            return era
    raise ValueError(f"{d.isoformat()} is before the Meiji era")


def wareki(d: date) -> Wareki:
    if isinstance(d, datetime):
        d = d.date()
    era = _era_of(d)
    return Wareki(era.ja, era.en, d.year - era.start.year + 1)


def fiscal_year_of(d: date) -> int:
    if isinstance(d, datetime):
        d = d.date()
    return d.year if d.month >= 4 else d.year - 1


def requested_fiscal_year(value: str | None, *, today: date) -> int:
    """The fiscal year a page was asked for (``?fy=2024``), or the current one
    when none, not a number, or outside 1990–2100."""
    current = fiscal_year_of(today)
    try:
        year = int(value) if value else current
    except ValueError:
        return current
    return year if 1990 <= year <= 2100 else current


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    """First and last day of fiscal year ``fy``, both inclusive."""
    return date(fy, 4, 1), date(fy + 1, 3, 31)


def fiscal_year_wareki(fy: int) -> Wareki:
    # A fiscal year takes the era in force on 31 December of its starting year,
    # which is why FY2019 is 令和元年度 although April 2019 was still Heisei.
    return wareki(date(fy, 12, 31))


def _gregorian_en(d: date) -> str:
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def format_wareki_date(d: date, lang: str) -> str:
    """ja "令和5年9月14日"; en "14 September 2023 (Reiwa 5)". A moment is dated
    by the Tokyo calendar: 2026-12-01 15:05 UTC is 令和8年12月2日."""
    if isinstance(d, datetime):
        d = (d.astimezone(TOKYO) if d.tzinfo is not None else d).date()
    w = wareki(d)
    if _is_en(lang):
        return f"{_gregorian_en(d)} ({w.en})"
    return f"{w.ja}{d.month}月{d.day}日"


def format_fiscal_year(fy: int, lang: str) -> str:
    """ja "令和5年度（2023年度）"; en "FY2023 (Reiwa 5)"."""
    w = fiscal_year_wareki(fy)
    if _is_en(lang):
        return f"FY{fy} ({w.en})"
    return f"{w.ja}度（{fy}年度）"


_ERA_BY_NAME: dict[str, Era] = {era.ja: era for era in ERAS} | {
    era.abbreviation: era for era in ERAS
}
_FISCAL_YEAR_RE = re.compile(r"(?P<era>[^\d\s元]+)\s*(?P<year>\d+|元)\s*年度", re.ASCII)


def parse_wareki_fiscal_year(text: str) -> int:
    """Read "令和5年度", "令和元年度", "R5年度", "㍻30年度" or "平成３０年度" as a fiscal year.

    An era year is accepted whenever its calendar year overlaps the era, so
    "平成31年度" (as FY2019 budgets were titled before the new era was named)
    reads as 2019 just like "令和元年度"; "平成32年度" never existed and is refused.
    """
    # NFKC folds full-width digits and letters and the one-character era
    # ligatures (㍻, ㋿) into their plain spellings.
    normalized = unicodedata.normalize("NFKC", text).strip()
    match = _FISCAL_YEAR_RE.fullmatch(normalized)
    era = _ERA_BY_NAME.get(match.group("era").upper()) if match else None
    if match is None or era is None:
        raise ValueError(
            gettext("“%(text)s” is not a fiscal year in the form 令和5年度.") % {"text": text}
        )
    raw_year = match.group("year")
    era_year = 1 if raw_year == "元" else int(raw_year)
    fy = era.start.year + era_year - 1
    successor = next((e for e in reversed(ERAS) if e.start > era.start), None)
    last_year = successor.start.year if successor else None
    if era_year < 1 or (last_year is not None and fy > last_year):
        raise ValueError(
            gettext("The %(era)s era has no year %(year)s.") % {"era": era.ja, "year": era_year}
        )
    return fy


def to_tokyo(dt: datetime) -> datetime:
    """The same instant on Tokyo wall-clock time.

    A naive datetime is refused: guessing its zone is how a deadline silently
    moves by nine hours.
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("naive datetime has no time zone; make it aware first")
    return dt.astimezone(TOKYO)


def tokyo_datetime(
    year: int, month: int, day: int, hh: int = 0, mm: int = 0, ss: int = 0
) -> datetime:
    return datetime(year, month, day, hh, mm, ss, tzinfo=TOKYO)


def format_tokyo_datetime(dt: datetime, lang: str) -> str:
    """ja "令和5年10月25日 09:30（日本時間）"; en "25 October 2023 09:30 JST".

    Seconds are shown only when non-zero, so a 23:59:59 deadline is never
    displayed as 23:59.
    """
    local = to_tokyo(dt)
    clock = local.strftime("%H:%M:%S" if local.second else "%H:%M")
    if _is_en(lang):
        return f"{_gregorian_en(local.date())} {clock} {local.tzname()}"
    return f"{format_wareki_date(local.date(), 'ja')} {clock}（日本時間）"
