"""Reading raw input into a disclosure and checking it, field by field."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from openrd.core.money import MAX_YEN, YenError, fold_number, validate_yen
from openrd.core.text_safety import first_invisible_character
from openrd.core.validators import country_code_message, is_country_code, normalize_country_code
from openrd.integrity.rules.entries import (
    FUNDING_STATUSES,
    POSITION_KINDS,
    Disclosure,
    Funding,
    Position,
)

MAX_TEXT = 300
MAX_ENTRIES = 200

_KEY_RE = re.compile(r"[0-9a-f]{32}")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE = {"on", "true", "1", "yes"}
_FALSE = {"", "off", "false", "0", "no"}


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
    return normalize_country_code(_text(value))


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
    # "３０", "30%" and "３０％" are what people type; a minus sign of any kind stays and
    # is refused by the range check or as not a number.
    text = fold_number(value).removesuffix("%").rstrip() if isinstance(value, str) else None
    if text == "" or value is None:
        raise _Invalid("integrity.effort_missing", _("Enter the effort in whole percent."))
    if text is not None and re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    raise _Invalid("integrity.not_whole_number", _("Enter a whole number."))


def _amount(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and fold_number(value) == "":
        return None  # an empty box, also one holding only a full-width space
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
    for name in text_fields:
        char = first_invisible_character(getattr(entry, name))
        if char is not None:
            # A bidi override or zero-width character makes a title read as something else.
            errors.append(
                FieldError(f"{prefix}.{name}", "text.invisible_character",
                           _("Remove the invisible or control character %(char)s: it can make "
                             "the text read differently from what it is.")
                           % {"char": f"U+{ord(char):04X}"})
            )  # fmt: skip
    if not is_country_code(entry.country):
        # An assigned ISO 3166-1 code: "ZZ" has the shape of one but names no country.
        errors.append(
            FieldError(f"{prefix}.country", "integrity.bad_country", country_code_message())
        )
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
