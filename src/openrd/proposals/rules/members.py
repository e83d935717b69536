"""The rules on co-investigators, pure (no database): who is still to answer an
invitation, and the budget shares (分担金) against the proposal's budget.

A co-investigator (研究分担者) may hold a share of the budget for each fiscal year
of it, and for each year the shares together cannot exceed the proposal's budget
for that year; a collaborator (研究協力者) holds no share. A submission waits for
every invitation to be answered (accepted, declined, or withdrawn by the applicant).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason

CO_INVESTIGATOR, COLLABORATOR = "co_investigator", "collaborator"
INVITED, ACCEPTED = "invited", "accepted"
LIVE = frozenset({INVITED, ACCEPTED})
# e-Rad's own terms: a co-investigator must consent before the applicant submits.
ERAD_TERMS = "府省共通研究開発管理システム（e-Rad）研究分担者の承諾"
CALL_TERMS = "公募要領"


@dataclass(frozen=True)
class MemberFacts:
    name: str
    role: str
    status: str
    shares: tuple[tuple[int, int], ...] = ()  # (fiscal year, yen)


def check_answered(members: Sequence[MemberFacts]) -> Decision:
    """No invitation may still await an answer when the proposal is submitted."""
    pending = [m.name for m in members if m.status == INVITED]
    if not pending:
        return Decision()
    return Decision.of(
        Reason(
            "members.pending",
            _(
                "These invitations still await an answer: %(names)s. Wait until they "
                "answer, or withdraw the invitations, in the co-investigators section."
            )
            % {"names": "、".join(pending)},
            ERAD_TERMS,
        )
    )


def share_errors(
    budget: Mapping[int, int], members: Sequence[MemberFacts]
) -> list[tuple[str, str]]:
    """What is wrong with the shares of the live members, as (code, message):
    a collaborator with a share, a year outside the budget, a year over its budget."""
    problems: list[tuple[str, str]] = []
    live = [m for m in members if m.status in LIVE]
    for m in live:
        if m.role == COLLABORATOR and any(amount for _y, amount in m.shares):
            problems.append(
                (
                    "members.collaborator_share",
                    _("%(name)s is a collaborator, who holds no budget share.") % {"name": m.name},
                )
            )
    shared: dict[int, int] = {}
    for m in live:
        if m.role != CO_INVESTIGATOR:
            continue
        for year, amount in m.shares:
            shared[year] = shared.get(year, 0) + amount
    outside = sorted(y for y, amount in shared.items() if amount and y not in budget)
    if outside:
        problems.append(
            (
                "members.share_outside_budget",
                _("Budget shares for %(years)s are for years without a budget.")
                % {"years": ", ".join(f"FY{y}" for y in outside)},
            )
        )
    over = sorted(y for y, amount in shared.items() if y in budget and amount > budget[y])
    if over:
        problems.append(
            (
                "members.shares_over_budget",
                _("The budget shares for %(years)s add up to more than the budget of that year.")
                % {"years": ", ".join(f"FY{y}" for y in over)},
            )
        )
    return problems


def check_shares(budget: Mapping[int, int], members: Sequence[MemberFacts]) -> Decision:
    return Decision.of(
        *(Reason(code, message, CALL_TERMS) for code, message in share_errors(budget, members))
    )


def check_members(budget: Mapping[int, int], members: Sequence[MemberFacts]) -> Decision:
    """Every rule on the members a submission must pass."""
    return check_answered(members) + check_shares(budget, members)
