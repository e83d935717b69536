"""A disclosure's changes as people read them, the same on every page and in the API.

:func:`disclosure_changes` is the one rendering of a version's diff: plain dicts of
strings in the active language, with an empty value as "" (templates show it as
"(none)"), so no page or schema formats a date, an amount or a choice its own way.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

from openrd.integrity.labels import CHANGE_LABELS, SECTION_LABELS, display_value, field_label
from openrd.integrity.models import DisclosureVersion
from openrd.integrity.queries import history_with_previous, previous_version
from openrd.integrity.rules import Change, Disclosure, Funding, Position, diff_disclosures

Entries = dict[tuple[str, str], Funding | Position]


def format_value(name: str, value: Any) -> str:
    """A stored value of field ``name`` as a person reads it; "" when empty.

    Dates in the era calendar (Japanese) or spelled out (English), amounts in 万/億 or
    million/billion yen, yes/no for booleans, labels for status and kind codes.
    """
    if value is None or value == "":
        return ""
    return display_value(name, value)


def _entries_by_key(disclosure: Disclosure) -> Entries:
    return {("funding", f.key): f for f in disclosure.fundings} | {
        ("position", p.key): p for p in disclosure.positions
    }


def _field_triples(change: Change, old: Entries, new: Entries) -> list[tuple[str, Any, Any]]:
    """The fields to show: what changed, or every filled-in field of an entry that came or went,
    so the institution reads what was declared without opening the other version."""
    if change.kind == "changed":
        return list(change.field_changes)
    entry = (new if change.kind == "added" else old)[(change.section, change.key)]
    filled = [
        (f.name, getattr(entry, f.name))
        for f in dataclass_fields(entry)
        if f.name != "key" and getattr(entry, f.name) not in (None, "")
    ]
    if change.kind == "added":
        return [(name, None, value) for name, value in filled]
    return [(name, value, None) for name, value in filled]


def present_change(change: Change, old: Entries, new: Entries) -> dict[str, Any]:
    return {
        "section": change.section,
        "section_label": str(SECTION_LABELS[change.section]),
        "key": change.key,
        "kind": change.kind,
        "kind_label": str(CHANGE_LABELS[change.kind]),
        "label": change.label,
        "fields": [
            {
                "field": name,
                "label": field_label(change.section, name),
                "old": format_value(name, before),
                "new": format_value(name, after),
            }
            for name, before, after in _field_triples(change, old, new)
        ],
    }


def changes_between(
    previous: DisclosureVersion | None, version: DisclosureVersion
) -> list[dict[str, Any]]:
    """What changed from ``previous`` (None: nothing before) to ``version``, presented."""
    old_content = previous.content if previous is not None else None
    new_content = version.content
    old = _entries_by_key(old_content) if old_content is not None else {}
    new = _entries_by_key(new_content)
    return [present_change(c, old, new) for c in diff_disclosures(old_content, new_content)]


def disclosure_changes(version: DisclosureVersion) -> list[dict[str, Any]]:
    """The changes of ``version`` against the person's version before it.

    Each change: ``{"section": "funding"|"position", "section_label", "key",
    "kind": "added"|"removed"|"changed", "kind_label", "label", "fields": [{"field",
    "label", "old", "new"}]}``, every value a string; "" for an empty value.
    """
    return changes_between(previous_version(version), version)


def disclosure_history_changes(person: Any) -> list[dict[str, Any]]:
    """Each version of the person's disclosure, newest first, with its presented changes;
    ``renews``: the number of the version whose pledge it renews, else None (a
    renewal is the only version with the same content as the one before it)."""
    history = []
    for version, previous in history_with_previous(person):
        changes = changes_between(previous, version)
        same = previous is not None and previous.content.to_json() == version.content.to_json()
        renews = previous.number if previous is not None and same else None
        history.append({"version": version, "changes": changes, "renews": renews})
    return history
