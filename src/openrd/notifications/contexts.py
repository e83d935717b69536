"""Notification contexts stored as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

_DATETIME_TAG = "__datetime__"


def encode(value: Any) -> Any:
    """Context as JSON: an aware datetime is kept as a tagged ISO string so that
    each recipient's e-mail can show it in their own language and era."""
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError("naive datetime in a notification context")
        return {_DATETIME_TAG: value.isoformat()}
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_DATETIME_TAG}:
            return datetime.fromisoformat(value[_DATETIME_TAG])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
