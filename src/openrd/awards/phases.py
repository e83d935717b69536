"""Staged programs (SBIR Phase 1 → 2 → 3): each phase is a new selection, and a
project passes to the next phase only from an award of the phase before.

The seed's rule for the designated subsidies is "continuous support while
selecting in stages" (②段階的に選抜しながらの連続的支援): a Phase 2 award
continues a Phase 1 award of the same company, a Phase 3 award a Phase 2 one.
When the next phase is run under another ministry than the previous one, the
project is handed off (連結型): allowed, and recorded on the award and in the
audit log, so each ministry's spending counts what it funded.

:func:`check_next_phase` is pure; :func:`award_next_phase` is the service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from openrd.accounts.models import User
from openrd.awards import services
from openrd.awards.models import Award, AwardStatus
from openrd.core import audit
from openrd.core.decisions import Decision, Reason
from openrd.core.refusals import Refused
from openrd.programs.rules import RuleSource, program_rules
from openrd.review.models import Selection

STAGED_SOURCE = RuleSource(1173, "段階的に選抜しながらの連続的支援")
# An earlier phase's award counts once it is completed, or while active once its
# last stage gate said to go on (the next phase may start before it formally ends).
_PASSED_GATES = ("continue", "modify")


@dataclass(frozen=True)
class NextPhaseFacts:
    phases: tuple[str, ...]  # the program's phases, in order (program rules)
    previous_phase: str
    next_phase: str
    previous_status: str
    previous_last_gate: str  # the outcome of the earlier award's last evaluated gate, or ""
    same_company: bool
    same_program: bool


def check_next_phase(facts: NextPhaseFacts) -> Decision:
    """Whether an award of ``next_phase`` may continue the earlier award, with every reason."""
    source = STAGED_SOURCE.cite()
    reasons: list[Reason] = []
    if not facts.same_program or not facts.phases:
        reasons.append(Reason(
            "award.phase_not_staged",
            _("Only an award of the same staged program can be continued in its next phase."),
            source,
        ))  # fmt: skip
        return Decision(tuple(reasons))
    order = {code: i for i, code in enumerate(facts.phases)}
    previous, following = order.get(facts.previous_phase), order.get(facts.next_phase)
    if previous is None or following is None or following != previous + 1:
        reasons.append(Reason(
            "award.phase_not_next",
            _(
                "The new award must be the phase right after the earlier one "
                "(%(previous)s → %(next)s)."
            ) % {"previous": facts.previous_phase or "—", "next": facts.next_phase or "—"},
            source,
        ))  # fmt: skip
    finished = facts.previous_status == AwardStatus.COMPLETED or (
        facts.previous_status == AwardStatus.ACTIVE and facts.previous_last_gate in _PASSED_GATES
    )
    if not finished:
        reasons.append(Reason(
            "award.phase_previous_not_passed",
            _("The earlier phase must be completed, or have passed its last stage gate."),
            source,
        ))  # fmt: skip
    if not facts.same_company:
        reasons.append(Reason(
            "award.phase_other_company",
            _("The next phase continues the same company's project."),
            source,
        ))  # fmt: skip
    return Decision(tuple(reasons))


def _phase_of(award: Award) -> str:
    topic = award.call.topic if award.call_id and award.call else None
    return topic.code if topic is not None and topic.kind == "phase" else ""


def _ministry_of(award: Award) -> int | None:
    return award.call.presenting_ministry_id if award.call_id and award.call else None


@transaction.atomic
def award_next_phase(
    selection: Selection,
    *,
    previous: Award,
    actor: User,
    starts_on: date,
    ends_on: date,
    budget: Sequence[tuple[int, object]],
) -> Award:
    """The award of a proposal selected in the next phase, continuing ``previous``;
    refused with the reasons where it does not follow on."""
    previous = (
        # Only the award's row is locked: PostgreSQL locks no row of an outer join
        # (its call is optional).
        Award.objects.select_for_update(of=("self",))
        .select_related("call__topic", "program")
        .get(pk=previous.pk)
    )
    call = selection.round.call
    last_gate = previous.stage_gates.exclude(status="pending").order_by("-due_on", "-id").first()
    topic = call.topic
    facts = NextPhaseFacts(
        phases=program_rules(call.program.rules).phases,
        previous_phase=_phase_of(previous),
        next_phase=topic.code if topic is not None and topic.kind == "phase" else "",
        previous_status=previous.status,
        previous_last_gate=last_gate.status if last_gate else "",
        same_company=previous.institution_id == selection.proposal.institution_id,
        same_program=previous.program_id == call.program_id,
    )
    decision = check_next_phase(facts)
    if not decision.allowed:
        raise Refused(decision)
    if previous.next_phases.exists():
        raise ValidationError({"previous": _("This award has been continued already.")})
    award = services.award_selected_proposal(
        selection, actor=actor, starts_on=starts_on, ends_on=ends_on, budget=budget
    )
    award.previous_award = previous
    award.save(update_fields=["previous_award", "updated_at"])
    handoff = _ministry_of(previous) != call.presenting_ministry_id
    audit.record(
        "awards.award.next_phase",
        actor=actor,
        obj=award,
        after={
            "previous": previous.grant_number,
            "phases": [facts.previous_phase, facts.next_phase],
            "handoff": handoff,
            "ministries": [_ministry_of(previous), call.presenting_ministry_id],
        },
    )
    return award


def phase_path(award: Award) -> list[Award]:
    """The award and the earlier phases it continues, first phase first."""
    path = [award]
    while path[0].previous_award_id is not None:
        earlier = path[0].previous_award
        assert earlier is not None
        path.insert(0, earlier)
    return path


def is_handoff(award: Award) -> bool:
    """The award continues an earlier phase funded under another ministry (連結型)."""
    earlier = award.previous_award
    return earlier is not None and _ministry_of(earlier) != _ministry_of(award)
