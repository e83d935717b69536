"""Whether a proposal's content may be submitted: every rule, all failing reasons at once.

Pure: the service gathers the facts (call, applicant's organisation, disclosure,
working copy) into a SubmissionFacts value; nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason
from openrd.core.fiscal import TOKYO
from openrd.integrity.rules import DisclosureFacts, check_disclosure_complete
from openrd.integrity.rules.checklists import ChecklistFacts, check_institution_checklist
from openrd.integrity.rules.effort import EffortFacts, check_awarded_effort
from openrd.integrity.rules.registry import RestrictionFacts, check_not_restricted
from openrd.programs.rules import (
    ApplicantFacts,
    ProgramRules,
    check_applicant,
    check_call_accepting,
)
from openrd.proposals.rules.members import MemberFacts, check_members

CALL_TERMS = "公募要領"  # the call's own terms: caps, budget years, documents


@dataclass(frozen=True)
class BudgetLine:
    fiscal_year: int
    amount_yen: int


@dataclass(frozen=True)
class SubmissionFacts:
    now: datetime
    call_status: str
    opens_at: datetime
    closes_at: datetime
    rules: ProgramRules
    applicant: ApplicantFacts
    disclosure: DisclosureFacts
    cap_per_proposal_yen: int
    first_budget_year: int
    last_budget_year: int
    budget: tuple[BudgetLine, ...]
    effort_percent: int | None
    required_documents: tuple[tuple[str, str], ...]  # (code, name in the active language)
    attached_documents: frozenset[str]
    has_title: bool
    call_code: str = ""
    members: tuple[MemberFacts, ...] = ()
    # The integrity office's facts about the applicant, gathered by integrity.queries.
    restrictions: RestrictionFacts | None = None
    checklist: ChecklistFacts | None = None
    effort: EffortFacts | None = None


def check_budget(facts: SubmissionFacts) -> Decision:
    reasons: list[Reason | None] = []
    if not facts.budget:
        reasons.append(
            Reason("budget.missing", _("Enter the budget for each fiscal year."), CALL_TERMS)
        )
    total = sum(line.amount_yen for line in facts.budget)
    if total > facts.cap_per_proposal_yen:
        reasons.append(
            Reason(
                "budget.over_cap",
                _("The total budget exceeds the call's cap per proposal."),
                CALL_TERMS,
            )
        )
    outside = sorted(
        line.fiscal_year
        for line in facts.budget
        if not facts.first_budget_year <= line.fiscal_year <= facts.last_budget_year
    )
    if outside:
        reasons.append(
            Reason(
                "budget.outside_call_years",
                _("Budget years %(years)s are outside the call's fiscal years %(first)d–%(last)d.")
                % {
                    "years": ", ".join(f"FY{y}" for y in outside),
                    "first": facts.first_budget_year,
                    "last": facts.last_budget_year,
                },
                CALL_TERMS,
            )
        )
    return Decision.of(*reasons)


def check_effort(effort_percent: int | None) -> Decision:
    if effort_percent is None or not 1 <= effort_percent <= 100:
        return Decision.of(
            Reason(
                "effort.out_of_range",
                _("Effort must be a whole percentage from 1 to 100."),
                "競争的研究費の適正な執行に関する指針（エフォートの管理）",
            )
        )
    return Decision()


def check_documents(facts: SubmissionFacts) -> Decision:
    return Decision.of(
        *(
            Reason(
                f"document.missing.{code}",
                _("A required document is missing: %(document)s.") % {"document": name},
                CALL_TERMS,
            )
            for code, name in facts.required_documents
            if code not in facts.attached_documents
        )
    )


def check_content(facts: SubmissionFacts) -> Decision:
    """The rules on what the applicant fills in (title, budget, effort, documents);
    the editor marks as required exactly the fields these refuse when empty."""
    title = Decision.of(
        None
        if facts.has_title
        else Reason(
            "proposal.title_missing", _("Enter a title in Japanese or English."), CALL_TERMS
        )
    )
    return title + check_budget(facts) + check_effort(facts.effort_percent) + check_documents(facts)


def check_submission(facts: SubmissionFacts) -> Decision:
    """All the rules a submission must pass, in the order the applicant reads them."""
    call_opened_on = facts.opens_at.astimezone(TOKYO).date()
    return (
        check_call_accepting(
            facts.call_status, facts.opens_at, facts.closes_at, facts.now, call_code=facts.call_code
        )
        + check_not_restricted(facts.restrictions)
        + check_disclosure_complete(facts.disclosure)
        + check_institution_checklist(facts.checklist)
        + check_applicant(facts.rules, facts.applicant, on=call_opened_on)
        + check_content(facts)
        + check_members({b.fiscal_year: b.amount_yen for b in facts.budget}, facts.members)
        + check_awarded_effort(facts.effort)
    )
