"""Every transition of an award, its stage gates and its reports, allowed or refused,
and who may make it: the rules' tables exhaustively without a database, then the
permission matrix of the services (state and audit log checked on both sides)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import product
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from openrd.accounts.models import Organisation, Role, User
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.awards import reports, rules, services
from openrd.awards.models import (
    Award,
    AwardReport,
    AwardStatus,
    GateOutcome,
    ReportStatus,
    StageGate,
)
from openrd.awards.rules import AwardFacts, GateFacts, ReportFacts
from openrd.core.models import AuditEntry
from openrd.programs.models import Program

W, G, P = AwardStatus, GateOutcome, ReportStatus

# ------------------------------------------------------------------ the tables, without a database

AWARD_ALLOWED = {
    (W.ACTIVE, W.SUSPENDED), (W.ACTIVE, W.TERMINATED), (W.ACTIVE, W.COMPLETED),
    (W.ACTIVE, W.SPUN_OUT), (W.SUSPENDED, W.ACTIVE), (W.SUSPENDED, W.TERMINATED),
}  # fmt: skip
REPORT_ALLOWED = {
    (P.DUE, P.SUBMITTED), (P.SUBMITTED, P.ACCEPTED), (P.SUBMITTED, P.RETURNED),
    (P.RETURNED, P.SUBMITTED),
}  # fmt: skip
# A gate is evaluated once, from pending, to any outcome but pending itself.
GATE_ALLOWED = {(G.PENDING, o) for o in (G.CONTINUE, G.MODIFY, G.TERMINATE, G.SPIN_OUT)}


def _award(status: str, target: str):
    return rules.check_award_transition(AwardFacts(status), target)


def _report(status: str, target: str):
    facts = ReportFacts(status, W.ACTIVE, body="報告", comment="修正を")
    return rules.check_report_transition(facts, target)


def _gate(status: str, target: str):
    facts = GateFacts(status, W.ACTIVE, True, reasons="順調", changes="予算を減額")
    return rules.check_gate_evaluation(facts, target)


def test_every_pair_of_award_states_is_allowed_or_refused_with_a_reason():
    assert set(rules.AWARD_TRANSITIONS) == set(W.values)
    for source, target in product(W.values, repeat=2):
        decision = _award(source, target)
        if (source, target) in AWARD_ALLOWED:
            assert decision.allowed, (source, target)
        else:
            assert decision.codes() == ["award.transition_not_allowed"], (source, target)
    assert {(s, t) for s, ts in rules.AWARD_TRANSITIONS.items() for t in ts} == AWARD_ALLOWED


def test_every_pair_of_report_states_is_allowed_or_refused_with_a_reason():
    assert set(rules.REPORT_TRANSITIONS) == set(P.values)
    for source, target in product(P.values, repeat=2):
        decision = _report(source, target)
        if (source, target) in REPORT_ALLOWED:
            assert decision.allowed, (source, target)
        else:
            assert decision.codes() == ["award.report_transition_not_allowed"], (source, target)
    assert {(s, t) for s, ts in rules.REPORT_TRANSITIONS.items() for t in ts} == REPORT_ALLOWED


def test_every_pair_of_gate_outcomes_is_allowed_or_refused_with_a_reason():
    for source, target in product(G.values, repeat=2):
        decision = _gate(source, target)
        if (source, target) in GATE_ALLOWED:
            assert decision.allowed, (source, target)
        elif target == G.PENDING:
            assert decision.codes() == ["award.gate_outcome_unknown"], (source, target)
        else:
            assert decision.codes() == ["award.gate_decided"], (source, target)
    # Every outcome says what it does to the award; only the ending ones end it.
    assert set(rules.GATE_EFFECT) == set(G.values) - {G.PENDING}
    assert {o for o, effect in rules.GATE_EFFECT.items() if effect} == {G.TERMINATE, G.SPIN_OUT}
    assert set(rules.GATE_EFFECT.values()) - {None} <= set(rules.AWARD_TRANSITIONS[W.ACTIVE])


# ------------------------------------------------------------------ who may do what

RESEARCHER = "researcher without a part in it"
PI = "the award's PI"
OFFICER = "institution's research officer"
STAFF = "staff of the program's agency"
OTHER_STAFF = "staff of another agency"
PD = "program director of the agency"
AWARD_PM = "the award's PM"
REVIEWER = "a reviewer"
ROLES = [RESEARCHER, PI, OFFICER, STAFF, OTHER_STAFF, PD, AWARD_PM, REVIEWER]


@dataclass
class Ctx:
    award: Award
    gate: StageGate
    report: AwardReport
    people: dict[str, User]


@pytest.fixture
def ctx(loaded_programs) -> Ctx:
    jst = Organisation.objects.get(code="jst")
    # JSPS runs no Moonshot goal (JST, NEDO, AMED and BRAIN do).
    jsps = Organisation.objects.get(code="jsps")
    university = upsert_organisation(code="kanto-u", kind="university", name_ja="関東大学")
    people = {
        RESEARCHER: UserFactory(username="researcher", roles=[Role.RESEARCHER]),
        PI: UserFactory(username="pi", roles=[Role.RESEARCHER]),
        OFFICER: UserFactory(username="officer"),
        STAFF: UserFactory(username="jst-staff"),
        OTHER_STAFF: UserFactory(username="jsps-staff"),
        PD: UserFactory(username="pd"),
        AWARD_PM: UserFactory(username="pm"),
        REVIEWER: UserFactory(username="reviewer", roles=[Role.REVIEWER]),
    }
    assign_role(people[OFFICER], Role.INSTITUTION_OFFICER, organisation=university)
    assign_role(people[STAFF], Role.AGENCY_STAFF, organisation=jst)
    assign_role(people[OTHER_STAFF], Role.AGENCY_STAFF, organisation=jsps)
    assign_role(people[PD], Role.PROGRAM_DIRECTOR, organisation=jst)
    award = services.create_award(
        actor=people[STAFF], program=Program.objects.get(code="moonshot"),
        grant_number="MS-MATRIX-1", title_ja="量子の研究", pi_name_ja="研究 太郎",
        pi=people[PI], pm=people[AWARD_PM], institution=university,
        starts_on=date(2024, 4, 1), ends_on=date(2026, 3, 31),
        budget=[(2024, 100_000_000)], gates=[("中間評価", "Interim review", date(2025, 3, 31))],
    )  # fmt: skip
    reports.schedule_reports(award, actor=people[STAFF])
    report = award.reports.order_by("due_on").first()
    return Ctx(award, award.stage_gates.get(), report, people)


@dataclass(frozen=True)
class Op:
    prepare: Callable[[Ctx], None]
    run: Callable[[Ctx, User], Any]
    done: Callable[[Ctx], bool]
    action: str


def _submitted(c: Ctx) -> None:
    reports.submit_report(c.report, actor=c.people[PI], body="年次の成果")


def _award_status(c: Ctx) -> str:
    return Award.objects.get(pk=c.award.pk).status


def _report_status(c: Ctx) -> str:
    return AwardReport.objects.get(pk=c.report.pk).status


def _gate_status(c: Ctx) -> str:
    return StageGate.objects.get(pk=c.gate.pk).status


def _suspended(c: Ctx) -> None:
    services.change_award_status(c.award, W.SUSPENDED, actor=c.people[STAFF], reason="理由")


def _status(target: str) -> Callable[[Ctx, User], Any]:
    return lambda c, u: services.change_award_status(c.award, target, actor=u, reason="理由")


def _evaluate(outcome: str) -> Callable[[Ctx, User], Any]:
    return lambda c, u: services.evaluate_gate(
        c.gate, outcome, actor=u, reasons="評価の理由", changes="予算を減額"
    )


OPS: dict[str, Op] = {
    "suspend the award": Op(lambda c: None, _status(W.SUSPENDED),
                            lambda c: _award_status(c) == W.SUSPENDED, "awards.award.suspended"),
    "resume the award": Op(_suspended, _status(W.ACTIVE),
                           lambda c: _award_status(c) == W.ACTIVE, "awards.award.active"),
    "terminate the award": Op(lambda c: None, _status(W.TERMINATED),
                              lambda c: _award_status(c) == W.TERMINATED,
                              "awards.award.terminated"),
    "complete the award": Op(lambda c: None, _status(W.COMPLETED),
                             lambda c: _award_status(c) == W.COMPLETED, "awards.award.completed"),
    "spin the award out": Op(lambda c: None, _status(W.SPUN_OUT),
                             lambda c: _award_status(c) == W.SPUN_OUT, "awards.award.spun_out"),
    "gate: continue": Op(lambda c: None, _evaluate(G.CONTINUE),
                         lambda c: _gate_status(c) == G.CONTINUE, "awards.gate.continue"),
    "gate: continue with changes": Op(lambda c: None, _evaluate(G.MODIFY),
                                      lambda c: _gate_status(c) == G.MODIFY, "awards.gate.modify"),
    "gate: terminate": Op(lambda c: None, _evaluate(G.TERMINATE),
                          lambda c: _gate_status(c) == G.TERMINATE
                          and _award_status(c) == W.TERMINATED, "awards.gate.terminate"),
    "gate: spin out": Op(lambda c: None, _evaluate(G.SPIN_OUT),
                         lambda c: _gate_status(c) == G.SPIN_OUT
                         and _award_status(c) == W.SPUN_OUT, "awards.gate.spin_out"),
    "submit a report": Op(lambda c: None,
                          lambda c, u: reports.submit_report(c.report, actor=u, body="成果"),
                          lambda c: _report_status(c) == P.SUBMITTED, "awards.report.submitted"),
    "accept a report": Op(_submitted, lambda c, u: reports.accept_report(c.report, actor=u),
                          lambda c: _report_status(c) == P.ACCEPTED, "awards.report.accepted"),
    "return a report": Op(_submitted,
                          lambda c, u: reports.return_report(c.report, actor=u, comment="図を追加"),
                          lambda c: _report_status(c) == P.RETURNED, "awards.report.returned"),
    "schedule the reports": Op(lambda c: AwardReport.objects.filter(award=c.award).delete(),
                               lambda c, u: reports.schedule_reports(c.award, actor=u),
                               lambda c: AwardReport.objects.filter(award=c.award).exists(),
                               "awards.reports.scheduled"),
}  # fmt: skip
MANAGE = {STAFF}
EVALUATE = {STAFF, PD, AWARD_PM}
MATRIX = {
    "suspend the award": MANAGE,
    "resume the award": MANAGE,
    "terminate the award": MANAGE,
    "complete the award": MANAGE,
    "spin the award out": MANAGE,
    "gate: continue": EVALUATE,
    "gate: continue with changes": EVALUATE,
    "gate: terminate": EVALUATE,
    "gate: spin out": EVALUATE,
    "submit a report": {PI},
    "accept a report": MANAGE,
    "return a report": MANAGE,
    "schedule the reports": MANAGE,
}
assert set(MATRIX) == set(OPS)


def _audit(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


@pytest.mark.django_db
@pytest.mark.parametrize("operation", list(MATRIX))
def test_the_roles_not_in_the_matrix_are_refused_and_change_nothing(ctx, operation):
    op = OPS[operation]
    op.prepare(ctx)
    before = _audit(op.action)
    for role in ROLES:
        if role in MATRIX[operation]:
            continue
        with pytest.raises(PermissionDenied):
            op.run(ctx, ctx.people[role])
        assert not op.done(ctx), (operation, role)
        assert _audit(op.action) == before, (operation, role)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("operation", "role"),
    [(operation, role) for operation, roles in MATRIX.items() for role in sorted(roles)],
)
def test_the_roles_in_the_matrix_make_the_move_with_its_audit_entry(ctx, operation, role):
    op = OPS[operation]
    op.prepare(ctx)
    before = _audit(op.action)
    op.run(ctx, ctx.people[role])
    assert op.done(ctx)
    assert _audit(op.action) == before + 1


@pytest.mark.django_db
def test_report_pages_answer_404_to_everyone_but_the_pi_and_the_agency(client, ctx):
    url = f"/ja/awards/reports/{ctx.report.pk}/"
    for role in ROLES:
        client.force_login(ctx.people[role])
        expected = 200 if role in (PI, STAFF) else 404
        assert client.get(url).status_code == expected, role
        response = client.post(url, {"action": "submit", "body": "成果"})
        if role not in (PI, STAFF):
            assert response.status_code == 404, role
    assert _report_status(ctx) == P.SUBMITTED  # the PI's own post went through
    assert _audit("awards.report.submitted") == 1
