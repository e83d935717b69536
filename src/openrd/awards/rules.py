"""The life of an award and its stage gates, as tables, and the program's limits.

An award is active from its start; it may be suspended and resumed, and it ends
completed, terminated or spun out (a project that leaves the program to go on
as a company or a project of its own). A stage gate's evaluation decides:
continue, continue with changes (budget or scope), terminate or spin out; the
last two end the award. The period of an award never exceeds the program's
maximum (Moonshot up to 10 years, SIP 5), and every budget year lies inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from openrd.awards.models import AwardStatus as A
from openrd.awards.models import GateOutcome as G
from openrd.core.decisions import Decision, Reason
from openrd.core.fiscal import fiscal_year_of, format_wareki_date
from openrd.core.i18n import current_lang
from openrd.programs.rules import ProgramRules, add_years

AWARD_SOURCE = "各制度の実施要領・交付要綱（研究期間、ステージゲート評価）"

AWARD_TRANSITIONS: dict[str, frozenset[str]] = {
    A.ACTIVE: frozenset({A.SUSPENDED, A.TERMINATED, A.COMPLETED, A.SPUN_OUT}),
    A.SUSPENDED: frozenset({A.ACTIVE, A.TERMINATED}),
    A.TERMINATED: frozenset(),
    A.COMPLETED: frozenset(),
    A.SPUN_OUT: frozenset(),
}
# What a gate's outcome does to its award (None: the award goes on as it is).
GATE_EFFECT: dict[str, str | None] = {
    G.CONTINUE: None,
    G.MODIFY: None,
    G.TERMINATE: A.TERMINATED,
    G.SPIN_OUT: A.SPUN_OUT,
}


def _reason(code: str, message: str, source: str = AWARD_SOURCE) -> Reason:
    return Reason(code, message, source)


def last_day(starts_on: date, years: int) -> date:
    """The last day of a period of ``years`` years from ``starts_on``: 2025-04-01 for
    10 years ends on 2035-03-31."""
    return add_years(starts_on, years) - timedelta(days=1)


def check_award_period(
    rules: ProgramRules, starts_on: date, ends_on: date, budget_years: Iterable[int]
) -> Decision:
    """The period fits the program's maximum and every budget year lies within it."""
    reasons: list[Reason] = []
    if ends_on < starts_on:
        reasons.append(
            _reason("award.ends_before_start", _("The award cannot end before it starts."))
        )
    limit = rules.max_duration_years
    if limit is not None and ends_on > last_day(starts_on, limit):
        reasons.append(
            _reason(
                "award.period_too_long",
                _("Support lasts at most %(years)d years: this award would end after %(last)s.")
                % {
                    "years": limit,
                    "last": format_wareki_date(last_day(starts_on, limit), current_lang()),
                },
                rules.cite("max_duration_years"),
            )
        )
    first, last = fiscal_year_of(starts_on), fiscal_year_of(ends_on)
    outside = sorted(y for y in set(budget_years) if not first <= y <= last)
    if outside:
        reasons.append(
            _reason(
                "award.budget_outside_period",
                _("Budget years outside the award's period: %(years)s.")
                % {"years": ", ".join(f"FY{y}" for y in outside)},
            )
        )
    return Decision(tuple(reasons))


@dataclass(frozen=True)
class AwardFacts:
    status: str


def check_award_transition(facts: AwardFacts, target: str) -> Decision:
    if target not in AWARD_TRANSITIONS.get(facts.status, frozenset()):
        return Decision.of(
            _reason(
                "award.transition_not_allowed",
                _("This step is not possible for an award in this state: %(status)s.")
                % {"status": str(A(facts.status).label)},
            )
        )
    return Decision()


@dataclass(frozen=True)
class GateFacts:
    status: str
    award_status: str
    program_has_gates: bool
    reasons: str
    changes: str = ""


def _gate_open(facts: GateFacts) -> list[Reason]:
    out = []
    if facts.status != G.PENDING:
        out.append(_reason("award.gate_decided", _("This stage gate has been evaluated already.")))
    if facts.award_status != A.ACTIVE:
        out.append(
            _reason("award.gate_award_not_active", _("Only an active award passes a stage gate."))
        )
    if not facts.program_has_gates:
        out.append(_reason("award.program_without_gates", _("This program has no stage gates.")))
    if not facts.reasons.strip():
        out.append(_reason("award.gate_reasons_missing", _("Give the reasons for the evaluation.")))
    return out


def _gate_modify(facts: GateFacts) -> list[Reason]:
    if facts.changes.strip():
        return []
    return [_reason("award.gate_changes_missing", _("Say what changes: the budget or the scope."))]


_GATE_GUARDS: dict[str, Callable[[GateFacts], list[Reason]]] = {
    G.CONTINUE: lambda facts: [],
    G.MODIFY: _gate_modify,
    G.TERMINATE: lambda facts: [],
    G.SPIN_OUT: lambda facts: [],
}
assert set(_GATE_GUARDS) == set(GATE_EFFECT)


def check_gate_evaluation(facts: GateFacts, outcome: str) -> Decision:
    """Whether the PD/PM may record ``outcome`` at this gate now, with every reason."""
    if outcome not in _GATE_GUARDS:
        return Decision.of(
            _reason("award.gate_outcome_unknown", _("Choose an outcome from the list."))
        )
    return Decision(tuple(_gate_open(facts) + _GATE_GUARDS[outcome](facts)))
