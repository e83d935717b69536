"""A year's strategy as tables, for CSV and Excel: its measures, its indicators,
their targets, and their values — long (one value a row) and wide (the
administrative-review sheets' target/actual columns per fiscal year). The
value tables use the headers ``imports`` reads, so a sheet downloaded, filled
in and uploaded again comes back: computed values and what the strategy itself
states are marked and left alone by the import.

Headers are in Japanese, the language of the sheets ministries exchange; the
fiscal years in the wide layout are Gregorian ("2023年度 目標"), which the import
reads as well as the era's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from openrd.core.spreadsheet import Cell
from openrd.strategy.models import Indicator, Measure, MinistryRole, Strategy, TargetKind
from openrd.strategy.presenters import number, values_of, with_indicators

Table = tuple[list[str], list[list[Cell]]]

STATUS_TEXT = {"draft": "下書き", "confirmed": "確定"}
COMPUTED_TEXT = "算出"  # a computed value: read from the records, never imported
KIND_TEXT = {"baseline": "基準値", "interim": "中間目標", "final": "最終目標"}


def _measures(strategy: Strategy) -> QuerySet[Measure]:
    return (
        Measure.objects.filter(strategy=strategy)
        .select_related("goal", "lead_agency")
        .prefetch_related("ministries__organisation", "programs")
        .order_by("goal__order", "goal_id", "order", "id")
    )


def _indicators(strategy: Strategy) -> QuerySet[Indicator]:
    return with_indicators(
        Indicator.objects.filter(measure__strategy=strategy).order_by(
            "measure__goal__order", "measure__order", "order", "id"
        )
    )


def _join(names: list[str]) -> str:
    return "、".join(names)


def _cite(seed_line: int | None, seed_text: str) -> str:
    return f"l.{seed_line}「{seed_text}」" if seed_line is not None else ""


def measures_table(strategy: Strategy) -> Table:
    header = ["施策コード", "目標", "施策", "施策（英語）", "担当府省", "協力府省", "等",
              "主担当機関", "関連プログラム", "出典"]  # fmt: skip
    body: list[list[Cell]] = []
    for m in _measures(strategy):
        roles: dict[str, list[str]] = {MinistryRole.PRIMARY: [], MinistryRole.COLLABORATING: []}
        for mm in m.ministries.all():
            roles[mm.role].append(mm.organisation.name_ja)
        body.append([
            m.code, m.goal.title_ja, m.title_ja, m.title_en, _join(roles[MinistryRole.PRIMARY]),
            _join(roles[MinistryRole.COLLABORATING]), "等" if m.others else "",
            m.lead_agency.name_ja if m.lead_agency else "",
            _join([p.code for p in m.programs.all()]), _cite(m.seed_line, m.seed_text),
        ])  # fmt: skip
    return header, body


def indicators_table(strategy: Strategy) -> Table:
    header = ["指標コード", "施策コード", "指標名", "指標名（英語）", "段階", "期間", "単位",
              "方向", "担当", "データの出典", "算出方法", "プログラム", "出典"]  # fmt: skip
    body: list[list[Cell]] = [
        [i.code, i.measure.code, i.name_ja, i.name_en, i.tier, i.horizon, i.unit, i.direction,
         i.owner.code if i.owner else "", i.source_ja, i.computed,
         i.program.code if i.program else "", _cite(i.seed_line, i.seed_text)]
        for i in _indicators(strategy)
    ]  # fmt: skip
    return header, body


def targets_table(strategy: Strategy) -> Table:
    header = ["指標コード", "指標名", "年度", "種別", "値", "出典"]
    body: list[list[Cell]] = [
        [i.code, i.name_ja, t.fiscal_year, KIND_TEXT[t.kind], number(t.value),
         _cite(t.seed_line, t.seed_text) or "司令塔が設定"]
        for i in _indicators(strategy) for t in i.targets.all()
    ]  # fmt: skip
    return header, body


def _status(value: dict[str, Any]) -> str:
    return COMPUTED_TEXT if value["computed"] else STATUS_TEXT[value["status"]]


def _source(value: dict[str, Any]) -> str:
    source = value["source"] or {}
    if source.get("line") is not None:
        return f"l.{source['line']}「{source['excerpt']}」"
    return str(source.get("text", ""))


def values_table(strategy: Strategy) -> Table:
    """One value a row, in the long layout the import reads."""
    header = ["指標コード", "指標名", "年度", "値", "状態", "出典", "時点"]
    body: list[list[Cell]] = []
    for i in _indicators(strategy):
        for v in values_of(i):
            as_of = v["as_of"].isoformat() if v["as_of"] else ""
            body.append([i.code, i.name_ja, v["fiscal_year"], number(v["value"]), _status(v),
                         _source(v), as_of])  # fmt: skip
    return header, body


def wide_table(strategy: Strategy) -> Table:
    """The administrative-review sheet: a row per indicator, its baseline, and a
    target and an actual column per fiscal year (drafts named in the note; an
    empty cell is no value)."""
    indicators = list(_indicators(strategy))
    rows = []
    years: set[int] = set()
    for i in indicators:
        values = {v["fiscal_year"]: v for v in values_of(i)}
        targets = {t.fiscal_year: t for t in i.targets.all() if t.kind != TargetKind.BASELINE}
        baseline = next((t for t in i.targets.all() if t.kind == TargetKind.BASELINE), None)
        years |= set(values) | set(targets)
        rows.append((i, values, targets, baseline))
    ordered = sorted(years)
    header = ["指標コード", "指標名", "単位", "備考", "基準年度", "基準値"]
    for fy in ordered:
        header += [f"{fy}年度 目標", f"{fy}年度 実績"]
    body: list[list[Cell]] = []
    for i, values, targets, baseline in rows:
        drafts = [
            str(fy) for fy, v in values.items() if not v["computed"] and v["status"] == "draft"
        ]
        note = "実績は算出値" if i.is_computed else (
            f"下書き: {', '.join(drafts)}年度" if drafts else ""
        )  # fmt: skip
        row: list[Cell] = [i.code, i.name_ja, i.unit, note,
                           baseline.fiscal_year if baseline else "",
                           number(baseline.value) if baseline else ""]  # fmt: skip
        for fy in ordered:
            t, v = targets.get(fy), values.get(fy)
            row += [number(t.value) if t else "", number(v["value"]) if v else ""]
        body.append(row)
    return header, body


EXPORTS: dict[str, Callable[[Strategy], Table]] = {
    "measures": measures_table,
    "indicators": indicators_table,
    "targets": targets_table,
    "values": values_table,
    "values-wide": wide_table,
}
