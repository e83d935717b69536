"""What changed between two versions of a disclosure."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from django.utils.translation import gettext as _

from openrd.integrity.rules.entries import Disclosure, Funding, Position

# ---------- Differences between versions ----------


@dataclass(frozen=True)
class Change:
    """One entry added, removed or changed between two versions.

    ``field_changes`` lists ``(field, old, new)`` for a changed entry only; an added
    or removed entry is described by ``label`` and the entry itself.
    """

    section: str  # "funding" or "position"
    key: str
    kind: str  # "added", "removed" or "changed"
    field_changes: tuple[tuple[str, Any, Any], ...]
    label: str


def entry_label(entry: Funding | Position) -> str:
    """A short name for an entry, never revealing what a non-disclosure agreement withholds."""
    if isinstance(entry, Funding):
        if entry.nda:
            return entry.funder or _("Funding under a non-disclosure agreement")
        return entry.title or entry.program or entry.funder
    parts = [entry.organisation, entry.title]
    return " — ".join(p for p in parts if p)


def _diff_section(
    section: str,
    old: tuple[Funding, ...] | tuple[Position, ...],
    new: tuple[Funding, ...] | tuple[Position, ...],
) -> list[Change]:
    old_by_key: dict[str, Funding | Position] = {e.key: e for e in old}
    new_keys = {e.key for e in new}
    changes = []
    for entry in new:
        before = old_by_key.get(entry.key)
        if before is None:
            changes.append(Change(section, entry.key, "added", (), entry_label(entry)))
            continue
        field_changes = tuple(
            (name, getattr(before, name), getattr(entry, name))
            for name in (f.name for f in fields(entry))
            if name != "key" and getattr(before, name) != getattr(entry, name)
        )
        if field_changes:
            changes.append(Change(section, entry.key, "changed", field_changes, entry_label(entry)))
    changes.extend(
        Change(section, e.key, "removed", (), entry_label(e)) for e in old if e.key not in new_keys
    )
    return changes


def diff_disclosures(old: Disclosure | None, new: Disclosure) -> list[Change]:
    """What changed from ``old`` to ``new``, matched by entry key: funding first, then
    positions; within each, in the new order, removed entries last."""
    old = old or Disclosure()
    return _diff_section("funding", old.fundings, new.fundings) + _diff_section(
        "position", old.positions, new.positions
    )
