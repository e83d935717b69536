"""The only writers of integrity checklists: a draft saved, a checklist completed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, User
from openrd.core import audit
from openrd.core.decisions import Decision, Reason
from openrd.core.fiscal import to_tokyo
from openrd.core.refusals import Refused
from openrd.integrity.checklists.queries import (
    may_fill_institution_checklist,
    may_fill_researcher_checklist,
)
from openrd.integrity.models import ChecklistCompletion, ChecklistKind
from openrd.integrity.rules.checklists import (
    INSTITUTION_CHECKLIST_SOURCE,
    ChecklistTemplate,
    check_answers,
    checklist_fiscal_year,
    clean_answers,
    load_templates,
    template_in_force,
    template_version,
)
from openrd.integrity.rules.validation import FieldError


def _as_validation_error(errors: list[FieldError]) -> ValidationError:
    by_field: dict[str, list[ValidationError]] = {}
    for error in errors:
        by_field.setdefault(error.field, []).append(ValidationError(error.message, code=error.code))
    return ValidationError(by_field)


def _subject(
    actor: User, person: User | None, organisation: Organisation | None
) -> tuple[str, dict[str, Any]]:
    """The kind and the subject's lookup, once the actor is allowed to fill it in."""
    if (person is None) == (organisation is None):
        raise ValueError("give exactly one of person and organisation")
    if person is not None:
        if person.pk != actor.pk or not may_fill_researcher_checklist(actor):
            raise PermissionDenied
        # Serialises two saves by one person, so both never create the year's row.
        User.objects.select_for_update().filter(pk=person.pk).first()
        return ChecklistKind.RESEARCHER, {"person": person}
    assert organisation is not None
    if not may_fill_institution_checklist(actor, organisation):
        raise PermissionDenied
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    return ChecklistKind.INSTITUTION, {"organisation": organisation}


def _template_for(row: ChecklistCompletion | None, kind: str, now: datetime) -> ChecklistTemplate:
    # A draft keeps the version it was started on, so its answers keep their meaning.
    templates = load_templates()
    found = (
        template_version(templates, kind, row.template_version)
        if row is not None
        else template_in_force(templates, kind, to_tokyo(now).date())
    )
    if found is None:
        raise Refused(
            Decision.of(
                Reason(
                    "checklist.no_template",
                    _("No checklist template is in force yet."),
                    INSTITUTION_CHECKLIST_SOURCE,
                )
            )
        )
    return found


def _audit_state(row: ChecklistCompletion | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "kind": row.kind,
        "fiscal_year": row.fiscal_year,
        "template_version": row.template_version,
        "answers": row.answers,
        "completed_at": row.completed_at,
    }


def _write(
    *,
    actor: User,
    answers: Any,
    person: User | None,
    organisation: Organisation | None,
    now: datetime | None,
    complete: bool,
) -> ChecklistCompletion:
    now = now or timezone.now()
    kind, subject = _subject(actor, person, organisation)
    fiscal_year = checklist_fiscal_year(now)
    row = ChecklistCompletion.objects.filter(kind=kind, fiscal_year=fiscal_year, **subject).first()
    template = _template_for(row, kind, now)
    if row is not None and row.completed_at is not None:
        # Completed is final for the year: the next declaration is next fiscal year's.
        raise Refused(
            Decision.of(
                Reason(
                    "checklist.already_completed",
                    _("This fiscal year's checklist has already been completed."),
                    template.source,
                )
            )
        )
    errors = check_answers(template, answers, complete=complete)
    if errors:
        raise _as_validation_error(errors)
    before = _audit_state(row)
    if row is None:
        row = ChecklistCompletion(
            kind=kind, fiscal_year=fiscal_year, template_version=template.version, **subject
        )
    row.answers = clean_answers(template, answers)
    row.updated_by = actor
    if complete:
        row.completed_at = now
    row.save()
    audit.record(
        "integrity.checklist.completed" if complete else "integrity.checklist.saved",
        actor=actor,
        obj=row,
        before=before,
        after=_audit_state(row),
    )
    return row


@transaction.atomic
def save_checklist_draft(
    *,
    actor: User,
    answers: Any,
    person: User | None = None,
    organisation: Organisation | None = None,
    now: datetime | None = None,
) -> ChecklistCompletion:
    """Keep this fiscal year's answers as a draft: items may be left unanswered, but
    an answer given must be one the item offers (ValidationError keyed by item)."""
    return _write(
        actor=actor,
        answers=answers,
        person=person,
        organisation=organisation,
        now=now,
        complete=False,
    )


@transaction.atomic
def complete_checklist(
    *,
    actor: User,
    answers: Any,
    person: User | None = None,
    organisation: Organisation | None = None,
    now: datetime | None = None,
) -> ChecklistCompletion:
    """Complete this fiscal year's checklist: every item answered, a note on each
    answer other than the expected one. It then counts until the fiscal year ends."""
    return _write(
        actor=actor,
        answers=answers,
        person=person,
        organisation=organisation,
        now=now,
        complete=True,
    )
