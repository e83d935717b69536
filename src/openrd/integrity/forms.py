"""The disclosure form: its rows, what was typed into them and what is wrong with them.

The form names every input after its entry's key ("funding-<key>-title"), so rows
added in the browser need no numbering and stay matched to their entries across
versions; the order of the hidden "funding"/"position" inputs is the entry order.

A date input submits an empty value for what the browser cannot read (30 February,
a half-typed date), which looks exactly like a date deliberately left empty. So an
empty date never clears a saved one by itself: the page's script marks an unreadable
date ("<input name>-bad") and the server refuses it, and without the script a saved
date is removed only when its "Remove this date" box ("<input name>-clear") is ticked.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openrd.integrity.labels import (
    FUNDING_LABELS,
    FUNDING_STATUS_CHOICES,
    POSITION_KIND_CHOICES,
    POSITION_LABELS,
    SECTION_LABELS,
)
from openrd.integrity.models import DisclosureVersion
from openrd.integrity.presenters import format_value

_KEY_RE = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # "text", "short", "date", "check" or "select"
    choices: list[tuple[str, Any]] = field(default_factory=list)
    help: Promise | None = None
    required: bool = False


FUNDING_SPECS = [
    FieldSpec("status", "select", FUNDING_STATUS_CHOICES),
    FieldSpec("program", "text"),
    FieldSpec("title", "text",
              help=gettext_lazy("Leave empty under a non-disclosure agreement.")),
    FieldSpec("funder", "text",
              help=gettext_lazy("Including private companies and foreign funders.")),
    FieldSpec("country", "short", help=gettext_lazy("Two letters, e.g. JP, US.")),
    FieldSpec("start", "date"),
    FieldSpec("end", "date"),
    FieldSpec("amount_yen", "short",
              help=gettext_lazy("Whole yen. Leave empty under a non-disclosure agreement.")),
    FieldSpec("effort_percent", "short", help=gettext_lazy("Whole percent, 0 to 100."),
              required=True),
    FieldSpec("nda", "check", help=gettext_lazy(
        "Only the effort is disclosed; the title and amount are withheld.")),
    FieldSpec("on_platform", "check"),
]  # fmt: skip
POSITION_SPECS = [
    FieldSpec("organisation", "text", required=True),
    FieldSpec("country", "short", help=gettext_lazy("Two letters, e.g. JP, US.")),
    FieldSpec("title", "text"),
    FieldSpec("kind", "select", POSITION_KIND_CHOICES),
    FieldSpec("paid", "check"),
    FieldSpec("start", "date"),
    FieldSpec("end", "date"),
]
SPECS = {"funding": FUNDING_SPECS, "position": POSITION_SPECS}
SECTIONS = tuple(SPECS)
LABELS = {"funding": FUNDING_LABELS, "position": POSITION_LABELS}
# The service's error keys ("fundings.0.title") name the sections in the plural.
PLURAL = {"funding": "fundings", "position": "positions"}
DEFAULTS = {
    "funding": {"status": "current", "country": "JP", "nda": False, "on_platform": False},
    "position": {"country": "JP", "kind": "concurrent", "paid": True},
}


@dataclass
class Row:
    """One entry of the form, with what was typed and what is wrong with it."""

    section: str
    key: str
    values: dict[str, Any]
    is_new: bool = False
    removed: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)
    general_errors: list[str] = field(default_factory=list)
    # The entry's dates as saved in the latest version (ISO text), by field name.
    saved_dates: dict[str, str] = field(default_factory=dict)
    # Dates the browser could not read (marked by the page's script).
    unreadable_dates: set[str] = field(default_factory=set)
    # Saved dates the person asked to remove.
    cleared_dates: set[str] = field(default_factory=set)

    @property
    def prefix(self) -> str:
        return f"{self.section}-{self.key}"

    @property
    def legend(self) -> str:
        v = self.values
        if self.section == "funding":
            return v.get("title") or v.get("program") or v.get("funder") or _("New funding entry")
        return v.get("organisation") or _("New position")

    @property
    def fields(self) -> list[dict[str, Any]]:
        return [
            {
                "name": spec.name,
                "kind": spec.kind,
                "label": LABELS[self.section][spec.name],
                "id": f"{self.prefix}-{spec.name}",
                "html_name": f"{self.prefix}-{spec.name}",
                "value": self.values.get(spec.name, ""),
                "errors": self.errors.get(spec.name, []),
                "choices": spec.choices,
                "help": spec.help,
                "required": spec.required,
                "saved": self.saved_dates.get(spec.name, ""),
                "cleared": spec.name in self.cleared_dates,
                "describedby": _described_by(
                    f"{self.prefix}-{spec.name}", spec.help, self.errors.get(spec.name)
                ),
            }
            for spec in SPECS[self.section]
        ]

    def is_blank(self) -> bool:
        """A row added and left empty: dropped rather than refused."""
        return (
            self.is_new
            and not self.unreadable_dates
            and not any(
                self.values.get(spec.name)
                for spec in SPECS[self.section]
                if spec.kind in {"text", "date"} or spec.name in {"amount_yen", "effort_percent"}
            )
        )

    def as_input(self) -> dict[str, Any]:
        return {"key": self.key, **self.values}


def _described_by(field_id: str, help: Promise | None, errors: list[str] | None) -> str:
    # The ids of the help and error elements the template renders for this field.
    ids = ([f"{field_id}-help"] if help else []) + ([f"{field_id}-error"] if errors else [])
    return " ".join(ids)


def new_row(section: str) -> Row:
    return Row(section, uuid.uuid4().hex, dict(DEFAULTS[section]), is_new=True)


def _date_specs(section: str) -> list[FieldSpec]:
    return [spec for spec in SPECS[section] if spec.kind == "date"]


def _rows_from_entries(section: str, entries: list[dict[str, Any]]) -> list[Row]:
    rows = []
    for entry in entries:
        values = {
            spec.name: entry.get(spec.name)
            if spec.kind == "check"
            else ("" if entry.get(spec.name) is None else str(entry.get(spec.name)))
            for spec in SPECS[section]
        }
        dates = [spec.name for spec in _date_specs(section)]
        saved = {name: str(values[name]) for name in dates if values[name]}
        rows.append(Row(section, entry["key"], values, saved_dates=saved))
    return rows


def rows_from_version(version: DisclosureVersion | None) -> dict[str, list[Row]]:
    """The saved disclosure as form rows (none before the first save)."""
    if version is None:
        return {section: [] for section in SECTIONS}
    return {
        "funding": _rows_from_entries("funding", version.fundings),
        "position": _rows_from_entries("position", version.positions),
    }


def rows_from_post(post: QueryDict, latest: DisclosureVersion | None) -> dict[str, list[Row]]:
    """The rows as typed; each knows its dates as saved in ``latest``, read from the
    database rather than from the page, so the comparison cannot be forged or stale."""
    return {section: _section_from_post(post, section, latest) for section in SECTIONS}


def _section_from_post(
    post: QueryDict, section: str, latest: DisclosureVersion | None
) -> list[Row]:
    keys: list[str] = []
    for key in post.getlist(section):
        # Keys come back from the browser: anything not shaped like ours is ignored.
        if _KEY_RE.fullmatch(key) and key not in keys:
            keys.append(key)
    saved = {row.key: row.saved_dates for row in rows_from_version(latest)[section]}
    rows = []
    for key in keys:
        prefix = f"{section}-{key}-"
        values = {
            spec.name: (prefix + spec.name) in post
            if spec.kind == "check"
            else post.get(prefix + spec.name, "")
            for spec in SPECS[section]
        }
        dates = [spec.name for spec in _date_specs(section)]
        rows.append(
            Row(section, key, values, is_new=post.get(prefix + "new") == "1",
                removed=(prefix + "remove") in post,
                saved_dates=saved.get(key, {}),
                unreadable_dates={n for n in dates if post.get(f"{prefix}{n}-bad") == "1"},
                cleared_dates={n for n in dates if f"{prefix}{n}-clear" in post})
        )  # fmt: skip
    return rows


def refuse_dates_not_received(rows: list[Row]) -> bool:
    """Put an error on every date the server did not receive; True when there was one.

    An unreadable date is refused whatever was saved before. An empty date where one
    is saved is refused unless its removal was asked for, because without the page's
    script an unreadable date arrives exactly like that.
    """
    refused = False
    for row in rows:
        for name in (spec.name for spec in _date_specs(row.section)):
            typed = str(row.values.get(name) or "").strip()
            saved = row.saved_dates.get(name, "")
            if name in row.unreadable_dates:
                message = _("Enter a real date.")
            elif not typed and saved and name not in row.cleared_dates:
                message = _(
                    "No date was received, so the saved date (%(date)s) is kept. Enter the "
                    "date, or tick “Remove this date” to remove it."
                ) % {"date": format_value(name, date.fromisoformat(saved))}
            else:
                continue
            row.errors.setdefault(name, []).append(message)
            refused = True
    return refused


def attach_errors(
    exc: ValidationError, submitted: dict[str, list[Row]], section_errors: dict[str, list[str]]
) -> list[str]:
    """Put each service error on its row and field; returns errors that belong nowhere."""
    stray: list[str] = []
    plural_to_section = {v: k for k, v in PLURAL.items()}
    for path, msgs in exc.message_dict.items():
        parts = path.split(".")
        section = plural_to_section.get(parts[0])
        if section is None:
            stray.extend(msgs)
            continue
        if len(parts) == 1:
            section_errors[section].extend(msgs)
            continue
        rows = submitted[section]
        index = int(parts[1]) if parts[1].isdigit() else -1
        if not 0 <= index < len(rows):
            section_errors[section].extend(msgs)
            continue
        row = rows[index]
        if len(parts) == 3 and parts[2] in LABELS[section]:
            row.errors.setdefault(parts[2], []).extend(msgs)
        else:
            row.general_errors.extend(msgs)
    return stray


def error_summary(
    rows: dict[str, list[Row]], section_errors: dict[str, list[str]]
) -> list[dict[str, str]]:
    """Every error, each linking to the input (or the row, or the section) it is about."""
    out: list[dict[str, str]] = []
    for section in SECTIONS:
        for msg in section_errors[section]:
            out.append({"anchor": f"{section}-rows", "label": str(SECTION_LABELS[section]),
                        "msg": msg})  # fmt: skip
        for row in rows[section]:
            for msg in row.general_errors:
                out.append({"anchor": row.prefix, "label": row.legend, "msg": msg})
            for f in row.fields:
                for msg in f["errors"]:
                    out.append({"anchor": f["id"], "label": f"{row.legend} › {f['label']}",
                                "msg": msg})  # fmt: skip
    return out
