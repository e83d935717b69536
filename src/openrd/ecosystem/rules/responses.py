"""The life of a startup's proposal to a procurement challenge, as a table.

submitted → shortlisted → pilot → contracted; the owner may decline a
proposal at any step before the contract, and the company may withdraw it
before a pilot starts. A contract names its legal basis from the list the
owner may use (a ministry's basis is not a municipality's), its date, and the
pilot it follows; every step is the owner's but the withdrawal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason

SUBMITTED, SHORTLISTED, PILOT, CONTRACTED, DECLINED, WITHDRAWN = (
    "submitted", "shortlisted", "pilot", "contracted", "declined", "withdrawn",
)  # fmt: skip
TRANSITIONS: dict[str, frozenset[str]] = {
    SUBMITTED: frozenset({SHORTLISTED, DECLINED, WITHDRAWN}),
    SHORTLISTED: frozenset({PILOT, DECLINED, WITHDRAWN}),
    PILOT: frozenset({CONTRACTED, DECLINED}),
    CONTRACTED: frozenset(),
    DECLINED: frozenset(),
    WITHDRAWN: frozenset(),
}
# The one step that is the company's, not the owner's.
BY_COMPANY = frozenset({WITHDRAWN})
SOURCE = "OpenRD 調達チャレンジ運用規程（提案・選考・実証・契約）"


@dataclass(frozen=True)
class Basis:
    code: str
    name: str
    law: str
    owners: frozenset[str]  # national, municipal
    source: str  # the citation


@dataclass(frozen=True)
class StepFacts:
    current: str
    target: str
    today: date
    by_company: bool  # the company's officer asks, not the owner
    owner_kind: str  # national or municipal
    basis: Basis | None = None  # for a contract
    contracted_on: date | None = None
    pilot_starts_on: date | None = None
    note: str = ""


def _reason(code: str, message: str, source: str = SOURCE) -> Reason:
    return Reason(code, message, source)


def check_step(facts: StepFacts) -> Decision:
    """Whether the step may be taken, with every reason it may not."""
    if facts.target not in TRANSITIONS.get(facts.current, frozenset()):
        return Decision.of(_reason(
            "response.no_such_step",
            _("A proposal in this state cannot move there."),
        ))  # fmt: skip
    if facts.by_company != (facts.target in BY_COMPANY):
        who = (
            _("Only the company may withdraw its proposal.")
            if facts.target in BY_COMPANY
            else _("Only the challenge's owner decides on a proposal.")
        )
        return Decision.of(_reason("response.not_yours", who))
    reasons: list[Reason | None] = []
    if facts.target == DECLINED and not facts.note.strip():
        reasons.append(_reason("response.decline_needs_reason",
                               _("Say why the proposal is not taken forward.")))  # fmt: skip
    if facts.target == PILOT and facts.pilot_starts_on is None:
        reasons.append(_reason("response.pilot_needs_start",
                               _("Enter the day the pilot starts.")))  # fmt: skip
    if facts.target == CONTRACTED:
        reasons.extend(_contract(facts))
    return Decision.of(*reasons)


def _contract(facts: StepFacts) -> list[Reason | None]:
    if facts.basis is None:
        return [_reason("response.contract_needs_basis",
                        _("Choose the legal basis of the contract."))]  # fmt: skip
    reasons: list[Reason | None] = []
    if facts.owner_kind not in facts.basis.owners:
        reasons.append(_reason(
            "response.basis_not_for_owner",
            _("%(basis)s is not a basis this owner can contract under.")
            % {"basis": facts.basis.name},
            facts.basis.source,
        ))  # fmt: skip
    if facts.contracted_on is None:
        reasons.append(_reason("response.contract_needs_date",
                               _("Enter the day the contract was signed.")))  # fmt: skip
    elif facts.contracted_on > facts.today:
        reasons.append(_reason(
            "response.contract_in_future",
            _("A contract is recorded once it is signed, not before."),
        ))  # fmt: skip
    elif facts.pilot_starts_on is not None and facts.contracted_on < facts.pilot_starts_on:
        reasons.append(_reason("response.contract_before_pilot",
                               _("The contract follows the pilot: it cannot be signed before "
                                 "the pilot starts.")))  # fmt: skip
    return reasons
