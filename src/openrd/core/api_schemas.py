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
