"""The immediate-open-access policy as data: ``data/oa_policy.toml``, read once.

The policy's clauses, the programs it covers and the reasons a researcher may
report are data so that curators can extend them (a new program, a new reason)
without touching the rules that read them.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext as _

from openrd.core.i18n import localized

POLICY_PATH = Path(__file__).resolve().parent.parent / "data" / "oa_policy.toml"

# The clauses the rules cite by code: the file must define each of them.
REQUIRED_CLAUSES = frozenset(
    {
        "new_calls_from_fy2025",
        "green_oa_accepted_manuscript",
        "gold_oa_apc_support",
        "covered_programs",
        "covered_outputs",
        "no_embargo",
        "exception_report",
    }
)
# The operating setting in a program's rules that overrides the list of covered programs.
OVERRIDE_KEY = "oa_mandate"

_POLICY_KEYS = {
    "name_ja", "name_en", "decided_on", "revised_on", "first_fiscal_year",
    "deposit_grace_days", "grace_setting_ja", "grace_setting_en",
}  # fmt: skip
_CLAUSE_KEYS = {"code", "source", "seed_line", "seed_text"}
_PROGRAM_KEYS = {"code", "note"}
_REASON_KEYS = {"code", "label_en", "label_ja"}


class PolicyError(ValueError):
    """The policy file is malformed; the message names the offending entry."""


@dataclass(frozen=True)
class Clause:
    code: str
    source: str  # the citation shown to users
    seed_line: int | None = None  # where the seed states it, if it does
    seed_text: str = ""  # an exact substring of that seed line


@dataclass(frozen=True)
class CoveredProgram:
    code: str
    note: str = ""


@dataclass(frozen=True)
class ExceptionReason:
    code: str
    label_en: str
    label_ja: str

    @property
    def label(self) -> str:
        """The label in the active language."""
        return localized(self.label_ja, self.label_en)


@dataclass(frozen=True)
class OaPolicy:
    name_ja: str
    name_en: str
    decided_on: date
    revised_on: date
    first_fiscal_year: int
    deposit_grace_days: int
    grace_setting_ja: str
    grace_setting_en: str
    clauses: tuple[Clause, ...]
    covered_programs: tuple[CoveredProgram, ...]
    exception_reasons: tuple[ExceptionReason, ...]

    def clause(self, code: str) -> Clause:
        for clause in self.clauses:
            if clause.code == code:
                return clause
        raise KeyError(code)

    def cite(self, code: str) -> str:
        return self.clause(code).source

    def cite_grace_days(self) -> str:
        # An operating setting cites itself as a setting, never as the seed (ADR 0025).
        return _("Operating setting of OpenRD, not stated in the policy: %(note)s") % {
            "note": localized(self.grace_setting_ja, self.grace_setting_en)
        }

    def exception_reason(self, code: str) -> ExceptionReason:
        for reason in self.exception_reasons:
            if reason.code == code:
                return reason
        raise ValueError(f"unknown open-access exception reason: {code!r}")

    @property
    def covered_program_codes(self) -> frozenset[str]:
        return frozenset(p.code for p in self.covered_programs)


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise PolicyError(f"[{key}] is missing")
    return value


def _entries(data: Mapping[str, Any], key: str, allowed: set[str]) -> list[Mapping[str, Any]]:
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise PolicyError(f"[[{key}]] must be an array of tables")
    codes: set[str] = set()
    for entry in entries:
        _check_keys(entry, allowed, f"[[{key}]] {entry.get('code', '?')}")
        code = entry.get("code")
        if not isinstance(code, str) or not code:
            raise PolicyError(f"[[{key}]] entry without a code")
        if code in codes:
            raise PolicyError(f"[[{key}]] {code} is listed twice")
        codes.add(code)
    return entries


def _check_keys(entry: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise PolicyError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _typed[T](entry: Mapping[str, Any], key: str, kind: type[T], where: str) -> T:
    value = entry.get(key)
    # bool is an int in Python; a count written as true is a typo, not 1.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise PolicyError(f"{where}: {key} must be a {kind.__name__}")
    return value


def _clause(entry: Mapping[str, Any]) -> Clause:
    where = f"clause {entry['code']}"
    seed_line = entry.get("seed_line")
    seed_text = entry.get("seed_text", "")
    if seed_line is None and seed_text:
        raise PolicyError(f"{where}: seed_text without seed_line")
    if seed_line is not None:
        _typed(entry, "seed_line", int, where)
        if not _typed(entry, "seed_text", str, where):
            raise PolicyError(f"{where}: seed_line without seed_text")
    return Clause(entry["code"], _typed(entry, "source", str, where), seed_line, seed_text)


def parse_policy(text: str) -> OaPolicy:
    """Read the policy file's text, refusing unknown keys and missing clauses."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"oa_policy.toml: {exc}") from exc
    _check_keys(data, {"policy", "clauses", "covered_programs", "exception_reasons"}, "top level")
    head = _table(data, "policy")
    _check_keys(head, _POLICY_KEYS, "[policy]")
    clauses = tuple(_clause(e) for e in _entries(data, "clauses", _CLAUSE_KEYS))
    missing = sorted(REQUIRED_CLAUSES - {c.code for c in clauses})
    if missing:
        raise PolicyError(f"missing clause(s): {', '.join(missing)}")
    grace = _typed(head, "deposit_grace_days", int, "[policy]")
    if grace < 0:
        raise PolicyError("[policy]: deposit_grace_days must not be negative")
    reasons = _entries(data, "exception_reasons", _REASON_KEYS)
    if not reasons:
        raise PolicyError("[[exception_reasons]] must list at least one reason")
    return OaPolicy(
        name_ja=_typed(head, "name_ja", str, "[policy]"),
        name_en=_typed(head, "name_en", str, "[policy]"),
        decided_on=_typed(head, "decided_on", date, "[policy]"),
        revised_on=_typed(head, "revised_on", date, "[policy]"),
        first_fiscal_year=_typed(head, "first_fiscal_year", int, "[policy]"),
        deposit_grace_days=grace,
        grace_setting_ja=_typed(head, "grace_setting_ja", str, "[policy]"),
        grace_setting_en=_typed(head, "grace_setting_en", str, "[policy]"),
        clauses=clauses,
        covered_programs=tuple(
            CoveredProgram(e["code"], str(e.get("note", "")))
            for e in _entries(data, "covered_programs", _PROGRAM_KEYS)
        ),
        exception_reasons=tuple(
            ExceptionReason(
                e["code"],
                _typed(e, "label_en", str, f"reason {e['code']}"),
                _typed(e, "label_ja", str, f"reason {e['code']}"),
            )
            for e in reasons
        ),
    )


@functools.cache
def oa_policy() -> OaPolicy:
    """The policy in force, read from the file once per process."""
    return parse_policy(POLICY_PATH.read_text(encoding="utf-8"))


def program_override(program_rules: Mapping[str, Any]) -> bool | None:
    """The program's own ``oa_mandate`` setting, or None when it does not say."""
    value = program_rules.get(OVERRIDE_KEY)
    if value is None:
        return None
    if not isinstance(value, bool):
        # "false" as a string would be truthy: refuse it rather than guess.
        raise ValueError(f"{OVERRIDE_KEY} must be true or false, not {value!r}")
    return value


def covered(program_code: str, program_rules: Mapping[str, Any]) -> bool:
    """Whether the mandate covers a program: its own setting wins over the list."""
    override = program_override(program_rules)
    if override is not None:
        return override
    return program_code in oa_policy().covered_program_codes


def exception_reason_codes() -> tuple[str, ...]:
    return tuple(reason.code for reason in oa_policy().exception_reasons)


_lazy_localized = lazy(localized, str)


def exception_choices() -> list[tuple[str, str]]:
    """(code, label) pairs for a form's choices; each label follows the language
    active when it is rendered, not when the form class was built."""
    return [
        (reason.code, _lazy_localized(reason.label_ja, reason.label_en))
        for reason in oa_policy().exception_reasons
    ]
