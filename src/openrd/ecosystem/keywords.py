"""Keywords on challenges and company profiles: the same limits for both, since
matching compares them."""

from __future__ import annotations

import re
from typing import Any

MAX_KEYWORDS = 20
MAX_LENGTH = 40


def split_keywords(text: str) -> list[str]:
    """Keywords typed in one field, separated by commas (、 ， or ,) or new lines."""
    return [k.strip() for k in re.split(r"[,、，\n]", text) if k.strip()]


def valid_keywords(value: Any) -> list[str] | None:
    """The keywords trimmed, or None when they break the limits."""
    if not isinstance(value, list) or len(value) > MAX_KEYWORDS:
        return None
    if not all(isinstance(k, str) and 0 < len(k.strip()) <= MAX_LENGTH for k in value):
        return None
    return [k.strip() for k in value]
