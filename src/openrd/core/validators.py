"""Django field validators over the identifier and money checks.

Model and form fields get the same rules, codes and translated messages as
the rest of the system, so an API client and a form user see the same error.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from openrd.core.identifiers import (
    IdentifierError,
    normalize_corporate_number,
    normalize_doi,
    normalize_erad_researcher_number,
    normalize_orcid,
    normalize_ror,
)
from openrd.core.money import YenError, validate_yen
from openrd.core.text_safety import first_invisible_character


def _check(normalize: Callable[[str], str], value: object) -> None:
    # Integer-typed fields hand over ints; the rules are about the written form.
    try:
        normalize(str(value))
    except IdentifierError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc


def validate_orcid(value: object) -> None:
    _check(normalize_orcid, value)


def validate_corporate_number(value: object) -> None:
    _check(normalize_corporate_number, value)


def validate_erad_researcher_number(value: object) -> None:
    _check(normalize_erad_researcher_number, value)


def validate_ror(value: object) -> None:
    _check(normalize_ror, value)


def validate_doi(value: object) -> None:
    _check(normalize_doi, value)


def validate_yen_amount(value: object) -> None:
    try:
        validate_yen(value)
    except YenError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


def normalize_country_code(value: str) -> str:
    """The ISO form of what people type: full-width or lower case ("ｊｐ", "jp") becomes "JP"."""
    return unicodedata.normalize("NFKC", value).strip().upper()


def is_country_code(value: str) -> bool:
    """An assigned ISO 3166-1 alpha-2 code, in its stored (upper-case) form."""
    return value in _country_codes()


def country_code_message() -> str:
    return gettext("Enter an ISO 3166-1 country code of two letters, e.g. JP or US.")


def validate_country_code(value: object) -> None:
    # "ZZ" and "jp" look like codes but name no country (or not in stored form).
    if not isinstance(value, str) or not is_country_code(value):
        raise ValidationError(country_code_message(), code="country.unknown")


def validate_plain_text(value: object) -> None:
    """Refuse bidi overrides, zero-width and control characters in a name or title."""
    char = first_invisible_character(str(value))
    if char is not None:
        raise ValidationError(
            gettext(
                "Remove the invisible or control character %(char)s: it can make the text "
                "read differently from what it is."
            ),
            code="text.invisible_character",
            params={"char": f"U+{ord(char):04X}"},
        )
