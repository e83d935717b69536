"""Pages for one's own disclosure: the form, the pledge and the history of versions.

The form names every input after its entry's key ("funding-<key>-title"), so rows
added in the browser need no numbering and stay matched to their entries across
versions; the order of the hidden "funding"/"position" inputs is the entry order.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from openrd.core.access import deny
from openrd.integrity.labels import (
    CHANGE_LABELS,
    FUNDING_LABELS,
    FUNDING_STATUS_CHOICES,
    POSITION_KIND_CHOICES,
    POSITION_LABELS,
    SECTION_LABELS,
    display_value,
    field_label,
)
from openrd.integrity.queries import history_with_changes, latest_disclosure
from openrd.integrity.rules import Change, Disclosure, Funding, Position, pledge_text
from openrd.integrity.services import pledge, save_disclosure

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
            }
            for spec in SPECS[self.section]
        ]

    def is_blank(self) -> bool:
        """A row added and left empty: dropped rather than refused."""
        return self.is_new and not any(
            self.values.get(spec.name)
            for spec in SPECS[self.section]
            if spec.kind in {"text", "date"} or spec.name in {"amount_yen", "effort_percent"}
        )

    def as_input(self) -> dict[str, Any]:
        return {"key": self.key, **self.values}


def _new_row(section: str) -> Row:
    return Row(section, uuid.uuid4().hex, dict(DEFAULTS[section]), is_new=True)


def _rows_from_version(section: str, entries: list[dict[str, Any]]) -> list[Row]:
    rows = []
    for entry in entries:
        values = {
            spec.name: entry.get(spec.name)
            if spec.kind == "check"
            else ("" if entry.get(spec.name) is None else str(entry.get(spec.name)))
            for spec in SPECS[section]
        }
        rows.append(Row(section, entry["key"], values))
    return rows


def _rows_from_post(post: QueryDict, section: str) -> list[Row]:
    keys: list[str] = []
    for key in post.getlist(section):
        # Keys come back from the browser: anything not shaped like ours is ignored.
        if _KEY_RE.fullmatch(key) and key not in keys:
            keys.append(key)
    rows = []
    for key in keys:
        prefix = f"{section}-{key}-"
        values = {
            spec.name: (prefix + spec.name) in post
            if spec.kind == "check"
            else post.get(prefix + spec.name, "")
            for spec in SPECS[section]
        }
        rows.append(
            Row(section, key, values, is_new=post.get(prefix + "new") == "1",
                removed=(prefix + "remove") in post)
        )  # fmt: skip
    return rows


def _attach_errors(
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


def _summary(rows: dict[str, list[Row]], section_errors: dict[str, list[str]]) -> list[Any]:
    out: list[dict[str, str]] = []
    for section in ("funding", "position"):
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


def _render_edit(
    request: HttpRequest,
    rows: dict[str, list[Row]],
    *,
    status: int = 200,
    section_errors: dict[str, list[str]] | None = None,
    other_errors: list[str] | None = None,
    pledge_errors: list[str] | None = None,
) -> HttpResponse:
    section_errors = section_errors or {"funding": [], "position": []}
    context = {
        "latest": latest_disclosure(request.user),
        "funding_rows": rows["funding"],
        "position_rows": rows["position"],
        "section_errors": section_errors,
        "summary": _summary(rows, section_errors),
        "other_errors": other_errors or [],
        "pledge_errors": pledge_errors or [],
        "pledge_text": pledge_text(),
    }
    return render(request, "integrity/edit.html", context, status=status)


def _own(request: HttpRequest) -> Any:
    user: Any = request.user
    if not user.has_perm("integrity.edit_own_disclosure", user):
        deny(request, what="disclosure")
    return user


def _saved_rows(person: Any) -> dict[str, list[Row]]:
    latest = latest_disclosure(person)
    if latest is None:
        return {"funding": [], "position": []}
    return {
        "funding": _rows_from_version("funding", latest.fundings),
        "position": _rows_from_version("position", latest.positions),
    }


@login_required
def edit(request: HttpRequest) -> HttpResponse:
    """The person's own disclosure as a form; on an error every typed value is shown back."""
    person = _own(request)
    if request.method != "POST":
        return _render_edit(request, _saved_rows(person))
    rows = {s: _rows_from_post(request.POST, s) for s in ("funding", "position")}
    added = request.POST.get("add")
    if added in rows:
        # Without JavaScript the "add" buttons submit the form: show one more row, save nothing.
        rows[added].append(_new_row(added))
        return _render_edit(request, rows)
    submitted = {s: [r for r in rows[s] if not r.removed and not r.is_blank()] for s in rows}
    try:
        version = save_disclosure(
            person,
            actor=person,
            fundings=[r.as_input() for r in submitted["funding"]],
            positions=[r.as_input() for r in submitted["position"]],
        )
    except ValidationError as exc:
        section_errors: dict[str, list[str]] = {"funding": [], "position": []}
        stray = _attach_errors(exc, submitted, section_errors)
        return _render_edit(
            request, rows, status=422, section_errors=section_errors, other_errors=stray
        )
    if version.pledged_at is None:
        messages.success(
            request,
            _("Version %(number)d of your disclosure has been saved. Please pledge it below.")
            % {"number": version.number},
        )
    else:
        messages.info(request, _("Nothing has changed since your last pledge."))
    return redirect("integrity:edit")


@login_required
@require_GET
def blank_row(request: HttpRequest, section: str) -> HttpResponse:
    """One empty entry, appended to the form by htmx."""
    _own(request)
    if section not in SPECS:
        raise Http404
    return render(request, "integrity/_entry.html", {"row": _new_row(section)})


@login_required
@require_POST
def pledge_view(request: HttpRequest) -> HttpResponse:
    person = _own(request)
    if request.POST.get("agree") != "on":
        errors = [_("Tick the box to make the pledge.")]
        return _render_edit(request, _saved_rows(person), status=422, pledge_errors=errors)
    try:
        pledge(person, actor=person)
    except ValidationError as exc:
        return _render_edit(request, _saved_rows(person), status=422, pledge_errors=exc.messages)
    messages.success(request, _("Your pledge has been recorded."))
    return redirect("integrity:edit")


def _entries_by_key(disclosure: Disclosure) -> dict[tuple[str, str], Funding | Position]:
    return {("funding", f.key): f for f in disclosure.fundings} | {
        ("position", p.key): p for p in disclosure.positions
    }


def _field_rows(
    change: Change, old: dict[tuple[str, str], Any], new: dict[tuple[str, str], Any]
) -> list[tuple[str, Any, Any]]:
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


def _change_view(
    change: Change, old: dict[tuple[str, str], Any], new: dict[tuple[str, str], Any]
) -> dict[str, Any]:
    badge = {"added": "success", "removed": "error", "changed": "warning"}[change.kind]
    return {
        "section": SECTION_LABELS[change.section],
        "kind": change.kind,
        "kind_label": CHANGE_LABELS[change.kind],
        "badge": badge,
        "label": change.label,
        "fields": [
            {
                "label": field_label(change.section, name),
                "old": None if before in (None, "") else display_value(name, before),
                "new": None if after in (None, "") else display_value(name, after),
            }
            for name, before, after in _field_rows(change, old, new)
        ],
    }


@login_required
def history(request: HttpRequest) -> HttpResponse:
    person = _own(request)
    items = history_with_changes(person)
    versions = []
    for index, (version, changes) in enumerate(items):
        previous = items[index + 1][0] if index + 1 < len(items) else None
        new = _entries_by_key(version.content)
        old = _entries_by_key(previous.content) if previous is not None else {}
        versions.append(
            {"version": version, "changes": [_change_view(c, old, new) for c in changes]}
        )
    return render(request, "integrity/history.html", {"versions": versions})
