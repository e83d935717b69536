"""The command tower's analyses across programs, read live from the records:
success rates per funding agency and program, how concentrated the funding is
on few principal investigators, and the effort (エフォート) PIs give to their
awards. They describe the system; they set no targets, and they list agencies
and programs in code order, never ranked.

Concentration is the share of a fiscal year's award budget going to the tenth
of principal investigators with the largest budgets that year (the top decile,
rounded up, so a year with one PI reads 100%), with the Gini coefficient over
the PIs' budgets. An award without a PI account counts its recorded PI name.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from openrd.accounts.models import Organisation
from openrd.awards.models import Award, AwardBudget
from openrd.core.fiscal import fiscal_year_bounds
from openrd.programs.models import Program
from openrd.proposals.models import Proposal
from openrd.review.models import Selection, SelectionOutcome
from openrd.strategy import metric_store
from openrd.strategy.metric_store import Computed

TOP_SHARE = Decimal("0.1")
EFFORT_BANDS = ((0, 10), (10, 30), (30, 50), (50, 101))  # [low, high) in percent


@dataclass(frozen=True)
class RateRow:
    fiscal_year: int
    agency: Organisation
    program: Program
    submitted: int
    decided: int
    selected: int

    @property
    def rate(self) -> Decimal | None:
        """Selected among decided, in percent (None before any decision)."""
        if not self.decided:
            return None
        return (Decimal(self.selected) * 100 / self.decided).quantize(Decimal("0.1"))


def success_rates(fiscal_year: int | None = None) -> list[RateRow]:
    """Per call year, agency and program: proposals submitted, decided (selected
    or not; waitlisted ones are not decided yet) and selected."""
    submitted = Proposal.objects.filter(first_submitted_at__isnull=False)
    decisions = Selection.objects.filter(
        status__in=[SelectionOutcome.SELECTED, SelectionOutcome.REJECTED]
    )
    if fiscal_year is not None:
        submitted = submitted.filter(call__fiscal_year=fiscal_year)
        decisions = decisions.filter(round__call__fiscal_year=fiscal_year)
    counts: defaultdict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    keys = ("call__fiscal_year", "call__agency_id", "call__program_id")
    for row in submitted.values(*keys).annotate(n=Count("id")).order_by():
        counts[tuple(row[k] for k in keys)][0] = row["n"]
    decided_keys = tuple(f"round__{k}" for k in keys)
    grouped = decisions.values(*decided_keys).annotate(
        n=Count("id"), selected=Count("id", filter=Q(status=SelectionOutcome.SELECTED))
    )
    for row in grouped.order_by():
        counts[tuple(row[k] for k in decided_keys)][1:] = [row["n"], row["selected"]]
    agencies = Organisation.objects.in_bulk({a for _fy, a, _p in counts})
    programs = Program.objects.in_bulk({p for _fy, _a, p in counts})
    rows = [
        RateRow(fy, agencies[a], programs[p], *numbers) for (fy, a, p), numbers in counts.items()
    ]
    return sorted(rows, key=lambda r: (r.fiscal_year, r.agency.code, r.program.code))


@dataclass(frozen=True)
class Concentration:
    fiscal_year: int
    investigators: int
    total_yen: int
    top_count: int  # the top decile's size
    top_yen: int
    gini: Decimal

    @property
    def top_share(self) -> Decimal:
        if not self.total_yen:
            return Decimal(0)
        return (Decimal(self.top_yen) * 100 / self.total_yen).quantize(Decimal("0.1"))


def gini(amounts: list[int]) -> Decimal:
    """The Gini coefficient of the amounts (0: all equal; toward 1: one holds all)."""
    values = sorted(a for a in amounts if a >= 0)
    n, total = len(values), sum(values)
    if n == 0 or total == 0:
        return Decimal(0)
    weighted = sum((i + 1) * v for i, v in enumerate(values))
    g = Decimal(2 * weighted) / (n * total) - Decimal(n + 1) / n
    return g.quantize(Decimal("0.001"))


def concentration(amounts: list[int], fiscal_year: int) -> Concentration:
    """The funding's concentration over the PIs' budgets of one year."""
    ordered = sorted(amounts, reverse=True)
    top = math.ceil(len(ordered) * TOP_SHARE) if ordered else 0
    return Concentration(
        fiscal_year=fiscal_year,
        investigators=len(ordered),
        total_yen=sum(ordered),
        top_count=top,
        top_yen=sum(ordered[:top]),
        gini=gini(ordered),
    )


def funding_concentration(program: Program | None = None) -> list[Concentration]:
    """Per fiscal year, over each PI's summed budget lines of that year."""
    lines = AwardBudget.objects.all()
    if program is not None:
        lines = lines.filter(award__program=program)
    per_pi = (
        lines.annotate(who=Coalesce("award__pi__username", "award__pi_name_ja"))
        .values("fiscal_year", "who")
        .annotate(total=Sum("amount_yen"))
        .order_by()
    )
    by_year: dict[int, list[int]] = defaultdict(list)
    for row in per_pi:
        by_year[row["fiscal_year"]].append(int(row["total"]))
    return [concentration(amounts, fy) for fy, amounts in sorted(by_year.items())]


@dataclass(frozen=True)
class EffortYear:
    fiscal_year: int
    awards: int  # active in the year with a stated PI effort
    mean: Decimal
    bands: tuple[int, ...]  # awards per EFFORT_BANDS


def effort(fiscal_year: int) -> EffortYear:
    """The effort PIs stated for the awards active in the fiscal year (from the
    proposal each award was made on; awards recorded without one are left out)."""
    start, end = fiscal_year_bounds(fiscal_year)
    field = "proposal__effort_percent"
    bands = {
        f"band{i}": Count("pk", filter=Q(**{f"{field}__gte": low, f"{field}__lt": high}))
        for i, (low, high) in enumerate(EFFORT_BANDS)
    }
    row = Award.objects.filter(
        starts_on__lte=end, ends_on__gte=start, **{f"{field}__isnull": False}
    ).aggregate(n=Count("pk"), total=Sum(field), **bands)
    n = row["n"]
    mean = (Decimal(row["total"]) / n).quantize(Decimal("0.1")) if n else Decimal(0)
    return EffortYear(fiscal_year, n, mean, tuple(row[b] for b in bands))


def funding_top10_share(program: Program | None) -> dict[int, Decimal]:
    """The metric: the top decile's share of each year's budget, in percent."""
    return {c.fiscal_year: c.top_share for c in funding_concentration(program)}


def concentration_result() -> list[dict[str, Any]]:
    """``funding_concentration()`` as JSON, to be kept in the metric store."""
    return [{**asdict(c), "gini": str(c.gini)} for c in funding_concentration()]


def stored_concentration() -> tuple[list[Concentration], Computed]:
    """The funding's concentration as last computed (exact when it was quick to
    recompute; else with the time it was computed, refreshed by the scheduler)."""
    stored = metric_store.read_result("funding_concentration")
    rows = [Concentration(**{**r, "gini": Decimal(r["gini"])}) for r in stored.payload or []]
    return rows, stored
