"""The SME rule sets and the programs' additions, read from
``data/sme_rules.toml``: checked when read, so a malformed file fails at once."""

from __future__ import annotations

import tomllib
from datetime import date
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from openrd.ecosystem.rules.sme import (
    Industry,
    ProgramRuleSet,
    SmeRuleSet,
    Statute,
)
from openrd.programs.rules.program import OperatingSetting, RuleSource

PATH = Path(__file__).resolve().parent / "data" / "sme_rules.toml"


class RuleFileError(ValueError):
    pass


def _need(entry: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = entry.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise RuleFileError(f"{where}: {key} must be {kind.__name__}")
    return value


def _industry(entry: dict[str, Any], where: str) -> Industry:
    numbers = {k: _need(entry, k, int, where)
               for k in ("max_capital_yen", "max_employees", "small_max_employees")}  # fmt: skip
    if any(v <= 0 for v in numbers.values()):
        raise RuleFileError(f"{where}: limits must be positive")
    return Industry(
        code=_need(entry, "code", str, where), name_ja=_need(entry, "name_ja", str, where),
        name_en=_need(entry, "name_en", str, where),
        source=Statute(_need(entry, "article", str, where)), **numbers,
    )  # fmt: skip


def parse(text: str) -> tuple[dict[str, SmeRuleSet], dict[str, ProgramRuleSet]]:
    data = tomllib.loads(text)
    sets: dict[str, SmeRuleSet] = {}
    for n, entry in enumerate(data.get("rulesets", [])):
        where = f"rulesets[{n}]"
        version = _need(entry, "version", str, where)
        industries = [_industry(i, f"{where}.industries[{m}]")
                      for m, i in enumerate(entry.get("industries", []))]  # fmt: skip
        if version in sets or len({i.code for i in industries}) != len(industries):
            raise RuleFileError(f"{where}: duplicate version or industry")
        sets[version] = SmeRuleSet(version, _need(entry, "effective_on", date, where),
                                   _need(entry, "name_ja", str, where),
                                   _need(entry, "name_en", str, where),
                                   {i.code: i for i in industries})  # fmt: skip
    programs: dict[str, ProgramRuleSet] = {}
    for n, entry in enumerate(data.get("programs", [])):
        where = f"programs[{n}]"
        base = _need(entry, "base", str, where)
        if base not in sets:
            raise RuleFileError(f"{where}: unknown base rule set {base!r}")
        shares = {}
        for key in ("control_single_large_share", "control_large_total_share",
                    "control_large_officers_share"):  # fmt: skip
            share = Fraction(_need(entry, key, str, where))
            if not 0 < share <= 1:
                raise RuleFileError(f"{where}: {key} must be a share between 0 and 1")
            shares[key] = share
        program = _need(entry, "program", str, where)
        programs[program] = ProgramRuleSet(
            program=program, version=_need(entry, "version", str, where),
            effective_on=_need(entry, "effective_on", date, where), base=sets[base],
            max_years_since_founding=entry.get("max_years_since_founding"),
            founding_limit_in_principle=bool(entry.get("founding_limit_in_principle", False)),
            founding_source=RuleSource(_need(entry, "founding_seed_line", int, where),
                                       _need(entry, "founding_seed_text", str, where)),
            control_source=OperatingSetting(_need(entry, "control_source_ja", str, where),
                                            _need(entry, "control_source_en", str, where)),
            **shares,
        )  # fmt: skip
    return sets, programs


@cache
def rule_files() -> tuple[dict[str, SmeRuleSet], dict[str, ProgramRuleSet]]:
    return parse(PATH.read_text(encoding="utf-8"))


def current_sme_rules(on: date) -> SmeRuleSet:
    """The rule set in force on the day (the latest effective by then)."""
    sets = sorted(rule_files()[0].values(), key=lambda s: s.effective_on)
    in_force = [s for s in sets if s.effective_on <= on]
    if not in_force:
        raise LookupError(f"no SME rule set in force on {on}")
    return in_force[-1]


def program_rules(program: str) -> ProgramRuleSet | None:
    return rule_files()[1].get(program)
