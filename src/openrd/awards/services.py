"""The only writers of awards: making one, its budget, its state, its stage gates.
Every state change passes ``core.lifecycle.enter_state`` with the audit entry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, Role, User
from openrd.accounts.queries import role_organisation_ids
from openrd.awards.integrity_record import hand_down
from openrd.awards.models import Award, AwardBudget, StageGate
from openrd.awards.rules import (
    GATE_EFFECT,
    AwardFacts,
    GateFacts,
    check_award_period,
    check_award_transition,
    check_gate_evaluation,
    gate_schedule,
)
from openrd.core import audit
from openrd.core.fiscal import fiscal_year_of
from openrd.core.lifecycle import enter_state
from openrd.core.refusals import Refused
from openrd.integrity import queries as integrity_queries
from openrd.integrity.sanctions.services import lock_person
from openrd.programs.models import Call, Program, ProgramElement
from openrd.programs.rules import program_rules
from openrd.proposals.services.common import clean_amounts_by_year
from openrd.review.models import Selection, SelectionOutcome


def _agencies(program: Program) -> set[int]:
    return set(program.agencies.values_list("pk", flat=True))


def may_manage(user: User, award_program: Program) -> bool:
    """Staff of an agency that runs the program."""
    return bool(role_organisation_ids(user, Role.AGENCY_STAFF) & _agencies(award_program))


def may_evaluate(user: User, award: Award) -> bool:
    """The award's PM, or a PD or PM (or staff) of an agency that runs the program."""
    if award.pm_id == user.pk:
        return True
    agencies = _agencies(award.program)
    roles = (Role.PROGRAM_DIRECTOR, Role.PROGRAM_MANAGER, Role.AGENCY_STAFF)
    return any(role_organisation_ids(user, r) & agencies for r in roles)


def _budget(lines: Sequence[tuple[int, object]]) -> dict[int, int]:
    """Budget lines as yen by fiscal year, each year once: errors under ``budget.{row}``."""
    errors: dict[str, list[str]] = {}
    cleaned, _refused = clean_amounts_by_year(list(lines), errors, key="budget")
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def create_award(
    *,
    actor: User,
    program: Program,
    grant_number: str,
    title_ja: str,
    title_en: str = "",
    pi_name_ja: str,
    pi_name_en: str = "",
    institution: Organisation,
    starts_on: date,
    ends_on: date,
    budget: Sequence[tuple[int, object]] = (),
    pi: User | None = None,
    pm: User | None = None,
    element: ProgramElement | None = None,
    japan_grant_number: str = "",
    selection: Selection | None = None,
    call: Call | None = None,
    gates: Sequence[tuple[str, str, date]] | None = None,
    reports_due_from: date | None = None,
) -> Award:
    """Record an award, refused with the program's reasons where its period or budget
    does not fit, with the reports it owes. ``gates``: (name_ja, name_en, due) of its
    stage gates; without them, the program's gate schedule (``gate_schedule``).
    ``reports_due_from``: for a project recorded after the fact, the reports due
    before that day were handled before the record and are not owed here.
    ``call``: for a project recorded after the fact, the call it was selected in
    (a selection made here names its own)."""
    errors: dict[str, list[str]] = {}
    if selection is not None:
        call = selection.round.call
    elif call is not None and call.program_id != program.pk:
        errors["call"] = [_("This call belongs to another program.")]
    if not grant_number.strip():
        errors["grant_number"] = [_("Give the grant number.")]
    elif Award.objects.filter(grant_number=grant_number.strip()).exists():
        errors["grant_number"] = [_("An award with this grant number exists already.")]
    if not title_ja.strip():
        errors["title_ja"] = [_("Give the title in Japanese.")]
    if not pi_name_ja.strip():
        errors["pi_name_ja"] = [_("Give the principal investigator's name in Japanese.")]
    if errors:
        raise ValidationError(errors)
    lines = _budget(budget)
    rules = program_rules(program.rules)
    decision = check_award_period(rules, starts_on, ends_on, lines)
    if gates and not rules.stage_gates:
        raise ValidationError({"gates": [_("This program has no stage gates.")]})
    if pi is not None:
        # Every agency's sanction and the person's whole effort ledger, not only this program's.
        proposal = selection.proposal if selection else None
        lock_person(pi.pk)
        decision = decision + integrity_queries.award_decision(
            pi,
            fiscal_year=fiscal_year_of(timezone.localdate()),
            effort_percent=proposal.effort_percent if proposal else None,
            label=title_ja.strip(),
            exclude_keys=(f"proposal:{proposal.pk}",) if proposal else (),
        )
    if not decision.allowed:
        raise Refused(decision)
    if gates is None:
        gates = gate_schedule(rules, starts_on, ends_on)
    award = Award.objects.create(
        grant_number=grant_number.strip(),
        japan_grant_number=japan_grant_number.strip(),
        program=program,
        element=element,
        call=call,
        proposal=selection.proposal if selection else None,
        title_ja=title_ja.strip(),
        title_en=title_en.strip(),
        pi=pi,
        pi_name_ja=pi_name_ja.strip(),
        pi_name_en=pi_name_en.strip(),
        institution=institution,
        pm=pm,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    AwardBudget.objects.bulk_create(
        AwardBudget(award=award, fiscal_year=y, amount_yen=a) for y, a in sorted(lines.items())
    )
    StageGate.objects.bulk_create(
        StageGate(award=award, name_ja=ja, name_en=en, due_on=due) for ja, en, due in gates
    )
    audit.record(
        "awards.award.created",
        actor=actor,
        obj=award,
        after={
            "grant_number": award.grant_number,
            "program": program.code,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "budget": {str(y): a for y, a in sorted(lines.items())},
            "proposal": award.proposal_id,
            "call": call.code if call else None,
        },
    )
    # Imported here: the reports module builds on this one (may_manage).
    from openrd.awards.reports import schedule_reports

    schedule_reports(award, actor=actor, due_from=reports_due_from)
    hand_down(award)
    return award


def next_grant_number(program: Program, on: date) -> str:
    """PROGRAM-FY-NNNN, the next number of the program in the fiscal year of ``on``."""
    prefix = f"{program.code.upper()}-{fiscal_year_of(on)}-"
    taken = Award.objects.filter(grant_number__startswith=prefix).count()
    return f"{prefix}{taken + 1:04}"


@transaction.atomic
def award_selected_proposal(
    selection: Selection,
    *,
    actor: User,
    starts_on: date,
    ends_on: date,
    budget: Sequence[tuple[int, object]],
    japan_grant_number: str = "",
    pm: User | None = None,
) -> Award:
    """The award of a selected proposal: its endorsed title, applicant and institution,
    and as its members the applicant and the accepted co-investigators."""
    program = selection.round.call.program
    if not may_manage(actor, program):
        raise PermissionDenied
    if selection.status != SelectionOutcome.SELECTED:
        raise ValidationError({"selection": _("Only a selected proposal becomes an award.")})
    if Award.objects.filter(proposal=selection.proposal).exists():
        raise ValidationError({"selection": _("This proposal has an award already.")})
    Program.objects.select_for_update().filter(pk=program.pk).first()  # one numbering at a time
    # Imported here: the members module builds on this one (may_manage).
    from openrd.awards.members import add_members_of_proposal

    p = selection.proposal
    award = create_award(
        actor=actor,
        program=program,
        grant_number=next_grant_number(program, starts_on),
        japan_grant_number=japan_grant_number,
        title_ja=p.endorsed_title_ja or p.title_ja,
        title_en=p.endorsed_title_en or p.title_en,
        pi=p.applicant,
        pi_name_ja=p.applicant.name_ja or p.applicant.username,
        pi_name_en=p.applicant.name_en,
        institution=p.institution,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=budget,
        pm=pm,
        selection=selection,
    )
    add_members_of_proposal(award, p, actor=actor)
    return award


def _move_award(locked: Award, target: str, *, actor: User, at: datetime, **recorded: Any) -> Award:
    moved = enter_state(
        locked,
        target,
        decision=check_award_transition(AwardFacts(locked.status), target),
        actor=actor,
        action=f"awards.award.{target}",
        at=at,
        effect=lambda _a: dict(recorded),
    )
    hand_down(moved)
    return moved


@transaction.atomic
def change_award_status(
    award: Award, target: str, *, actor: User, reason: str, now: datetime | None = None
) -> Award:
    """Suspend, resume, complete or terminate an award (staff of the program's agency),
    with the reason kept in the award's history."""
    locked = Award.objects.select_for_update().select_related("program").get(pk=award.pk)
    if not may_manage(actor, locked.program):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(
            {"reason": [_("Give the reason: it is kept with the award's history.")]}
        )
    return _move_award(locked, target, actor=actor, at=now or timezone.now(), reason=reason.strip())


@transaction.atomic
def evaluate_gate(
    gate: StageGate,
    outcome: str,
    *,
    actor: User,
    reasons: str,
    changes: str = "",
    now: datetime | None = None,
) -> StageGate:
    """Record the PD/PM's evaluation at a stage gate; terminate and spin out end the award."""
    moment = now or timezone.now()
    locked = StageGate.objects.select_for_update().get(pk=gate.pk)
    award = Award.objects.select_for_update().select_related("program").get(pk=locked.award_id)
    if not may_evaluate(actor, award):
        raise PermissionDenied
    facts = GateFacts(
        status=locked.status,
        award_status=award.status,
        program_has_gates=program_rules(award.program.rules).stage_gates,
        reasons=reasons,
        changes=changes,
    )

    def stamp(row: StageGate) -> dict[str, Any]:
        row.reasons, row.changes = reasons.strip(), changes.strip()
        row.decided_by, row.decided_at = actor, moment
        row.save(update_fields=["reasons", "changes", "decided_by", "decided_at"])
        return {"award": award.grant_number, "reasons": row.reasons, "changes": row.changes}

    # A gate is not a model with updated_at in the state sense: its "status" is the outcome.
    evaluated = enter_state(
        locked,
        outcome,
        decision=check_gate_evaluation(facts, outcome),
        actor=actor,
        action=f"awards.gate.{outcome}",
        at=moment,
        effect=stamp,
    )
    ends = GATE_EFFECT.get(outcome)
    if ends is not None:
        _move_award(award, ends, actor=actor, at=moment, gate=locked.pk)
    return evaluated


def budget_by_year(award: Award) -> list[dict[str, int]]:
    return [
        {
            "fiscal_year": b.fiscal_year,
            "amount_yen": b.amount_yen,
            "carried_over_yen": b.carried_over_yen,
        }
        for b in award.budget_lines.all()
    ]
