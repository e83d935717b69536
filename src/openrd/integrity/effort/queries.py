"""Reads of the effort ledger."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from openrd.integrity.rules.effort import EffortFacts


def effort_facts(
    person: Any,
    *,
    adding_percent: int | None,
    adding_label: str = "",
    exclude_keys: Collection[str] = (),
) -> EffortFacts | None:
    """The person's ledger with ``adding_percent`` about to be added (None: nothing to check)."""
    return None
