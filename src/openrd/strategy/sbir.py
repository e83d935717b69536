"""Japanese SBIR's spending target as the command tower follows it.

The Cabinet sets each year a target for spending on startups and similar firms
from the ministries' specified new-technology subsidies (特定新技術補助金等;
seed l.1162: FY2022 ¥54.6bn, FY2023 ¥106.62bn). Which programs count, for which
ministry and year, is a ``SpecifiedSubsidy`` row with the ministry's planned
amount; the actual amount is rolled up from the awards.

What counts as actual spending: the budget line of the fiscal year (the amount
of that year's budget, 予算ベース) of each award to a startup or an SME under a
program counted for the ministry that year. An award that spans the fiscal-year
boundary counts each year's line in its own year; money carried over into a year
(繰越) stays counted in the year whose budget it was, never twice. An award is
the ministry's that presented its call (an SBIR topic, so a hand-off between
ministries counts each phase for the ministry that funded it), else the
program owner's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from openrd.accounts.models import Organisation, OrganisationKind
from openrd.awards.models import Award, AwardBudget, StageGate
from openrd.core.fiscal import fiscal_year_bounds
from openrd.programs.models import Program
from openrd.strategy import metric_store
from openrd.strategy.models import SpecifiedSubsidy, Target, TargetKind

SBIR_PROGRAM = "sbir"
PHASE3 = "phase3"
# The strategy's indicator that carries the Cabinet's yearly targets (seed l.1162, l.1164).
SPENDING_INDICATOR = "sbir-startup-spending"
# The actual spending per year and ministry, kept in the metric store.
ACTUALS = "sbir_actuals"


def startup_or_sme(prefix: str = "") -> Q:
    """An award to a startup, or to an organisation recorded as a small or
    medium-sized enterprise (``prefix`` reaches the award from another model)."""
    return Q(**{f"{prefix}institution__kind": OrganisationKind.STARTUP}) | Q(
        **{f"{prefix}institution__is_sme": True}
    )


def counted_lines() -> QuerySet[AwardBudget]:
    """The budget lines that count toward a ministry's spending, each annotated
    with the ``ministry`` (an organisation id) it counts for."""
    tagged = SpecifiedSubsidy.objects.filter(
        fiscal_year=OuterRef("fiscal_year"),
        program=OuterRef("award__program"),
        ministry=OuterRef("ministry"),
    )
    return (
        AwardBudget.objects.filter(startup_or_sme("award__"))
        .annotate(ministry=Coalesce("award__call__presenting_ministry", "award__program__owner"))
        .filter(Exists(tagged))
    )


def sbir_spending_yen(program: Program | None) -> dict[int, Decimal]:
    """Actual spending on startups and SMEs from the specified subsidies, all
    ministries together, per fiscal year (the metric behind the indicator)."""
    rows = counted_lines()
    if program is not None:
        rows = rows.filter(award__program=program)
    grouped = rows.values("fiscal_year").annotate(total=Sum("amount_yen")).order_by("fiscal_year")
    return {row["fiscal_year"]: Decimal(row["total"]) for row in grouped}


def percent_of(part: int, whole: int | None) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to one decimal (None without a whole)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"))


@dataclass
class MinistrySpending:
    ministry: Organisation
    planned_yen: int = 0
    actual_yen: int = 0
    subsidies: list[SpecifiedSubsidy] = field(default_factory=list)

    @property
    def share_of_plan(self) -> Decimal | None:
        return percent_of(self.actual_yen, self.planned_yen)


@dataclass
class SpendingYear:
    fiscal_year: int
    target: Target | None
    ministries: list[MinistrySpending]
    computed_at: datetime | None = None  # when the actual spending was last rolled up
    stale: bool = False  # the records changed since; the roll-up is being updated

    @property
    def planned_yen(self) -> int:
        return sum(m.planned_yen for m in self.ministries)

    @property
    def actual_yen(self) -> int:
        return sum(m.actual_yen for m in self.ministries)

    @property
    def target_yen(self) -> int | None:
        return int(self.target.value) if self.target is not None else None

    @property
    def share_of_plan(self) -> Decimal | None:
        return percent_of(self.actual_yen, self.planned_yen)

    def share_of(self, amount: int) -> Decimal | None:
        """An amount as a percentage of the Cabinet's target (None without one)."""
        return percent_of(amount, self.target_yen)


def cabinet_target(fiscal_year: int) -> Target | None:
    return (
        Target.objects.filter(
            indicator__code=SPENDING_INDICATOR, fiscal_year=fiscal_year, kind=TargetKind.FINAL
        )
        .order_by("-indicator__measure__strategy__year")
        .first()
    )


def spending_year(fiscal_year: int) -> SpendingYear:
    """The year's target against each counted ministry's plan and actual
    spending, ministries in their code's order (a list, never a ranking)."""
    subsidies = list(
        SpecifiedSubsidy.objects.filter(fiscal_year=fiscal_year)
        .select_related("ministry", "program")
        .order_by("ministry__code", "program__code")
    )
    by_ministry: dict[int, MinistrySpending] = {}
    for s in subsidies:
        row = by_ministry.setdefault(s.ministry_id, MinistrySpending(s.ministry))
        row.planned_yen += s.planned_yen
        row.subsidies.append(s)
    stored = metric_store.read_result(ACTUALS)
    for ministry, total in (stored.payload or {}).get(str(fiscal_year), {}).items():
        if int(ministry) in by_ministry:  # else untagged since the store was computed
            by_ministry[int(ministry)].actual_yen = total
    ordered = sorted(by_ministry.values(), key=lambda m: m.ministry.code)
    return SpendingYear(
        fiscal_year, cabinet_target(fiscal_year), ordered, stored.computed_at, stored.stale
    )


def actuals_result() -> dict[str, dict[str, int]]:
    """Actual spending per fiscal year and ministry (ids), as JSON for the metric
    store: one grouped pass over the counted lines for every year at once."""
    grouped = (
        counted_lines()
        .values("fiscal_year", "ministry")  # type: ignore[misc]  # counted_lines' annotation
        .annotate(total=Sum("amount_yen"))
        .order_by()
    )
    result: dict[str, dict[str, int]] = {}
    for row in grouped:
        result.setdefault(str(row["fiscal_year"]), {})[str(row["ministry"])] = int(row["total"])
    return result


def spending_years() -> list[int]:
    """The fiscal years with a target or a counted subsidy, oldest first."""
    tagged = set(SpecifiedSubsidy.objects.values_list("fiscal_year", flat=True).distinct())
    targeted = set(
        Target.objects.filter(indicator__code=SPENDING_INDICATOR).values_list(
            "fiscal_year", flat=True
        )
    )
    return sorted(tagged | targeted)


def phase3_projects(fiscal_year: int) -> QuerySet[Award]:
    """SBIR Phase 3 awards running in the fiscal year, for the council of the
    ministries' responsible officials (seed l.1181): each with its budget for
    the year (``year_yen``), stage gates and reports."""
    start, end = fiscal_year_bounds(fiscal_year)
    return (
        Award.objects.filter(
            program__code=SBIR_PROGRAM, element__code=PHASE3, starts_on__lte=end, ends_on__gte=start
        )
        .select_related("institution", "call__presenting_ministry", "program__owner")
        .prefetch_related(
            Prefetch("stage_gates", queryset=StageGate.objects.order_by("due_on", "id")),
            "reports",
        )
        .annotate(
            year_yen=Sum(
                "budget_lines__amount_yen", filter=Q(budget_lines__fiscal_year=fiscal_year)
            )
        )
        .order_by("starts_on", "grant_number")
    )
