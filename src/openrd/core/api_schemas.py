"""Error bodies every API router declares, so the OpenAPI document shows them."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str]
    field: str
    type: str
    msg: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


class ReasonOut(Schema):
    """One reason of a refusal: a stable code, a sentence in the user's language, its source."""

    code: str
    message: str
    source: str


class RefusalOut(Schema):
    """A rule refused the request: every reason at once. When the request itself was
    malformed (a path or body that does not parse) ``errors`` names the fields instead."""

    detail: str
    reasons: list[ReasonOut] = []
    errors: list[FieldErrorOut] = []


# What every operation that changes data may answer besides its own outcomes:
# 401 no valid credentials; 403 a read-only token (or a token where only a
# signed-in session may act); 404 nothing the caller may see; 413 a body over the
# size limit; 422 bad input, field by field.
WRITE_ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    413: ErrorOut,
    422: ValidationErrorOut,
}
