"""A PD's portfolio of one Moonshot goal or SIP theme: every project funded under it,
with its stage, its budget by fiscal year and its gate history, and the totals.

Read in a bounded number of queries whatever the number of awards: the element
(with its program), the awards, their budget lines, their gates. Only what the
public award records show is read (no review, no evaluator).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q

from openrd.awards.models import Award, AwardBudget, GateOutcome, StageGate
from openrd.programs.models import Program, ProgramElement

# The outcomes after which the project goes on to its next stage.
PASSED = frozenset({GateOutcome.CONTINUE, GateOutcome.MODIFY})


@dataclass(frozen=True)
class ProjectRow:
    award: Award
    budget: dict[int, int]  # fiscal year -> yen
    gates: list[StageGate]  # in order: due date, then id

    @property
    def total(self) -> int:
        return sum(self.budget.values())

    @property
    def stage(self) -> int:
        """How many gates the project has passed (continue, or continue with changes)."""
        return sum(1 for g in self.gates if g.status in PASSED)

    @property
    def next_gate(self) -> StageGate | None:
        """The first gate not evaluated yet, if any."""
        return next((g for g in self.gates if g.status == GateOutcome.PENDING), None)

    @property
    def grant_number(self) -> str:
        return self.award.grant_number

    @property
    def title(self) -> str:
        return self.award.title

    @property
    def pi_name(self) -> str:
        return self.award.pi_name

    @property
    def institution(self) -> str:
        return str(self.award.institution.name)

    @property
    def status(self) -> str:
        return self.award.status

    @property
    def status_label(self) -> str:
        return str(self.award.get_status_display())

    @property
    def starts_on(self) -> date:
        return self.award.starts_on

    @property
    def ends_on(self) -> date:
        return self.award.ends_on


@dataclass(frozen=True)
class Portfolio:
    program: Program
    element: ProgramElement
    projects: list[ProjectRow]
    fiscal_years: list[int]  # every year any project has a budget for, oldest first

    @property
    def totals_by_year(self) -> list[tuple[int, int]]:
        sums: dict[int, int] = defaultdict(int)
        for row in self.projects:
            for year, amount in row.budget.items():
                sums[year] += amount
        return [(year, sums[year]) for year in self.fiscal_years]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.projects)

    def amounts(self, row: ProjectRow) -> list[int | None]:
        """The row's budget in the portfolio's fiscal years (None: no budget that year)."""
        return [row.budget.get(year) for year in self.fiscal_years]


def portfolio(program_code: str, element_code: str) -> Portfolio:
    """The portfolio of the element ``element_code`` of the program ``program_code``:
    the awards whose element is it or one of its children. Four queries.

    Raises ``ProgramElement.DoesNotExist`` for an unknown program or element.
    """
    element = ProgramElement.objects.select_related("program").get(
        program__code=program_code, code=element_code
    )
    under = ProgramElement.objects.filter(Q(pk=element.pk) | Q(parent_id=element.pk)).values("pk")
    awards = (
        Award.objects.filter(program_id=element.program_id, element__in=under)
        .select_related("institution")
        .prefetch_related(
            Prefetch("budget_lines", queryset=AwardBudget.objects.order_by("fiscal_year")),
            Prefetch("stage_gates", queryset=StageGate.objects.order_by("due_on", "id")),
        )
        .order_by("grant_number")
    )
    projects = [
        ProjectRow(
            award=a,
            budget={b.fiscal_year: b.amount_yen for b in a.budget_lines.all()},
            gates=list(a.stage_gates.all()),
        )
        for a in awards
    ]
    years = sorted({year for row in projects for year in row.budget})
    return Portfolio(
        program=element.program, element=element, projects=projects, fiscal_years=years
    )
