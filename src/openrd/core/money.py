"""Yen amounts: always exact integers, never floats.

Budgets run to trillions of yen and a float cannot hold every yen of them, so
amounts are ``int`` throughout and text is converted with ``Decimal``.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, Inexact, localcontext

from django.utils.translation import gettext

# 1京円, far above any national budget, so a typo of extra zeros is caught.
MAX_YEN = 10**16

_MAN = 10**4
_OKU = 10**8
_JA_UNITS: tuple[tuple[str, int], ...] = (
    ("京", 10**16),
    ("兆", 10**12),
    ("億", _OKU),
    ("万", _MAN),
)
_EN_UNITS: tuple[tuple[str, int], ...] = (
    ("trillion", 10**12),
    ("billion", 10**9),
    ("million", 10**6),
)


class YenError(ValueError):
    """An amount that cannot be accepted; ``code`` is stable, ``message`` translated."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _ja_units(amount: int) -> str:
    # Only called with whole multiples of 1万, so nothing is left below 万.
    parts = []
    for unit, size in _JA_UNITS:
        count, amount = divmod(amount, size)
        if count:
            parts.append(f"{count:,}{unit}")
    return "".join(parts)


def _two_decimals(hundredths: int) -> str:
    return f".{hundredths:02d}".rstrip("0").rstrip(".")


def _format_ja(amount: int) -> str:
    if amount % _MAN or amount == 0:
        return f"{amount:,}円"
    above_oku, below_oku = divmod(amount, _OKU)
    oku = above_oku % _MAN
    if oku and below_oku and below_oku % (_OKU // 100) == 0:
        higher = _ja_units(amount - amount % (_MAN * _OKU))
        return f"{higher}{oku:,}{_two_decimals(below_oku // (_OKU // 100))}億円"
    return f"{_ja_units(amount)}円"


def _format_en(amount: int) -> str:
    for name, size in _EN_UNITS:
        if amount >= size and amount % (size // 100) == 0:
            whole, rest = divmod(amount, size)
            return f"¥{whole:,}{_two_decimals(rest // (size // 100))} {name}"
    return f"¥{amount:,}"


def format_yen(amount: int, lang: str) -> str:
    """Render an amount the way a Japanese government document or an English one would.

    Japanese: an amount that is not a whole number of 万 is written in full
    with commas, as in a contract ("12,345円", "106,620,000,001円"). Otherwise
    it is grouped by 京/兆/億/万 ("2兆5,000億円", "1,500万円", "1億50万円"), and
    when the part below 1億 is a whole number of 100万 (and there is a 億
    figure to attach it to) it becomes at most two decimals of 億, the usual
    budget style ("1.5億円", "1,066.2億円"). No value is ever rounded.

    English uses the largest of trillion/billion/million in which the amount
    needs at most two decimals ("¥106.62 billion", "¥2.5 trillion", "¥1,066.2
    billion" for 1兆662億円); when none fits, the full figure is given
    ("¥106,620,000,001").
    Amounts under ¥1 million are always written in full.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"yen amounts are int, not {type(amount).__name__}")
    sign = "-" if amount < 0 else ""
    magnitude = abs(amount)
    if lang.lower().startswith("en"):
        return sign + _format_en(magnitude)
    return sign + _format_ja(magnitude)


_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_AMOUNT_JA_RE = re.compile(
    rf"(?:(?P<京>{_NUMBER})京)?(?:(?P<兆>{_NUMBER})兆)?(?:(?P<億>{_NUMBER})億)?"
    rf"(?:(?P<万>{_NUMBER})万)?(?P<円>{_NUMBER})?円",
    re.ASCII,
)
_APPROXIMATE_PREFIXES = ("約", "およそ")
_NEGATIVE_SIGNS = ("-", "−", "▲", "△")


def parse_yen_ja(text: str) -> int:
    """Read an amount as written in Japanese documents: "1兆662億円", "約1,000億円", "１．５億円".

    Full-width digits and punctuation are accepted. "約" (about) is dropped: the
    written figure is returned. ▲ and △, the accounting marks for a negative
    figure, are read as minus. Raises ``ValueError`` if the text is not an
    amount or does not come to a whole number of yen.
    """
    normalized = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    for prefix in _APPROXIMATE_PREFIXES:
        normalized = normalized.removeprefix(prefix)
    negative = normalized.startswith(_NEGATIVE_SIGNS)
    if negative:
        normalized = normalized[1:]
    match = _AMOUNT_JA_RE.fullmatch(normalized)
    if match is None or not any(match.groupdict().values()):
        raise ValueError(
            gettext("“%(text)s” is not an amount in yen such as 1,000億円 or 12,345円.")
            % {"text": text}
        )
    sizes = dict(_JA_UNITS) | {"円": 1}
    # Trapping Inexact turns a figure too long for exact arithmetic into an
    # error instead of a silently rounded amount.
    with localcontext(prec=60) as context:
        context.traps[Inexact] = True
        try:
            total = sum(
                (
                    Decimal(value.replace(",", "")) * sizes[unit]
                    for unit, value in match.groupdict().items()
                    if value
                ),
                Decimal(0),
            )
        except Inexact as exc:
            raise ValueError(
                gettext("“%(text)s” is not an amount in yen such as 1,000億円 or 12,345円.")
                % {"text": text}
            ) from exc
    if total != total.to_integral_value():
        raise ValueError(
            gettext("“%(text)s” does not come to a whole number of yen.") % {"text": text}
        )
    return -int(total) if negative else int(total)


_PLAIN_YEN_RE = re.compile(r"(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?P<fraction>\.\d*)?", re.ASCII)
# After NFKC the full-width hyphen-minus is "-"; the minus sign U+2212, the dashes an
# IME offers and the accounting marks survive it, and each means a negative figure,
# never a separator to drop.
_MINUS_SIGNS = ("-", "−", "‐", "‑", "‒", "–", "—", "―", "ー", "▲", "△")


def fold_number(text: str) -> str:
    """A typed number in ASCII: full-width digits, commas, points and spaces (from a
    Japanese IME) folded by NFKC, surrounding spaces removed. Nothing is validated."""
    return unicodedata.normalize("NFKC", text).strip()


def _read_plain_yen(text: str) -> Decimal:
    # "１,２３４円", "¥1,234" and "▲1,000" are read like "1234" (the last as negative).
    folded = fold_number(text)
    negative = folded.startswith(_MINUS_SIGNS)
    if negative:
        folded = folded[1:].lstrip()
    folded = folded.removeprefix("¥").removesuffix("円").strip()
    if not negative and folded.startswith(_MINUS_SIGNS):  # "¥-1,000"
        negative, folded = True, folded[1:].lstrip()
    match = _PLAIN_YEN_RE.fullmatch(folded)
    if match is None:
        raise _yen_error("yen.not_a_number")
    if negative:
        raise _yen_error("yen.negative")
    if match.group("fraction") is not None:
        raise _yen_error("yen.fractional")
    return Decimal(match.group("whole").replace(",", ""))


def _yen_error(code: str) -> YenError:
    messages = {
        "yen.negative": gettext("The amount cannot be negative."),
        "yen.fractional": gettext("Enter the amount in whole yen."),
        "yen.not_a_number": gettext("Enter the amount in yen using digits, e.g. 1,000,000."),
        "yen.too_large": gettext("The amount cannot exceed ¥10,000 trillion."),
    }
    return YenError(code, messages[code])


def _exact_value(value: object) -> Decimal:
    if isinstance(value, bool):
        raise _yen_error("yen.not_a_number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal | float):
        exact = Decimal(value)
        if not exact.is_finite():
            raise _yen_error("yen.not_a_number")
        if exact < 0:
            raise _yen_error("yen.negative")
        if exact != exact.to_integral_value():
            raise _yen_error("yen.fractional")
        if isinstance(value, float):
            # Even a whole float has been through binary rounding somewhere.
            raise _yen_error("yen.not_a_number")
        return exact
    if isinstance(value, str):
        return _read_plain_yen(value)
    raise _yen_error("yen.not_a_number")


def validate_yen(value: object) -> int:
    """Accept an amount from a form or an API and return it as integer yen.

    Takes an ``int`` or a string of digits with optional thousands commas,
    half- or full-width ("1,234", "１，２３４"), optionally with "円" after or "¥"
    before; a whole ``Decimal`` is accepted too. Any minus sign (ASCII, U+2212,
    full-width, ▲/△) is refused as negative, never dropped. Raises ``YenError``
    with code "yen.negative", "yen.fractional", "yen.not_a_number" or
    "yen.too_large".
    """
    exact = _exact_value(value)
    if exact < 0:
        raise _yen_error("yen.negative")
    if exact > MAX_YEN:
        raise _yen_error("yen.too_large")
    return int(exact)
