"""Saving and completing checklists, who may, the yearly re-declaration, and the
institution checklist as a condition of submitting where the program requires it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from openrd.core.fiscal import tokyo_datetime
from openrd.core.models import AuditEntry
from openrd.core.refusals import Refused
from openrd.integrity.checklists.queries import (
    institution_statuses,
    researcher_checklist,
    submission_checklist_facts,
)
from openrd.integrity.checklists.services import complete_checklist, save_checklist_draft
from openrd.integrity.rules.checklists import load_templates, template_in_force
from openrd.proposals import services as proposal_services
from openrd.proposals.tests import conftest as proposal_fixtures
from openrd.proposals.tests.conftest import PDF, World, make_call

pytestmark = pytest.mark.django_db

# The proposals' test world, offered here by name as a fixture.
world = proposal_fixtures.world


def all_yes(kind):
    template = template_in_force(load_templates(), kind, tokyo_datetime(2026, 4, 1).date())
    return {item.code: {"answer": "yes", "note": ""} for item in template.items}


def test_a_researchers_draft_keeps_partial_answers_and_is_audited(world: World):
    row = save_checklist_draft(
        actor=world.applicant, person=world.applicant, answers={"R-1": {"answer": "no"}}
    )
    assert row.completed_at is None
    assert row.kind == "researcher"
    assert row.template_version == "2021-12-17"
    assert row.answers == {"R-1": {"answer": "no", "note": ""}}
    entry = AuditEntry.objects.get(action="integrity.checklist.saved")
    assert entry.before is None
    assert entry.after["answers"] == row.answers
    again = save_checklist_draft(
        actor=world.applicant, person=world.applicant, answers={"R-1": {"answer": "yes"}}
    )
    assert again.pk == row.pk


def test_completing_with_a_no_without_note_is_a_field_error_and_writes_nothing(world: World):
    answers = all_yes("researcher") | {"R-6": {"answer": "no", "note": ""}}
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        complete_checklist(actor=world.applicant, person=world.applicant, answers=answers)
    assert list(exc.value.message_dict) == ["answers.R-6.note"]
    assert "note" in exc.value.message_dict["answers.R-6.note"][0]
    assert researcher_checklist(world.applicant, 2026) is None
    assert not AuditEntry.objects.filter(action__startswith="integrity.checklist").exists()


def test_a_completed_checklist_is_final_for_the_year(world: World):
    now = tokyo_datetime(2026, 5, 1, 9)
    row = complete_checklist(
        actor=world.applicant, person=world.applicant, answers=all_yes("researcher"), now=now
    )
    assert row.completed_at == now
    assert row.fiscal_year == 2026
    assert AuditEntry.objects.filter(action="integrity.checklist.completed").count() == 1
    with pytest.raises(Refused) as refused:
        save_checklist_draft(actor=world.applicant, person=world.applicant, answers={}, now=now)
    assert refused.value.decision.codes() == ["checklist.already_completed"]


def test_last_fiscal_years_checklist_does_not_count_this_year(world: World):
    complete_checklist(
        actor=world.applicant,
        person=world.applicant,
        answers=all_yes("researcher"),
        now=tokyo_datetime(2026, 3, 31, 23, 59, 59),
    )
    assert researcher_checklist(world.applicant, 2025).completed_at is not None
    assert researcher_checklist(world.applicant, 2026) is None
    # On 1 April (Tokyo) a new declaration starts, as a draft for the new year.
    row = save_checklist_draft(
        actor=world.applicant,
        person=world.applicant,
        answers={},
        now=tokyo_datetime(2026, 4, 1, 0, 0, 0),
    )
    assert (row.fiscal_year, row.completed_at) == (2026, None)


def test_nobody_fills_in_another_researchers_or_another_institutions_checklist(world: World):
    with pytest.raises(PermissionDenied):
        save_checklist_draft(actor=world.stranger, person=world.applicant, answers={})
    with pytest.raises(PermissionDenied):
        save_checklist_draft(actor=world.applicant, organisation=world.startup, answers={})
    with pytest.raises(PermissionDenied):
        # An officer is not a researcher: the officer account has no researcher role.
        save_checklist_draft(actor=world.officer, person=world.officer, answers={})
    row = save_checklist_draft(actor=world.officer, organisation=world.startup, answers={})
    assert row.kind == "institution"
    assert row.template_version == "2023-06-29"


def test_agencies_see_each_institutions_status(world: World):
    now = tokyo_datetime(2026, 6, 1)
    complete_checklist(
        actor=world.officer, organisation=world.startup, answers=all_yes("institution"), now=now
    )
    statuses = {s.organisation.code: s.status for s in institution_statuses(2026)}
    assert statuses["sakura"] == "completed"
    assert "nedo" not in statuses  # funding agencies keep no institution checklist
    assert {s.organisation.code: s.status for s in institution_statuses(2027)}["sakura"] == (
        "not_started"
    )
    facts = submission_checklist_facts(world.startup, required=True, now=now)
    assert (facts.fiscal_year, facts.completed) == (2026, True)
    next_year = submission_checklist_facts(
        world.startup, required=True, now=tokyo_datetime(2027, 4, 1)
    )
    assert next_year.completed is False


def _complete_draft(world: World, call):
    p = proposal_services.create_proposal(
        actor=world.applicant,
        call=call,
        changes=proposal_services.DraftChanges(
            fields={"title_ja": "量子センサの実証", "abstract_ja": "概要", "effort_percent": 40},
            budget=[(2026, 10_000_000), (2027, 8_000_000)],
        ),
    )
    proposal_services.attach_document(
        p, actor=world.applicant, document_code="plan", upload=PDF, filename="plan.pdf"
    )
    return p


def test_submission_is_refused_until_the_institution_completes_this_years_checklist(world):
    eligibility = world.call.eligibility | {"requires_institution_checklist": True}
    call = make_call(code="sbir-checklist", eligibility=eligibility)
    p = _complete_draft(world, call)
    with pytest.raises(Refused) as refused:
        proposal_services.submit_proposal(p, actor=world.applicant, idempotency_key="c1")
    assert refused.value.decision.codes() == ["integrity.institution_checklist_missing"]
    complete_checklist(actor=world.officer, organisation=world.startup,
                       answers=all_yes("institution"))  # fmt: skip
    version = proposal_services.submit_proposal(p, actor=world.applicant, idempotency_key="c2")
    assert version.number == 1


def test_a_program_that_does_not_require_it_accepts_without_a_checklist(world):
    p = _complete_draft(world, world.call)
    version = proposal_services.submit_proposal(p, actor=world.applicant, idempotency_key="c1")
    assert version.number == 1
