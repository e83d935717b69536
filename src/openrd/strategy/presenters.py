"""The strategy as plain dicts, read by the API schemas and the templates alike.

An indicator's values are its observations, or — for a computed indicator —
what ``metrics`` computes from the records now, marked as computed. Its status
is the pacing rule's, against the nearest target still ahead of its latest
value (or its last one), from its baseline (or its earliest value).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from openrd.core.fiscal import fiscal_year_of, to_tokyo
from openrd.core.i18n import localized
from openrd.programs.rules.program import RuleSource
from openrd.strategy import metric_store, metrics
from openrd.strategy.metric_store import Computed
from openrd.strategy.models import (
    Goal,
    Indicator,
    Measure,
    MinistryRole,
    Observation,
    ObservationStatus,
    Strategy,
    Target,
    TargetKind,
)
from openrd.strategy.rules.progress import Direction, Point, assess


def number(value: Decimal) -> int | float:
    """A value for JSON: whole numbers (yen, counts) as integers."""
    return int(value) if value == value.to_integral_value() else float(value)


def cite(seed_line: int | None, seed_text: str) -> dict[str, Any] | None:
    if seed_line is None:
        return None
    return {
        "line": seed_line,
        "excerpt": seed_text,
        "text": RuleSource(seed_line, seed_text).cite(),
    }


def with_indicators(rows: QuerySet[Indicator]) -> QuerySet[Indicator]:
    return rows.select_related("owner", "program", "measure").prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("fiscal_year", "kind")),
        Prefetch("observations", queryset=Observation.objects.order_by("fiscal_year")),
    )


def values_of(indicator: Indicator, computed: Computed | None = None) -> list[dict[str, Any]]:
    """The indicator's values per fiscal year, oldest first (a computed one's as
    stored, or ``computed`` when the caller has read it already)."""
    if indicator.is_computed:
        computed = computed or metric_store.read(indicator.computed, indicator.program)
        return [
            {"fiscal_year": fy, "value": v, "status": ObservationStatus.CONFIRMED.value,
             "computed": True, "as_of": None, "source": None, "entered_at": None}
            for fy, v in sorted(computed.values.items())
        ]  # fmt: skip
    return [
        {"fiscal_year": o.fiscal_year, "value": o.value, "status": o.status, "computed": False,
         "as_of": o.as_of, "source": cite(o.seed_line, o.seed_text) or {"text": o.source},
         "entered_at": o.entered_at}
        for o in indicator.observations.all()
    ]  # fmt: skip


def assessment(indicator: Indicator, values: list[dict[str, Any]]) -> dict[str, Any] | None:
    targets = list(indicator.targets.all())
    ahead = [t for t in targets if t.kind != TargetKind.BASELINE]
    if not ahead:
        return None
    # Drafts are the ministry's work in progress: the status reads confirmed values.
    confirmed = [v for v in values if v["status"] == ObservationStatus.CONFIRMED]
    latest = confirmed[-1] if confirmed else None
    if latest is not None:
        upcoming = [t for t in ahead if t.fiscal_year >= latest["fiscal_year"]]
        target = upcoming[0] if upcoming else ahead[-1]
    else:
        target = ahead[0]
    baselines = [t for t in targets if t.kind == TargetKind.BASELINE]
    if baselines:
        baseline = Point(baselines[0].fiscal_year, baselines[0].value)
    elif len(confirmed) > 1:
        baseline = Point(confirmed[0]["fiscal_year"], confirmed[0]["value"])
    else:
        baseline = None
    result = assess(
        baseline=baseline,
        target=Point(target.fiscal_year, target.value),
        latest=Point(latest["fiscal_year"], latest["value"]) if latest else None,
        direction=Direction(indicator.direction),
    )
    return {
        "status": result.status.value,
        "progress": float(result.progress) if result.progress is not None else None,
        "expected": float(result.expected) if result.expected is not None else None,
        "reached": result.reached,
        "target_fiscal_year": target.fiscal_year,
        "reason": result.reason.as_dict(),
    }


def _target(t: Target) -> dict[str, Any]:
    return {
        "fiscal_year": t.fiscal_year,
        "kind": t.kind,
        "value": number(t.value),
        "source": cite(t.seed_line, t.seed_text),
    }


def indicator_view(indicator: Indicator, *, with_values: bool = True) -> dict[str, Any]:
    computed = (
        metric_store.read(indicator.computed, indicator.program) if indicator.is_computed else None
    )
    values = values_of(indicator, computed)
    definition = (
        str(metrics.DEFINITIONS[indicator.computed].definition) if indicator.is_computed else ""
    )
    latest = values[-1] if values else None
    view = {
        "code": indicator.code,
        "name_ja": indicator.name_ja,
        "name_en": indicator.name_en,
        "name": indicator.name,
        "measure": indicator.measure.code,
        "tier": indicator.tier,
        "horizon": indicator.horizon,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "owner": indicator.owner.code if indicator.owner else None,
        "data_source": localized(indicator.source_ja, indicator.source_en),
        "computed": indicator.is_computed,
        "definition": definition,
        "program": indicator.program.code if indicator.program else None,
        "source": cite(indicator.seed_line, indicator.seed_text),
        "targets": [_target(t) for t in indicator.targets.all()],
        "latest": (
            {"fiscal_year": latest["fiscal_year"], "value": number(latest["value"])}
            if latest
            else None
        ),
        "assessment": assessment(indicator, values),
        # When a computed indicator's values were computed, and whether a refresh is due.
        "as_of": to_tokyo(computed.computed_at).date() if computed else None,
        "computed_at": computed.computed_at if computed else None,
        "stale": computed.stale if computed else False,
    }
    if with_values:
        view["values"] = [v | {"value": number(v["value"])} for v in values]
    return view


def _ministries(measure: Measure, role: MinistryRole) -> list[str]:
    return [m.organisation.code for m in measure.ministries.all() if m.role == role]


def measure_view(measure: Measure) -> dict[str, Any]:
    return {
        "code": measure.code,
        "goal": measure.goal.code,
        "title_ja": measure.title_ja,
        "title_en": measure.title_en,
        "summary_ja": measure.summary_ja,
        "summary_en": measure.summary_en,
        "primary_ministries": _ministries(measure, MinistryRole.PRIMARY),
        "collaborating_ministries": _ministries(measure, MinistryRole.COLLABORATING),
        "others": measure.others,
        "lead_agency": measure.lead_agency.code if measure.lead_agency else None,
        "programs": [p.code for p in measure.programs.all()],
        "source": cite(measure.seed_line, measure.seed_text),
        "indicators": [indicator_view(i, with_values=False) for i in measure.indicators.all()],
    }


def _goal_tree(
    goals: Iterable[Goal], measures: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the pillars, the cross-cutting top-level goals), each a tree."""
    by_parent: dict[int | None, list[Goal]] = {}
    for goal in goals:
        by_parent.setdefault(goal.parent_id, []).append(goal)
    by_goal: dict[str, list[dict[str, Any]]] = {}
    for m in measures:
        by_goal.setdefault(m["goal"], []).append(m)

    def node(goal: Goal) -> dict[str, Any]:
        return {
            "code": goal.code,
            "title_ja": goal.title_ja,
            "title_en": goal.title_en,
            "source": cite(goal.seed_line, goal.seed_text),
            "goals": [node(child) for child in by_parent.get(goal.pk, [])],
            "measures": by_goal.get(goal.code, []),
        }

    roots = by_parent.get(None, [])
    return (
        [node(goal) for goal in roots if not goal.cross_cutting],
        [node(goal) for goal in roots if goal.cross_cutting],
    )


def strategy_view(strategy: Strategy) -> dict[str, Any]:
    measures = (
        Measure.objects.filter(strategy=strategy)
        .select_related("goal", "lead_agency")
        .prefetch_related(
            "programs",
            "ministries__organisation",
            Prefetch("indicators", queryset=with_indicators(Indicator.objects.all())),
        )
    )
    with metric_store.one_page():  # every computed indicator of the strategy, one budget
        views = [measure_view(m) for m in measures]
    pillars, cross_cutting = _goal_tree(strategy.goals.order_by("order", "id"), views)
    return {
        "code": strategy.code,
        "year": strategy.year,
        "name_ja": strategy.name_ja,
        "name_en": strategy.name_en,
        "cabinet_decision_on": strategy.cabinet_decision_on,
        "ordinal": strategy.ordinal,
        "basic_plan_ja": strategy.basic_plan_ja,
        "basic_plan_en": strategy.basic_plan_en,
        "basic_plan_first_year": strategy.basic_plan_first_year,
        "basic_plan_last_year": strategy.basic_plan_last_year,
        "source": cite(strategy.seed_line, strategy.seed_text),
        "pillars": pillars,
        "cross_cutting": cross_cutting,
        "current_fiscal_year": fiscal_year_of(to_tokyo(timezone.now()).date()),
    }
