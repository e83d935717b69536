"""Research-integrity disclosure as data: typed entries, their checks and their diff.

Pure: plain values in, field errors, ``Decision`` or changes out; no ORM. The
service turns raw input (an API body, a submitted form) into a ``Disclosure``
with :func:`parse_disclosure`, refuses it when :func:`validate_disclosure`
finds anything, and stores it with :meth:`Disclosure.to_json`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason
from openrd.core.money import MAX_YEN, YenError, validate_yen

# The e-Rad disclosure and the pledge both rest on this revision of the guideline.
GUIDELINE_SOURCE = "競争的研究費の適正な執行に関する指針（2021年12月17日改正）"
POLICY_SOURCE = (
    "研究活動の国際化、オープン化に伴う新たなリスクに対する研究インテグリティの確保に係る"
    "対応方針について（2021年4月27日）"
)
# Stored with each pledge, so a later change of wording never rewrites what was pledged.
PLEDGE_TEXT_VERSION = "2021-12-17"

FUNDING_STATUSES = ("current", "pending")
POSITION_KINDS = ("primary", "concurrent", "visiting", "advisory")
MAX_TEXT = 300
MAX_ENTRIES = 200

_KEY_RE = re.compile(r"[0-9a-f]{32}")
_COUNTRY_RE = re.compile(r"[A-Z]{2}")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE = {"on", "true", "1", "yes"}
_FALSE = {"", "off", "false", "0", "no"}


def pledge_text() -> str:
    """The pledge the person ticks, in the active language."""
    return _(
        "I pledge that I have properly reported the above information on my research "
        "funding, positions and other matters to my institution."
    )


@dataclass(frozen=True)
class Funding:
    """Research funding received or applied for, on this platform or outside it, in Japan
    or abroad. Under a non-disclosure agreement (``nda``) only the effort is given."""

    key: str
    status: str = "current"
    program: str = ""
    title: str = ""
    funder: str = ""
    country: str = "JP"
    start: date | None = None
    end: date | None = None
    amount_yen: int | None = None
    effort_percent: int = 0
    nda: bool = False
    on_platform: bool = False


@dataclass(frozen=True)
class Position:
    """A position held: the main one and every concurrent, visiting or advisory one,
    paid or unpaid, in Japan or abroad."""

    key: str
    organisation: str = ""
    country: str = "JP"
    title: str = ""
    kind: str = "primary"
    paid: bool = True
    start: date | None = None
    end: date | None = None


FUNDING_FIELDS = tuple(f.name for f in fields(Funding))
POSITION_FIELDS = tuple(f.name for f in fields(Position))
_DATE_FIELDS = {"start", "end"}


def _entry_to_json(entry: Funding | Position) -> dict[str, Any]:
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in asdict(entry).items()
    }


def _entry_from_json[E: (Funding, Position)](cls: type[E], data: dict[str, Any]) -> E:
    values: dict[str, Any] = {
        name: date.fromisoformat(value) if name in _DATE_FIELDS and value else value
        for name, value in data.items()
    }
    return cls(**values)


@dataclass(frozen=True)
class Disclosure:
    fundings: tuple[Funding, ...] = ()
    positions: tuple[Position, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Disclosure:
        """Read what :meth:`to_json` stored (already validated, so no checks here)."""
        return cls(
            fundings=tuple(_entry_from_json(Funding, f) for f in data.get("fundings", ())),
            positions=tuple(_entry_from_json(Position, p) for p in data.get("positions", ())),
        )

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "fundings": [_entry_to_json(f) for f in self.fundings],
            "positions": [_entry_to_json(p) for p in self.positions],
        }


@dataclass(frozen=True)
class FieldError:
    """One refusal, keyed by the field's path in the input, e.g. "fundings.0.effort_percent"."""

    field: str
    code: str
    message: str


# ---------- Reading raw input ----------


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Invalid("integrity.not_text", _("Enter text."))
    return value.strip()


def _country(value: Any) -> str:
    # Full-width and lower-case input ("ｕｓ") is what people type; store the ISO form.
    return unicodedata.normalize("NFKC", _text(value)).upper()


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else ""
    if _DATE_RE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise _Invalid("integrity.bad_date", _("Enter a real date as YYYY-MM-DD."))


def _effort(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else None
    if text == "" or value is None:
        raise _Invalid("integrity.effort_missing", _("Enter the effort in whole percent."))
    if text is not None and re.fullmatch(r"-?\d+", text):
        return int(text)
    raise _Invalid("integrity.not_whole_number", _("Enter a whole number."))


def _amount(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).strip()
        if value == "":
            return None
    try:
        return validate_yen(value)
    except YenError as exc:
        raise _Invalid(exc.code, exc.message) from exc


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False  # an unticked checkbox is simply absent from a form
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _Invalid("integrity.not_boolean", _("Enter true or false."))


_FUNDING_READERS = {
    "key": _text, "status": _text, "program": _text, "title": _text, "funder": _text,
    "country": _country, "start": _date, "end": _date, "amount_yen": _amount,
    "effort_percent": _effort, "nda": _flag, "on_platform": _flag,
}  # fmt: skip
_POSITION_READERS = {
    "key": _text, "organisation": _text, "country": _country, "title": _text, "kind": _text,
    "paid": _flag, "start": _date, "end": _date,
}  # fmt: skip


def _read_entries[E: (Funding, Position)](
    section: str, cls: type[E], readers: dict[str, Any], raw: Any, errors: list[FieldError]
) -> tuple[E, ...]:
    if not isinstance(raw, list | tuple):
        errors.append(FieldError(section, "integrity.not_a_list", _("Enter a list of entries.")))
        return ()
    if len(raw) > MAX_ENTRIES:
        errors.append(
            FieldError(
                section,
                "integrity.too_many_entries",
                _("Enter at most %(max)d entries.") % {"max": MAX_ENTRIES},
            )
        )
        return ()
    entries = []
    for index, item in enumerate(raw):
        prefix = f"{section}.{index}"
        if not isinstance(item, dict):
            errors.append(
                FieldError(prefix, "integrity.not_an_object", _("Each entry must be an object."))
            )
            continue
        values: dict[str, Any] = {}
        for name in sorted(set(item) - set(readers)):
            errors.append(
                FieldError(f"{prefix}.{name}", "integrity.unknown_field", _("Unknown field."))
            )
        for name, read in readers.items():
            if name not in item and name != "effort_percent":
                continue  # the dataclass default applies
            try:
                values[name] = read(item.get(name))
            except _Invalid as exc:
                errors.append(FieldError(f"{prefix}.{name}", exc.code, exc.message))
        entries.append(cls(**values))
    return tuple(entries)


def parse_disclosure(fundings: Any, positions: Any) -> tuple[Disclosure, list[FieldError]]:
    """Read raw entries (typed values or form strings) into a ``Disclosure``.

    A value that cannot be read is reported and replaced by the field's default,
    so :func:`validate_disclosure` can still check the rest of the entry and the
    person sees every problem at once.
    """
    errors: list[FieldError] = []
    disclosure = Disclosure(
        fundings=_read_entries("fundings", Funding, _FUNDING_READERS, fundings, errors),
        positions=_read_entries("positions", Position, _POSITION_READERS, positions, errors),
    )
    return disclosure, errors


# ---------- Checks ----------


def _check_key(prefix: str, key: str, seen: set[str], errors: list[FieldError]) -> None:
    if not _KEY_RE.fullmatch(key):
        errors.append(
            FieldError(f"{prefix}.key", "integrity.bad_key",
                       _("The entry key must be 32 lower-case hexadecimal characters."))
        )  # fmt: skip
    elif key in seen:
        errors.append(
            FieldError(f"{prefix}.key", "integrity.duplicate_key",
                       _("Two entries have the same key."))
        )  # fmt: skip
    seen.add(key)


def _check_common(
    prefix: str, entry: Funding | Position, text_fields: tuple[str, ...], errors: list[FieldError]
) -> None:
    for name in text_fields:
        if len(getattr(entry, name)) > MAX_TEXT:
            errors.append(
                FieldError(f"{prefix}.{name}", "integrity.too_long",
                           _("Enter at most %(max)s characters.") % {"max": MAX_TEXT})
            )  # fmt: skip
    if not _COUNTRY_RE.fullmatch(entry.country):
        errors.append(
            FieldError(f"{prefix}.country", "integrity.bad_country",
                       _("Enter the country as two capital letters (ISO 3166-1), e.g. JP or US."))
        )  # fmt: skip
    if entry.start is not None and entry.end is not None and entry.end < entry.start:
        errors.append(
            FieldError(f"{prefix}.end", "integrity.end_before_start",
                       _("The end date cannot be before the start date."))
        )  # fmt: skip


def _check_funding(prefix: str, f: Funding, errors: list[FieldError]) -> None:
    _check_common(prefix, f, ("program", "title", "funder"), errors)
    if f.status not in FUNDING_STATUSES:
        errors.append(
            FieldError(f"{prefix}.status", "integrity.bad_status",
                       _("Choose one of the allowed values."))
        )  # fmt: skip
    if isinstance(f.effort_percent, bool) or not isinstance(f.effort_percent, int):
        errors.append(
            FieldError(f"{prefix}.effort_percent", "integrity.not_whole_number",
                       _("Enter a whole number."))
        )  # fmt: skip
    elif not 0 <= f.effort_percent <= 100:
        errors.append(
            FieldError(f"{prefix}.effort_percent", "integrity.effort_out_of_range",
                       _("Enter an effort between 0 and 100 percent."))
        )  # fmt: skip
    if f.amount_yen is not None and f.amount_yen < 0:
        errors.append(
            FieldError(f"{prefix}.amount_yen", "yen.negative",
                       _("The amount cannot be negative."))
        )  # fmt: skip
    elif f.amount_yen is not None and f.amount_yen > MAX_YEN:
        errors.append(
            FieldError(f"{prefix}.amount_yen", "yen.too_large",
                       _("The amount cannot exceed ¥10,000 trillion."))
        )  # fmt: skip
    if f.nda:
        # The agreement forbids naming the research or its money; only the effort is given.
        if f.title:
            errors.append(
                FieldError(f"{prefix}.title", "integrity.nda_with_title",
                           _("Leave the title empty: under a non-disclosure agreement only the "
                             "effort is disclosed."))
            )  # fmt: skip
        if f.amount_yen is not None:
            errors.append(
                FieldError(f"{prefix}.amount_yen", "integrity.nda_with_amount",
                           _("Leave the amount empty: under a non-disclosure agreement only the "
                             "effort is disclosed."))
            )  # fmt: skip
    else:
        if not f.title:
            errors.append(
                FieldError(f"{prefix}.title", "integrity.title_missing",
                           _("Enter the title of the research."))
            )  # fmt: skip
        if not f.funder:
            errors.append(
                FieldError(f"{prefix}.funder", "integrity.funder_missing",
                           _("Enter the funder."))
            )  # fmt: skip


def _check_position(prefix: str, p: Position, errors: list[FieldError]) -> None:
    _check_common(prefix, p, ("organisation", "title"), errors)
    if not p.organisation:
        errors.append(
            FieldError(f"{prefix}.organisation", "integrity.organisation_missing",
                       _("Enter the organisation."))
        )  # fmt: skip
    if p.kind not in POSITION_KINDS:
        errors.append(
            FieldError(
                f"{prefix}.kind", "integrity.bad_kind", _("Choose one of the allowed values.")
            )
        )


def validate_disclosure(d: Disclosure) -> list[FieldError]:
    """Every problem of the disclosure, each keyed by its field path; empty when valid."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, funding in enumerate(d.fundings):
        prefix = f"fundings.{index}"
        _check_key(prefix, funding.key, seen, errors)
        _check_funding(prefix, funding, errors)
    seen = set()
    for index, position in enumerate(d.positions):
        prefix = f"positions.{index}"
        _check_key(prefix, position.key, seen, errors)
        _check_position(prefix, position, errors)
    total = sum(
        f.effort_percent
        for f in d.fundings
        if f.status == "current"
        and isinstance(f.effort_percent, int)
        and 0 <= f.effort_percent <= 100
    )
    if total > 100:
        # Effort is the share of one person's working time: current work cannot exceed all of it.
        errors.append(
            FieldError("fundings", "integrity.effort_over_100",
                       _("The effort of your current funding adds up to %(total)d%%; it cannot "
                         "exceed 100%%.") % {"total": total})
        )  # fmt: skip
    return errors


# ---------- Completeness before a submission ----------


@dataclass(frozen=True)
class DisclosureFacts:
    """What :func:`check_disclosure_complete` needs to know about a person's disclosure."""

    has_version: bool
    pledged: bool


def check_disclosure_complete(facts: DisclosureFacts) -> Decision:
    """A proposal may be submitted only with a disclosure whose latest version is pledged."""
    if not facts.has_version:
        return Decision.of(
            Reason(
                "integrity.disclosure_missing",
                _("Disclose your research funding and positions before submitting."),
                GUIDELINE_SOURCE,
            )
        )
    if not facts.pledged:
        return Decision.of(
            Reason(
                "integrity.pledge_missing",
                _(
                    "Pledge that your latest disclosure has been reported to your institution "
                    "before submitting."
                ),
                GUIDELINE_SOURCE,
            )
        )
    return Decision()


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
