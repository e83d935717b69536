"""Reading a strategy file: ``strategy/data/strategy_<year>.toml``.

Pure: text in, frozen dataclasses out, no database. Like the program presets, a
file with an unknown or missing key, a bad value or a dangling reference is
refused with the place named, so a typo never loads silently. The schema is
documented in ``data/README.md``.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openrd.programs.preset_files import PresetError, check_keys, int_value

DATA_DIR = Path(__file__).resolve().parent / "data"

STRATEGY_KEYS = {
    "code", "year", "name_ja", "name_en", "cabinet_decision_on", "ordinal", "basic_plan_ja",
    "basic_plan_en", "basic_plan_first_year", "basic_plan_last_year", "seed_line", "seed_text",
    "sources", "goals", "measures", "indicators", "links",
}  # fmt: skip
GOAL_KEYS = {
    "code", "parent", "order", "title_ja", "title_en", "cross_cutting", "seed_line", "seed_text",
}  # fmt: skip
MEASURE_KEYS = {
    "code", "goal", "order", "title_ja", "title_en", "summary_ja", "summary_en",
    "primary_ministries", "collaborating_ministries", "others", "lead_agency", "programs",
    "seed_line", "seed_text", "sources",
}  # fmt: skip
INDICATOR_KEYS = {
    "code", "measure", "name_ja", "name_en", "tier", "horizon", "unit", "direction", "owner",
    "source_ja", "source_en", "computed", "program", "seed_line", "seed_text", "targets",
    "observations",
}  # fmt: skip
TARGET_KEYS = {"fiscal_year", "kind", "value", "seed_line", "seed_text"}
OBSERVATION_KEYS = {"fiscal_year", "value", "seed_line", "seed_text"}
LINK_KEYS = {"from", "to", "narrative_ja", "narrative_en", "seed_line", "seed_text"}
CITED = {"seed_line", "seed_text"}

TIERS = {"activity", "output", "outcome"}
HORIZONS = {"short", "mid", "long"}
UNITS = {"people", "yen", "count", "percent", "companies", "items"}
DIRECTIONS = {"up", "down"}
TARGET_KINDS = {"baseline", "interim", "final"}
# What strategy.metrics computes; the file may name only these.
METRICS = {
    "award_count", "award_budget_yen", "proposal_count", "success_rate", "oa_share_mandated",
    "startup_sme_awards", "startup_sme_spending_yen", "sbir_spending_yen",
    "funding_top10_share",
}  # fmt: skip


@dataclass(frozen=True)
class Citation:
    seed_line: int
    seed_text: str


@dataclass(frozen=True)
class GoalSpec:
    code: str
    parent: str
    order: int
    title_ja: str
    title_en: str
    cited: Citation
    # A top-level goal beside the pillars rather than one of them (総合知).
    cross_cutting: bool = False


@dataclass(frozen=True)
class MeasureSpec:
    code: str
    goal: str
    order: int
    title_ja: str
    title_en: str
    summary_ja: str
    summary_en: str
    primary_ministries: tuple[str, ...]
    collaborating_ministries: tuple[str, ...]
    others: bool
    lead_agency: str
    programs: tuple[str, ...]
    cited: Citation
    sources: dict[str, Citation]


@dataclass(frozen=True)
class ValueSpec:
    fiscal_year: int
    kind: str  # a target kind, or "observation"
    value: Decimal
    cited: Citation


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    measure: str
    order: int
    name_ja: str
    name_en: str
    tier: str
    horizon: str
    unit: str
    direction: str
    owner: str
    source_ja: str
    source_en: str
    computed: str
    program: str
    cited: Citation
    targets: tuple[ValueSpec, ...]
    observations: tuple[ValueSpec, ...]


@dataclass(frozen=True)
class LinkSpec:
    source: str
    target: str
    narrative_ja: str
    narrative_en: str
    cited: Citation


@dataclass(frozen=True)
class StrategySpec:
    code: str
    year: int
    name_ja: str
    name_en: str
    cabinet_decision_on: date | None
    ordinal: int | None
    basic_plan_ja: str
    basic_plan_en: str
    basic_plan_first_year: int | None
    basic_plan_last_year: int | None
    cited: Citation
    sources: dict[str, Citation]
    goals: tuple[GoalSpec, ...]
    measures: tuple[MeasureSpec, ...]
    indicators: tuple[IndicatorSpec, ...]
    links: tuple[LinkSpec, ...]
    digest: str

    def citations(self) -> list[tuple[str, Citation]]:
        """Every seed citation in the file, with where it is."""
        found = [("strategy", self.cited)] + [(f"sources.{k}", c) for k, c in self.sources.items()]
        found += [(f"goal {g.code}", g.cited) for g in self.goals]
        for m in self.measures:
            found.append((f"measure {m.code}", m.cited))
            found += [(f"measure {m.code} sources.{k}", c) for k, c in m.sources.items()]
        for i in self.indicators:
            found.append((f"indicator {i.code}", i.cited))
            found += [(f"indicator {i.code} FY{v.fiscal_year} {v.kind}", v.cited)
                      for v in i.targets + i.observations]  # fmt: skip
        found += [(f"link {link.source}→{link.target}", link.cited) for link in self.links]
        return found


def _citation(where: str, data: dict[str, Any]) -> Citation:
    text = data.get("seed_text")
    if not isinstance(text, str) or not text.strip():
        raise PresetError(f"{where}: seed_text must be a non-empty excerpt")
    return Citation(int_value(f"{where}.seed_line", data.get("seed_line")), text)


def _sources(where: str, data: Any) -> dict[str, Citation]:
    if not isinstance(data, dict):
        raise PresetError(f"{where}: expected a table of citations")
    found = {}
    for key, value in data.items():
        check_keys(f"{where}.{key}", value, CITED, CITED)
        found[key] = _citation(f"{where}.{key}", value)
    return found


def _choice(where: str, value: Any, allowed: set[str]) -> str:
    if value not in allowed:
        raise PresetError(f"{where}: {value!r} is not one of {', '.join(sorted(allowed))}")
    return str(value)


def _number(where: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PresetError(f"{where}: expected a number, got {value!r}")
    # Through str: 0.1 stays 0.1, not the binary float's long expansion.
    return Decimal(str(value))


def _values(where: str, rows: list[dict[str, Any]], *, targets: bool) -> tuple[ValueSpec, ...]:
    found = []
    for n, row in enumerate(rows):
        at = f"{where}[{n}]"
        keys = TARGET_KEYS if targets else OBSERVATION_KEYS
        check_keys(at, row, keys, keys)
        kind = _choice(f"{at}.kind", row["kind"], TARGET_KINDS) if targets else "observation"
        found.append(
            ValueSpec(
                int_value(f"{at}.fiscal_year", row["fiscal_year"]), kind,
                _number(f"{at}.value", row["value"]), _citation(at, row),
            )
        )  # fmt: skip
    keys_seen = [(v.fiscal_year, v.kind) for v in found]
    if len(set(keys_seen)) != len(keys_seen):
        raise PresetError(f"{where}: two values for the same fiscal year and kind")
    return tuple(found)


def _goal(where: str, data: dict[str, Any]) -> GoalSpec:
    check_keys(where, data, GOAL_KEYS, {"code", "title_ja"} | CITED)
    cross_cutting = data.get("cross_cutting", False)
    if cross_cutting is not False and (cross_cutting is not True or data.get("parent")):
        raise PresetError(f"{where}.cross_cutting: true, and only on a top-level goal")
    return GoalSpec(
        data["code"], data.get("parent", ""), int_value(f"{where}.order", data.get("order", 0)),
        data["title_ja"], data.get("title_en", ""), _citation(where, data), cross_cutting,
    )  # fmt: skip


def _measure(where: str, data: dict[str, Any]) -> MeasureSpec:
    check_keys(where, data, MEASURE_KEYS, {"code", "goal", "title_ja"} | CITED)
    return MeasureSpec(
        code=data["code"],
        goal=data["goal"],
        order=int_value(f"{where}.order", data.get("order", 0)),
        title_ja=data["title_ja"],
        title_en=data.get("title_en", ""),
        summary_ja=data.get("summary_ja", ""),
        summary_en=data.get("summary_en", ""),
        primary_ministries=tuple(data.get("primary_ministries", [])),
        collaborating_ministries=tuple(data.get("collaborating_ministries", [])),
        others=bool(data.get("others", False)),
        lead_agency=data.get("lead_agency", ""),
        programs=tuple(data.get("programs", [])),
        cited=_citation(where, data),
        sources=_sources(f"{where}.sources", data.get("sources", {})),
    )


def _indicator(where: str, data: dict[str, Any], order: int) -> IndicatorSpec:
    required = {"code", "measure", "name_ja", "tier", "horizon", "unit", "direction"} | CITED
    check_keys(where, data, INDICATOR_KEYS, required)
    computed = data.get("computed", "")
    if computed:
        _choice(f"{where}.computed", computed, METRICS)
    return IndicatorSpec(
        code=data["code"],
        measure=data["measure"],
        order=order,
        name_ja=data["name_ja"],
        name_en=data.get("name_en", ""),
        tier=_choice(f"{where}.tier", data["tier"], TIERS),
        horizon=_choice(f"{where}.horizon", data["horizon"], HORIZONS),
        unit=_choice(f"{where}.unit", data["unit"], UNITS),
        direction=_choice(f"{where}.direction", data["direction"], DIRECTIONS),
        owner=data.get("owner", ""),
        source_ja=data.get("source_ja", ""),
        source_en=data.get("source_en", ""),
        computed=computed,
        program=data.get("program", ""),
        cited=_citation(where, data),
        targets=_values(f"{where}.targets", data.get("targets", []), targets=True),
        observations=_values(f"{where}.observations", data.get("observations", []), targets=False),
    )


def _unique(where: str, codes: list[str]) -> set[str]:
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise PresetError(f"{where}: duplicate code(s) {', '.join(duplicates)}")
    return set(codes)


def _refer(where: str, name: str, known: set[str]) -> None:
    if name not in known:
        raise PresetError(f"{where}: unknown {name!r}")


def parse_strategy(text: str, *, name: str = "<strategy>") -> StrategySpec:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(f"{name}: {exc}") from exc
    check_keys(name, data, STRATEGY_KEYS, {"code", "year", "name_ja"} | CITED)
    goals = tuple(_goal(f"{name}: goals[{i}]", g) for i, g in enumerate(data.get("goals", [])))
    measures = tuple(
        _measure(f"{name}: measures[{i}]", m) for i, m in enumerate(data.get("measures", []))
    )
    indicators = tuple(
        _indicator(f"{name}: indicators[{i}]", d, i)
        for i, d in enumerate(data.get("indicators", []))
    )
    links = []
    for i, row in enumerate(data.get("links", [])):
        at = f"{name}: links[{i}]"
        check_keys(at, row, LINK_KEYS, {"from", "to"} | CITED)
        links.append(LinkSpec(row["from"], row["to"], row.get("narrative_ja", ""),
                              row.get("narrative_en", ""), _citation(at, row)))  # fmt: skip
    goal_codes = _unique(f"{name}: goals", [g.code for g in goals])
    measure_codes = _unique(f"{name}: measures", [m.code for m in measures])
    indicator_codes = _unique(f"{name}: indicators", [i.code for i in indicators])
    for g in goals:
        if g.parent:
            _refer(f"{name}: goal {g.code}.parent", g.parent, goal_codes)
    for m in measures:
        _refer(f"{name}: measure {m.code}.goal", m.goal, goal_codes)
    for ind in indicators:
        _refer(f"{name}: indicator {ind.code}.measure", ind.measure, measure_codes)
    for link in links:
        _refer(f"{name}: link.from", link.source, indicator_codes)
        _refer(f"{name}: link.to", link.target, indicator_codes)
    decided = data.get("cabinet_decision_on")
    if decided is not None and not isinstance(decided, date):
        raise PresetError(f"{name}.cabinet_decision_on: expected a date")

    def optional_int(key: str) -> int | None:
        return int_value(f"{name}.{key}", data[key]) if key in data else None

    return StrategySpec(
        code=data["code"],
        year=int_value(f"{name}.year", data["year"]),
        name_ja=data["name_ja"],
        name_en=data.get("name_en", ""),
        cabinet_decision_on=decided,
        ordinal=optional_int("ordinal"),
        basic_plan_ja=data.get("basic_plan_ja", ""),
        basic_plan_en=data.get("basic_plan_en", ""),
        basic_plan_first_year=optional_int("basic_plan_first_year"),
        basic_plan_last_year=optional_int("basic_plan_last_year"),
        cited=_citation(name, data),
        sources=_sources(f"{name}.sources", data.get("sources", {})),
        goals=goals,
        measures=measures,
        indicators=indicators,
        links=tuple(links),
        digest=hashlib.sha256(text.encode()).hexdigest(),
    )


def read_strategies(directory: Path = DATA_DIR) -> list[StrategySpec]:
    """Every ``strategy_*.toml`` in ``directory``, oldest first."""
    return [
        parse_strategy(path.read_text(encoding="utf-8"), name=path.name)
        for path in sorted(directory.glob("strategy_*.toml"))
    ]
