"""The life of an award and its stage gates, as tables, and the program's limits.

An award is active from its start; it may be suspended and resumed, and it ends
completed, terminated or spun out (a project that leaves the program to go on
as a company or a project of its own). A stage gate's evaluation decides:
continue, continue with changes (budget or scope), terminate or spin out; the
last two end the award. The period of an award never exceeds the program's
maximum (Moonshot up to 10 years, SIP 5), and every budget year lies inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from openrd.awards.models import AwardStatus as A
from openrd.awards.models import GateOutcome as G
from openrd.awards.models import ReportKind as K
from openrd.awards.models import ReportStatus as R
from openrd.core.decisions import Decision, Reason
from openrd.core.fiscal import fiscal_year_of, format_fiscal_year, format_wareki_date
from openrd.core.i18n import current_lang
from openrd.core.money import format_yen
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


# ---------------------------------------------------------------- reports (年次報告・終了報告)

REPORT_SOURCE = "各制度の委託研究契約事務処理説明書・交付要綱（年次報告書、終了報告書）"

REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    R.DUE: frozenset({R.SUBMITTED}),
    R.SUBMITTED: frozenset({R.ACCEPTED, R.RETURNED}),
    R.RETURNED: frozenset({R.SUBMITTED}),
    R.ACCEPTED: frozenset(),
}
# A report is written for an award that runs or has just ended as planned; a
# suspended, terminated or spun-out award reports by the agency's own instruction.
REPORTING_AWARD_STATES: frozenset[str] = frozenset({A.ACTIVE, A.COMPLETED})

# The final report (終了報告書, the 実績報告書 of many programs) is due 61 days after
# the award's last day: many Japanese programs ask for it "within 61 days of the end
# of the research period, or by 31 May for a period ending with the fiscal year";
# 61 days is the first of the two, and the one that fits every end date.
FINAL_REPORT_WITHIN = timedelta(days=61)
# A progress report covers one fiscal year (April to March) and is due two months
# after it ends: by 31 May.
PROGRESS_REPORT_DUE = (5, 31)


def report_schedule(starts_on: date, ends_on: date) -> list[tuple[str, int | None, date]]:
    """(kind, fiscal_year, due_on) of every report an award of this period owes: a
    progress report for each fiscal year but the last (FY2024, ending 31 March 2025,
    is due 31 May 2025), and the final report 61 days after ``ends_on``."""
    first, last = fiscal_year_of(starts_on), fiscal_year_of(ends_on)
    month, day = PROGRESS_REPORT_DUE
    out: list[tuple[str, int | None, date]] = [
        (K.PROGRESS, fy, date(fy + 1, month, day)) for fy in range(first, last)
    ]
    out.append((K.FINAL, None, ends_on + FINAL_REPORT_WITHIN))
    return out


@dataclass(frozen=True)
class ReportFacts:
    status: str
    award_status: str
    body: str = ""
    comment: str = ""


def _report_submit(facts: ReportFacts) -> list[Reason]:
    out = []
    if not facts.body.strip():
        out.append(
            _reason(
                "award.report_empty", _("Write the report before submitting it."), REPORT_SOURCE
            )
        )
    if facts.award_status not in REPORTING_AWARD_STATES:
        out.append(
            _reason(
                "award.report_award_not_reporting",
                _("Reports are submitted for an active award or one that has just been completed."),
                REPORT_SOURCE,
            )
        )
    return out


def _report_return(facts: ReportFacts) -> list[Reason]:
    if facts.comment.strip():
        return []
    return [
        _reason(
            "award.report_comment_missing",
            _("Say what the principal investigator should change."),
            REPORT_SOURCE,
        )
    ]


_REPORT_GUARDS: dict[str, Callable[[ReportFacts], list[Reason]]] = {
    R.SUBMITTED: _report_submit,
    R.ACCEPTED: lambda facts: [],
    R.RETURNED: _report_return,
}
assert set(_REPORT_GUARDS) == {t for targets in REPORT_TRANSITIONS.values() for t in targets}


def check_report_transition(facts: ReportFacts, target: str) -> Decision:
    """Whether the report may move to ``target`` now, with every reason."""
    if target not in REPORT_TRANSITIONS.get(facts.status, frozenset()):
        return Decision.of(
            _reason(
                "award.report_transition_not_allowed",
                _("This step is not possible for a report in this state: %(status)s.")
                % {"status": str(R(facts.status).label)},
                REPORT_SOURCE,
            )
        )
    return Decision(tuple(_REPORT_GUARDS[target](facts)))


# ---------------------------------------------------------------- members and matching funds

MEMBER_SOURCE = "各制度の委託研究契約事務処理説明書・交付要綱（研究代表者・研究分担者、分担金）"


@dataclass(frozen=True)
class MemberReason(Reason):
    """A reason about one row of the member list (``row`` None: about the whole list),
    so a form can show it beside the field it is about."""

    row: int | None = None
    field: str = ""


@dataclass(frozen=True)
class AwardMemberFacts:
    """One row of an award's member list, as given."""

    name: str
    role: str
    share_percent: int
    person_id: int | None = None


def _member_reason(
    code: str, message: str, row: int | None = None, field: str = ""
) -> MemberReason:
    return MemberReason(code, message, MEMBER_SOURCE, row=row, field=field)


def check_member_shares(members: Iterable[AwardMemberFacts]) -> Decision:
    """The members' shares of the budget: each 0–100 and together 100, one principal
    investigator, nobody twice. A reason per row where it is about one row."""
    rows = list(members)
    reasons: list[Reason] = []
    seen: set[tuple[str, object]] = set()
    pis = 0
    for i, m in enumerate(rows):
        if not 0 <= m.share_percent <= 100:
            reasons.append(
                _member_reason(
                    "award.member.share_out_of_range",
                    _("The share of %(name)s must be between 0 and 100 percent.")
                    % {"name": m.name},
                    i,
                    "share_percent",
                )
            )
        if m.role == "pi":
            pis += 1
            if pis == 2:
                reasons.append(
                    _member_reason(
                        "award.member.pi_twice",
                        _("An award has one principal investigator: %(name)s is a second.")
                        % {"name": m.name},
                        i,
                        "role",
                    )
                )
        key = ("person", m.person_id) if m.person_id else ("name", "".join(m.name.split()))
        if key in seen:
            reasons.append(
                _member_reason(
                    "award.member.twice",
                    _("%(name)s is on the list twice.") % {"name": m.name},
                    i,
                    "name_ja",
                )
            )
        seen.add(key)
    if not pis:
        reasons.append(
            _member_reason("award.member.pi_missing", _("Name the principal investigator."))
        )
    total = sum(m.share_percent for m in rows)
    if total != 100:
        reasons.append(
            _member_reason(
                "award.member.shares_not_100",
                _("The shares add up to %(total)d percent; they must add up to 100.")
                % {"total": total},
            )
        )
    return Decision(tuple(reasons))


MATCHING_SOURCE = "各制度の実施要領（マッチングファンド）"


@dataclass(frozen=True)
class MatchingYear:
    """One fiscal year of an award's matching funds: what industry must contribute
    beside the public budget, what it did, and the decision (met, or short by)."""

    fiscal_year: int
    public_yen: int
    required_yen: int | None  # None: the program gives no ratio to compare with
    contributed_yen: int
    decision: Decision

    @property
    def met(self) -> bool | None:
        return None if self.required_yen is None else self.decision.allowed

    @property
    def short_yen(self) -> int:
        return max(0, (self.required_yen or 0) - self.contributed_yen)


def matching_status(
    ratio: float | None,
    budget_by_year: dict[int, int],
    matching_by_year: dict[int, int],
    *,
    source: str = MATCHING_SOURCE,
) -> list[MatchingYear]:
    """Each fiscal year's industry contributions against ``ratio`` × that year's public
    budget (rounded up to the yen), for every year with a budget or a contribution.
    ``source`` is the program's citation for the ratio."""
    from openrd.core.fiscal import format_fiscal_year
    from openrd.core.money import format_yen

    lang = current_lang()
    # In ten-thousandths, so 0.5 × an odd amount is exact in integers.
    parts = None if ratio is None else round(ratio * 10_000)
    result: list[MatchingYear] = []
    for year in sorted(set(budget_by_year) | set(matching_by_year)):
        public = budget_by_year.get(year, 0)
        given = matching_by_year.get(year, 0)
        required = None if parts is None else -(-public * parts // 10_000)
        reasons: tuple[Reason, ...] = ()
        if required is not None and given < required:
            reasons = (
                Reason(
                    "award.matching.short",
                    _(
                        "%(year)s: industry contributed %(given)s of the %(required)s "
                        "required; short by %(short)s."
                    )
                    % {
                        "year": format_fiscal_year(year, lang),
                        "given": format_yen(given, lang),
                        "required": format_yen(required, lang),
                        "short": format_yen(required - given, lang),
                    },
                    source,
                ),
            )
        result.append(MatchingYear(year, public, required, given, Decision(reasons)))
    return result


# ---------------------------------------------------------------- the gate schedule


def gate_schedule(
    rules: ProgramRules, starts_on: date, ends_on: date
) -> list[tuple[str, str, date]]:
    """(name_ja, name_en, due) of the gates the program's operating settings give an
    award of this period: one on the last day of each project year N of
    ``stage_gate_years`` that falls within the period, and with ``stage_gate_at_end``
    one on ``ends_on`` (unless a year's gate falls on that day already)."""
    out = [
        (f"第{n}年度末ステージゲート", f"Stage gate after year {n}", last_day(starts_on, n))
        for n in rules.stage_gate_years
        if last_day(starts_on, n) <= ends_on
    ]
    if rules.stage_gate_at_end and all(due != ends_on for _ja, _en, due in out):
        out.append(("フェーズ終了時ゲート", "Phase gate at the end", ends_on))
    return out


# ---------------------------------------------------------------- carry-over (繰越)

CARRY_OVER_SOURCE = "各制度の委託研究契約事務処理説明書・交付要綱（繰越）"
# Money is carried into the next fiscal year of an award that still runs; a
# suspended award keeps its budget for when it resumes.
CARRYING_AWARD_STATES: frozenset[str] = frozenset({A.ACTIVE, A.SUSPENDED})


@dataclass(frozen=True)
class BudgetYear:
    amount_yen: int
    carried_in_yen: int  # carried over into this year from the year before


@dataclass(frozen=True)
class CarryOverFacts:
    award_status: str
    starts_on: date
    ends_on: date
    budget: Mapping[int, BudgetYear]  # by fiscal year
    from_fiscal_year: int
    amount_yen: int
    reason: str


def carry_over_available(budget: Mapping[int, BudgetYear], fiscal_year: int) -> int:
    """What can still be carried out of ``fiscal_year``: its amount and what was
    carried into it, less what was carried out of it (into the next year) already."""
    year = budget.get(fiscal_year)
    if year is None:
        return 0
    following = budget.get(fiscal_year + 1)
    carried_out = following.carried_in_yen if following else 0
    return year.amount_yen + year.carried_in_yen - carried_out


def check_carry_over(facts: CarryOverFacts) -> Decision:
    """Whether ``amount_yen`` of ``from_fiscal_year`` may be carried into the next
    fiscal year, with every reason it may not."""
    reasons: list[Reason] = []

    def refuse(code: str, message: str) -> None:
        reasons.append(_reason(code, message, CARRY_OVER_SOURCE))

    if facts.award_status not in CARRYING_AWARD_STATES:
        refuse(
            "award.carry_over_award_not_running",
            _("Only an active or suspended award carries budget over."),
        )
    following = facts.from_fiscal_year + 1
    if not fiscal_year_of(facts.starts_on) <= following <= fiscal_year_of(facts.ends_on):
        refuse(
            "award.carry_over_next_year_outside_period",
            _("%(year)s is not within the award's period.")
            % {"year": format_fiscal_year(following, current_lang())},
        )
    elif following not in facts.budget:
        refuse(
            "award.carry_over_next_year_without_budget",
            _("%(year)s has no budget line to carry the money into.")
            % {"year": format_fiscal_year(following, current_lang())},
        )
    if facts.amount_yen <= 0:
        refuse("award.carry_over_amount_not_positive", _("Enter an amount above 0 yen."))
    else:
        available = carry_over_available(facts.budget, facts.from_fiscal_year)
        if facts.amount_yen > available:
            refuse(
                "award.carry_over_more_than_available",
                _("At most %(available)s can be carried over from %(year)s.")
                % {
                    "available": format_yen(max(available, 0), current_lang()),
                    "year": format_fiscal_year(facts.from_fiscal_year, current_lang()),
                },
            )
    if not facts.reason.strip():
        refuse("award.carry_over_reason_missing", _("Give the reason for the carry-over."))
    return Decision(tuple(reasons))


# The form field each refusal belongs to (the others are shown above the form).
CARRY_OVER_FIELDS: dict[str, str] = {
    "award.carry_over_next_year_outside_period": "from_fiscal_year",
    "award.carry_over_next_year_without_budget": "from_fiscal_year",
    "award.carry_over_amount_not_positive": "amount_yen",
    "award.carry_over_more_than_available": "amount_yen",
    "award.carry_over_reason_missing": "reason",
}
