"""Django field validators over the identifier and money checks.

Model and form fields get the same rules, codes and translated messages as
the rest of the system, so an API client and a form user see the same error.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError

from openrd.core.identifiers import (
    IdentifierError,
    normalize_corporate_number,
    normalize_doi,
    normalize_erad_researcher_number,
    normalize_orcid,
    normalize_ror,
)
from openrd.core.money import YenError, validate_yen


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
