"""Reading program presets: declarative TOML files under ``programs/presets/``.

Pure: files in, frozen dataclasses out, no database. A preset with a missing
or unknown key is refused with the file and the key named, so a typo in a
preset never loads silently. The schema is documented in presets/README.md.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PRESET_DIR = Path(__file__).resolve().parent / "presets"

PROGRAM_KEYS = {
    "code", "kind", "name_ja", "name_en", "short_name_ja", "short_name_en", "summary_ja",
    "summary_en", "seed_line", "seed_text", "owner", "agencies", "rules", "figures", "elements",
}  # fmt: skip
FIGURE_KEYS = {
    "kind", "label_ja", "label_en", "fiscal_year", "amount_yen", "supplementary", "seed_line",
    "seed_text",
}  # fmt: skip
ELEMENT_KEYS = {
    "kind", "code", "parent", "order", "title_ja", "title_en", "body_ja", "body_en", "seed_line",
    "seed_text", "attrs",
}  # fmt: skip
FIGURE_KINDS = {
    "budget", "fund", "supplementary_budget", "spending_target", "government_investment", "other",
}  # fmt: skip
ELEMENT_KINDS = {
    "period", "goal", "target", "project", "theme", "domain", "vision", "topic", "viewpoint",
    "phase", "stage_gate", "exit_strategy", "support_measure",
}  # fmt: skip


class PresetError(ValueError):
    """A preset file does not follow the schema."""


@dataclass(frozen=True)
class FigureSpec:
    kind: str
    label_ja: str
    label_en: str
    fiscal_year: int | None
    amount_yen: int
    supplementary: bool
    seed_line: int
    seed_text: str


@dataclass(frozen=True)
class ElementSpec:
    kind: str
    code: str
    parent: str | None
    order: int
    title_ja: str
    title_en: str
    body_ja: str
    body_en: str
    seed_line: int
    seed_text: str
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProgramSpec:
    code: str
    kind: str
    name_ja: str
    name_en: str
    short_name_ja: str
    short_name_en: str
    summary_ja: str
    summary_en: str
    seed_line: int
    seed_text: str
    owner: str | None
    agencies: tuple[str, ...]
    rules: dict[str, Any]
    figures: tuple[FigureSpec, ...]
    elements: tuple[ElementSpec, ...]
    digest: str


def check_keys(where: str, data: dict[str, Any], allowed: set[str], required: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise PresetError(f"{where}: unknown key(s) {', '.join(unknown)}")
    missing = sorted(required - set(data))
    if missing:
        raise PresetError(f"{where}: missing key(s) {', '.join(missing)}")


def int_value(where: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise PresetError(f"{where}: expected an integer, got {value!r}")
    return value


def _figure(where: str, data: dict[str, Any]) -> FigureSpec:
    # The fiscal year may be absent: the briefing states some amounts without one.
    check_keys(where, data, FIGURE_KEYS, FIGURE_KEYS - {"label_en", "supplementary", "fiscal_year"})
    if data["kind"] not in FIGURE_KINDS:
        raise PresetError(f"{where}: unknown figure kind {data['kind']!r}")
    amount = int_value(f"{where}.amount_yen", data["amount_yen"])
    if amount < 0:
        raise PresetError(f"{where}.amount_yen: must not be negative")
    return FigureSpec(
        kind=data["kind"],
        label_ja=data["label_ja"],
        label_en=data.get("label_en", ""),
        fiscal_year=(
            int_value(f"{where}.fiscal_year", data["fiscal_year"])
            if "fiscal_year" in data
            else None
        ),
        amount_yen=amount,
        supplementary=bool(data.get("supplementary", False)),
        seed_line=int_value(f"{where}.seed_line", data["seed_line"]),
        seed_text=data["seed_text"],
    )


def _element(where: str, data: dict[str, Any]) -> ElementSpec:
    check_keys(where, data, ELEMENT_KEYS, {"kind", "code", "title_ja", "seed_line", "seed_text"})
    if data["kind"] not in ELEMENT_KINDS:
        raise PresetError(f"{where}: unknown element kind {data['kind']!r}")
    return ElementSpec(
        kind=data["kind"],
        code=data["code"],
        parent=data.get("parent"),
        order=int_value(f"{where}.order", data.get("order", 0)),
        title_ja=data["title_ja"],
        title_en=data.get("title_en", ""),
        body_ja=data.get("body_ja", ""),
        body_en=data.get("body_en", ""),
        seed_line=int_value(f"{where}.seed_line", data["seed_line"]),
        seed_text=data["seed_text"],
        attrs=dict(data.get("attrs", {})),
    )


def parse_preset(text: str, *, name: str = "<preset>") -> ProgramSpec:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(f"{name}: {exc}") from exc
    check_keys(
        name, data, PROGRAM_KEYS, {"code", "kind", "name_ja", "name_en", "seed_line", "seed_text"}
    )
    figures = tuple(
        _figure(f"{name}: figures[{i}]", f) for i, f in enumerate(data.get("figures", []))
    )
    elements = tuple(
        _element(f"{name}: elements[{i}]", e) for i, e in enumerate(data.get("elements", []))
    )
    codes = [e.code for e in elements]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise PresetError(f"{name}: duplicate element code(s) {', '.join(duplicates)}")
    known = set(codes)
    for e in elements:
        if e.parent is not None and e.parent not in known:
            raise PresetError(f"{name}: element {e.code} names unknown parent {e.parent}")
    return ProgramSpec(
        code=data["code"],
        kind=data["kind"],
        name_ja=data["name_ja"],
        name_en=data["name_en"],
        short_name_ja=data.get("short_name_ja", ""),
        short_name_en=data.get("short_name_en", ""),
        summary_ja=data.get("summary_ja", ""),
        summary_en=data.get("summary_en", ""),
        seed_line=int_value(f"{name}.seed_line", data["seed_line"]),
        seed_text=data["seed_text"],
        owner=data.get("owner"),
        agencies=tuple(data.get("agencies", [])),
        rules=dict(data.get("rules", {})),
        figures=figures,
        elements=elements,
        digest=hashlib.sha256(text.encode()).hexdigest(),
    )


def read_presets(directory: Path = PRESET_DIR) -> list[ProgramSpec]:
    """Every ``*.toml`` preset in ``directory``, sorted by file name."""
    return [
        parse_preset(path.read_text(encoding="utf-8"), name=path.name)
        for path in sorted(directory.glob("*.toml"))
    ]
