"""Field types shared by API schemas, validated by the kernel's own rules."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

from openrd.core.money import validate_yen


def _yen(value: object) -> int:
    # validate_yen raises YenError (a ValueError) with a translated message,
    # which pydantic reports as a field-level "value_error".
    return validate_yen(value)


Yen = Annotated[
    int,
    BeforeValidator(_yen),
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": 0,
            "maximum": 10**16,
            "description": "Amount in whole yen (integer, not negative).",
        }
    ),
]
