"""Indicators computed from the system's own records, never typed in.

Each metric answers "value per fiscal year" for the whole system or one
program, from the same rows that run the programs: awards and their budget
lines, proposals and the agencies' selection decisions, and the repository's
mandated outputs. A metric is named by a code in the strategy file
(``indicators.computed``); ``DEFINITIONS`` says in both languages how each is
computed, for the pages and the API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from openrd.awards.models import Award, AwardBudget
from openrd.core.fiscal import fiscal_year_bounds, to_tokyo
from openrd.programs.models import Program
from openrd.proposals.models import Proposal
from openrd.repository import compliance_store
from openrd.repository.compliance import Assessed, assess, counted, with_facts
from openrd.repository.compliance_store import mandated
from openrd.repository.models import DepositStatus, Output
from openrd.review.models import Selection, SelectionOutcome
from openrd.strategy.analysis import concentration_result, funding_top10_share
from openrd.strategy.sbir import (
    ACTUALS,
    actuals_result,
    counted_lines,
    sbir_spending_yen,
    startup_or_sme,
)
from openrd.strategy.strategy_files import METRICS

ByYear = dict[int, Decimal]

STARTUP_OR_SME = startup_or_sme()


def _fiscal_year(field: str) -> Any:
    """The Japanese fiscal year of a date column, in SQL (April to March)."""
    return ExtractYear(field) - Case(
        When(**{f"{field}__month__lt": 4}, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _awards(program: Program | None) -> QuerySet[Award]:
    rows = Award.objects.all()
    return rows.filter(program=program) if program is not None else rows


def _counted(rows: QuerySet[Award]) -> ByYear:
    grouped = (
        rows.annotate(fy=_fiscal_year("starts_on")).values("fy").annotate(n=Count("id"))
    ).order_by("fy")
    return {row["fy"]: Decimal(row["n"]) for row in grouped}


def _budget(rows: QuerySet[Award]) -> ByYear:
    grouped = (
        AwardBudget.objects.filter(award__in=rows.values("pk"))
        .values("fiscal_year")
        .annotate(total=Sum("amount_yen"))
        .order_by("fiscal_year")
    )
    return {row["fiscal_year"]: Decimal(row["total"]) for row in grouped}


def award_count(program: Program | None) -> ByYear:
    return _counted(_awards(program))


def award_budget_yen(program: Program | None) -> ByYear:
    return _budget(_awards(program))


def startup_sme_awards(program: Program | None) -> ByYear:
    return _counted(_awards(program).filter(STARTUP_OR_SME))


def startup_sme_spending_yen(program: Program | None) -> ByYear:
    return _budget(_awards(program).filter(STARTUP_OR_SME))


def proposal_count(program: Program | None) -> ByYear:
    rows = Proposal.objects.filter(first_submitted_at__isnull=False)
    if program is not None:
        rows = rows.filter(call__program=program)
    grouped = rows.values("call__fiscal_year").annotate(n=Count("id")).order_by("call__fiscal_year")
    return {row["call__fiscal_year"]: Decimal(row["n"]) for row in grouped}


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def success_rate(program: Program | None) -> ByYear:
    """Selected among the proposals decided (selected or not), per call year."""
    decided = Selection.objects.filter(
        status__in=[SelectionOutcome.SELECTED, SelectionOutcome.REJECTED]
    )
    if program is not None:
        decided = decided.filter(round__call__program=program)
    grouped = (
        decided.values("round__call__fiscal_year")
        .annotate(n=Count("id"), selected=Count("id", filter=Q(status=SelectionOutcome.SELECTED)))
        .order_by("round__call__fiscal_year")
    )
    return {row["round__call__fiscal_year"]: _percent(row["selected"], row["n"]) for row in grouped}


def _outputs(program: Program | None) -> QuerySet[Output]:
    rows = Output.objects.all()
    return rows.filter(program=program) if program is not None else rows


def _today(today: date | None) -> date:
    return today or to_tokyo(timezone.now()).date()


def oa_share_mandated(program: Program | None, *, today: date | None = None) -> ByYear:
    """Open (compliant) among the outputs under the immediate-OA mandate, per
    fiscal year of the journal's publication; from the verdicts the repository
    keeps (``compliance_store``), one grouped query."""
    per_year = compliance_store.per_fiscal_year(_outputs(program), _today(today))
    return {
        fy: _percent(summary.compliant, summary.mandated)
        for fy, summary in sorted(per_year.items())
        if summary.mandated
    }


@dataclass(frozen=True)
class OutputsBehind:
    public: list[Assessed]  # the first published ones, each with its compliance explained
    total: int  # every mandated output the year's share counts
    unpublished: int  # counted, never named


def outputs_behind(
    program: Program | None, fiscal_year: int, *, today: date | None = None, limit: int = 200
) -> OutputsBehind:
    """The mandated outputs a year's OA share counts: the published ones named
    (the first ``limit``), the others only counted."""
    day = _today(today)
    rows = counted(_outputs(program)).filter(mandated(), compliance_fiscal_year=fiscal_year)
    compliance_store.judge_unjudged(limit=compliance_store.READ_JUDGES)
    tally = rows.aggregate(
        total=Count("pk"), unpublished=Count("pk", filter=~Q(status=DepositStatus.PUBLISHED))
    )
    public = with_facts(rows.filter(status=DepositStatus.PUBLISHED)).order_by("pk")[:limit]
    return OutputsBehind(assess(public, today=day), tally["total"], tally["unpublished"])


@dataclass(frozen=True)
class Metric:
    compute: Callable[[Program | None], ByYear]
    definition: Promise


DEFINITIONS: dict[str, Metric] = {
    "award_count": Metric(award_count, _("Awards starting in the fiscal year, counted.")),
    "award_budget_yen": Metric(
        award_budget_yen, _("The awards' budget lines for the fiscal year, summed (yen).")
    ),
    "proposal_count": Metric(
        proposal_count, _("Proposals submitted to calls of the fiscal year, counted.")
    ),
    "success_rate": Metric(
        success_rate,
        _(
            "Proposals selected among those decided (selected or not) in calls of the fiscal "
            "year, in percent."
        ),
    ),
    "oa_share_mandated": Metric(
        oa_share_mandated,
        _(
            "Outputs under the immediate open-access mandate that are open, among all such "
            "outputs published by the journal in the fiscal year, in percent."
        ),
    ),
    "startup_sme_awards": Metric(
        startup_sme_awards,
        _(
            "Awards to startups and small or medium-sized enterprises starting in the fiscal "
            "year, counted."
        ),
    ),
    "startup_sme_spending_yen": Metric(
        startup_sme_spending_yen,
        _(
            "The budget lines for the fiscal year of awards to startups and small or "
            "medium-sized enterprises, summed (yen)."
        ),
    ),
    "funding_top10_share": Metric(
        funding_top10_share,
        _(
            "The share of the fiscal year's award budget going to the tenth of principal "
            "investigators with the largest budgets that year, in percent."
        ),
    ),
    "sbir_spending_yen": Metric(
        sbir_spending_yen,
        _(
            "The budget lines for the fiscal year of awards to startups and small or "
            "medium-sized enterprises under the programs counted as a ministry's specified "
            "new-technology subsidies that year, summed (yen)."
        ),
    ),
}
# Analyses kept whole in the metric store (``metric_store.read_result``), not per year.
RESULTS: dict[str, Callable[[], Any]] = {
    "funding_concentration": concentration_result,
    ACTUALS: actuals_result,
}
# The file reader knows the codes without importing the models: keep them in step.
assert set(DEFINITIONS) == METRICS, "strategy_files.METRICS names the metrics defined here"


def awards_behind(code: str, program: Program | None, fiscal_year: int) -> QuerySet[Award] | None:
    """The awards a value of an award metric counts (public records, as awards
    are); None for the metrics over proposals, which are never public, and for
    the outputs' share (``outputs_behind``). Funding concentration is read
    over the year's budget lines, so its awards are those of the year's budget."""
    start, end = fiscal_year_bounds(fiscal_year)
    rows = _awards(program).select_related("program", "institution")
    if code in {"startup_sme_awards", "startup_sme_spending_yen"}:
        rows = rows.filter(STARTUP_OR_SME)
    if code in {"award_count", "startup_sme_awards"}:
        return rows.filter(starts_on__range=(start, end)).order_by("starts_on", "grant_number")
    if code == "sbir_spending_yen":
        rows = rows.filter(pk__in=counted_lines().filter(fiscal_year=fiscal_year).values("award"))
    if code in {"award_budget_yen", "startup_sme_spending_yen", "funding_top10_share",
                "sbir_spending_yen"}:  # fmt: skip
        # One budget line per award and year: the line's amount is the award's for
        # the year, read in the order of the index on (fiscal year, amount).
        return (
            rows.filter(budget_lines__fiscal_year=fiscal_year)
            .annotate(amount_yen=F("budget_lines__amount_yen"))
            .order_by("-amount_yen", "grant_number")
        )
    return None
