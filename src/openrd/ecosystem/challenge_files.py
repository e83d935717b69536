"""The contract bases and the matching weights, read from ``data/challenges.toml``:
checked when read, so a malformed file fails at once."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from openrd.core.i18n import localized
from openrd.ecosystem.rules.matching import Weights
from openrd.ecosystem.rules.responses import Basis
from openrd.programs.rules.program import OperatingSetting, RuleSource

PATH = Path(__file__).resolve().parent / "data" / "challenges.toml"
OWNER_KINDS = frozenset({"national", "municipal"})


class ChallengeFileError(ValueError):
    pass


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ChallengeFileError(f"{where}: {key} must be a non-empty string")
    return value


@cache
def _data() -> dict[str, Any]:
    data = tomllib.loads(PATH.read_text(encoding="utf-8"))
    parse(data)  # fails here, once, if the file is wrong
    return data


def parse(data: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    bases = data.get("contract_bases", [])
    seen: set[str] = set()
    for n, entry in enumerate(bases):
        where = f"contract_bases[{n}]"
        code = _text(entry, "code", where)
        if code in seen:
            raise ChallengeFileError(f"{where}: duplicate code {code!r}")
        seen.add(code)
        for key in ("name_ja", "name_en", "law", "seed_text"):
            _text(entry, key, where)
        owners = entry.get("owners")
        if not isinstance(owners, list) or not owners or not set(owners) <= OWNER_KINDS:
            raise ChallengeFileError(f"{where}: owners must be a list of {sorted(OWNER_KINDS)}")
        if not isinstance(entry.get("seed_line"), int) or entry["seed_line"] <= 0:
            raise ChallengeFileError(f"{where}: seed_line must be a positive integer")
    matching = data.get("matching")
    if not isinstance(matching, dict):
        raise ChallengeFileError("matching: missing")
    _text(matching, "version", "matching")
    try:
        _weights(matching)
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise ChallengeFileError(f"matching: {exc}") from exc
    return bases, matching


def _weights(matching: dict[str, Any]) -> Weights:
    setting = OperatingSetting(matching.get("note_ja", ""), matching.get("note_en", ""))
    parts = {k: Decimal(str(matching[k])) for k in ("topic", "phase", "region", "eligibility")}
    return Weights(version=str(matching["version"]), source=setting.cite(), **parts)


def contract_bases() -> dict[str, Basis]:
    """The bases in the file's order, by code (names in the active language)."""
    bases: dict[str, Basis] = {}
    for entry in _data()["contract_bases"]:
        name = localized(entry["name_ja"], entry["name_en"])
        cite = RuleSource(entry["seed_line"], entry["seed_text"]).cite()
        bases[entry["code"]] = Basis(
            code=entry["code"], name=name, law=entry["law"], owners=frozenset(entry["owners"]),
            source=_("%(law)s; %(cite)s") % {"law": entry["law"], "cite": cite},
        )  # fmt: skip
    return bases


def weights() -> Weights:
    return _weights(_data()["matching"])
