"""Identifiers for researchers, organisations and outputs, checked and normalised.

Each ``normalize_*`` returns the one canonical spelling that is stored and
compared, or raises ``IdentifierError``. Input is what people paste: URLs,
full-width digits from a Japanese IME, stray hyphens and spaces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from urllib.parse import unquote

from django.utils.translation import gettext


class IdentifierError(ValueError):
    """An identifier that cannot be accepted; ``code`` is stable, ``message`` translated."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _fold(text: str) -> str:
    # NFKC turns full-width digits, letters and punctuation into ASCII.
    return unicodedata.normalize("NFKC", text).strip()


def _strip_url(url_re: re.Pattern[str], text: str) -> str:
    match = url_re.match(text)
    return text[match.end() :] if match else text


def _is_valid(normalize: Callable[[str], str], text: str) -> bool:
    try:
        normalize(text)
    except IdentifierError:
        return False
    return True


# --- ORCID iD (ISO 7064 MOD 11-2) -------------------------------------------

_ORCID_URL_RE = re.compile(r"(?:https?://)?(?:www\.)?orcid\.org/", re.IGNORECASE)
_ORCID_RE = re.compile(r"[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]|[0-9]{15}[0-9X]", re.ASCII)


def orcid_check_digit(base: str) -> str:
    """The check character for the first 15 digits of an ORCID iD ("0"–"9" or "X")."""
    total = 0
    for digit in base:
        total = (total + int(digit)) * 2
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


# Dashes that PDFs and word processors put where an ORCID iD has its hyphens; NFKC
# leaves them alone (it folds only the full-width hyphen-minus).
_DASHES_RE = re.compile(r"[‐‑‒–—―−]")


def normalize_orcid(text: str) -> str:
    """Canonical form: "https://orcid.org/0000-0002-1825-0097" -> "0000-0002-1825-0097"."""
    candidate = _DASHES_RE.sub("-", _strip_url(_ORCID_URL_RE, _fold(text))).upper()
    if not _ORCID_RE.fullmatch(candidate):
        raise IdentifierError(
            "orcid.format", gettext("Enter an ORCID iD in the form 0000-0000-0000-0000.")
        )
    digits = candidate.replace("-", "")
    if orcid_check_digit(digits[:15]) != digits[15]:
        raise IdentifierError(
            "orcid.checksum",
            gettext("The ORCID iD check digit does not match. Please check the number."),
        )
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def is_valid_orcid(text: str) -> bool:
    return _is_valid(normalize_orcid, text)


# --- 法人番号 (corporate number) ---------------------------------------------

_SEPARATORS_RE = re.compile(r"[\s\-‐‑‒–—―−ー]")
_CORPORATE_NUMBER_RE = re.compile(r"[0-9]{13}", re.ASCII)


def corporate_number_check_digit(base: str) -> int:
    """The leading check digit for a 12-digit base, as the National Tax Agency defines it.

    9 - (Σ Pn × Qn mod 9), where Pn is the n-th digit counted from the right of
    the base and Qn is 1 for odd n and 2 for even n.
    """
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base), 1))
    return 9 - total % 9


def normalize_corporate_number(text: str) -> str:
    """Canonical form: "７０００-０１２-０５０００２" -> "7000012050002"."""
    candidate = _SEPARATORS_RE.sub("", _fold(text))
    if not _CORPORATE_NUMBER_RE.fullmatch(candidate):
        raise IdentifierError(
            "corporate_number.format", gettext("Enter the corporate number as 13 digits.")
        )
    if corporate_number_check_digit(candidate[1:]) != int(candidate[0]):
        raise IdentifierError(
            "corporate_number.checksum",
            gettext("The corporate number check digit does not match."),
        )
    return candidate


def is_valid_corporate_number(text: str) -> bool:
    return _is_valid(normalize_corporate_number, text)


# --- e-Rad researcher number (研究者番号) -------------------------------------

_ERAD_RE = re.compile(r"[0-9]{8}", re.ASCII)


def normalize_erad_researcher_number(text: str) -> str:
    """Canonical form: "１２３４５６７８" -> "12345678"; there is no check digit.

    Store and look up numbers in this form, so a number typed with a Japanese IME
    finds the same researcher as one typed in ASCII.
    """
    candidate = _fold(text)
    if not _ERAD_RE.fullmatch(candidate):
        raise IdentifierError(
            "erad.format", gettext("Enter the e-Rad researcher number as 8 digits.")
        )
    return candidate


def is_valid_erad_researcher_number(text: str) -> bool:
    return _is_valid(normalize_erad_researcher_number, text)


# --- ROR ID (Crockford base32 + ISO 7064 MOD 97-10) -------------------------

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_ROR_URL_RE = re.compile(r"(?:https?://)?(?:www\.)?ror\.org/", re.IGNORECASE)
_ROR_RE = re.compile(r"0[0-9a-hjkmnp-tv-z]{6}[0-9]{2}", re.ASCII)


def ror_checksum(body: str) -> str:
    """The two checksum digits for the seven base32 characters that open a ROR ID."""
    value = 0
    for char in body:
        value = value * 32 + _CROCKFORD.index(char)
    return f"{98 - (value * 100) % 97:02d}"


def normalize_ror(text: str) -> str:
    """Canonical form: "057ZH3Y96" or "ror.org/057zh3y96" -> "https://ror.org/057zh3y96"."""
    candidate = _strip_url(_ROR_URL_RE, _fold(text)).lower()
    if not _ROR_RE.fullmatch(candidate):
        raise IdentifierError(
            "ror.format", gettext("Enter a ROR ID such as https://ror.org/057zh3y96.")
        )
    if ror_checksum(candidate[:7]) != candidate[7:]:
        raise IdentifierError("ror.checksum", gettext("The ROR ID checksum does not match."))
    return f"https://ror.org/{candidate}"


def is_valid_ror(text: str) -> bool:
    return _is_valid(normalize_ror, text)


# --- DOI ---------------------------------------------------------------------

_DOI_URL_RE = re.compile(r"(?:https?://)?(?:dx\.)?doi\.org/", re.IGNORECASE)
_DOI_SCHEME_RE = re.compile(r"doi:\s*", re.IGNORECASE)
_DOI_RE = re.compile(r"(?P<prefix>10\.[0-9]{4,9}(?:\.[0-9]+)*)/(?P<suffix>\S+)")


def normalize_doi(text: str) -> str:
    """Canonical form: "https://doi.org/10.1000/XYZ" or "doi:10.1000/XYZ" -> "10.1000/XYZ".

    DOIs are case-insensitive but the suffix keeps its case, as publishers
    print it; percent-escapes are undone only in the URL form, where they are
    URL syntax rather than part of the DOI.
    """
    candidate = text.strip()
    if url := _DOI_URL_RE.match(candidate):
        candidate = unquote(candidate[url.end() :])
    elif scheme := _DOI_SCHEME_RE.match(candidate):
        candidate = candidate[scheme.end() :]
    match = _DOI_RE.fullmatch(candidate)
    if match is None:
        raise IdentifierError("doi.format", gettext("Enter a DOI such as 10.1000/xyz123."))
    return f"{match.group('prefix').lower()}/{match.group('suffix')}"


def is_valid_doi(text: str) -> bool:
    return _is_valid(normalize_doi, text)
