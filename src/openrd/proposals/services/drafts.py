"""Starting a draft, saving an editor's changes and attaching documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, User
from openrd.core import audit
from openrd.core.files import store_pdf
from openrd.core.refusals import Refused
from openrd.programs.models import Call
from openrd.proposals.models import (
    Proposal,
    ProposalAttachment,
    ProposalBudget,
    ProposalStatus,
)
from openrd.proposals.services.common import (
    TEXT_FIELDS,
    call_window,
    clean_amounts_by_year,
    lock,
    refuse_unless_editable,
)

Errors = dict[str, list[str]]


class StaleRevision(Exception):
    """Someone saved the draft since this editor loaded it."""

    def __init__(self, current: Proposal) -> None:
        super().__init__("stale revision")
        self.current = current


@dataclass(frozen=True)
class DraftChanges:
    """What an editor sends: only the parts present are changed.

    ``budget`` is the whole budget (a year left out is removed). Co-investigators
    are invited and answer on their own (``services.members``).
    """

    fields: dict[str, Any] = field(default_factory=dict)
    budget: list[tuple[int, object]] | None = None

    def is_empty(self) -> bool:
        return not self.fields and self.budget is None


@dataclass(frozen=True)
class DraftSaved:
    """The saved proposal, and the fields that were not saved (kept as typed by the
    editor, each with its messages). Empty ``refused`` means everything was saved."""

    proposal: Proposal
    refused: Errors


@dataclass
class _Cleaned:
    fields: dict[str, Any]
    budget: list[tuple[int, int]] | None


def _clean_fields(values: dict[str, Any], errors: Errors) -> dict[str, Any]:
    unknown = sorted(set(values) - set(TEXT_FIELDS))
    for name in unknown:
        errors[name] = [_("Unknown field: it is not part of this request.")]
    cleaned: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name == "effort_percent":
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100
            ):
                errors[name] = [_("Enter a whole percentage from 1 to 100.")]
                continue
            cleaned[name] = value
            continue
        try:
            model_field = Proposal._meta.get_field(name)
            assert isinstance(model_field, models.Field)
            cleaned[name] = model_field.clean(value or "", None)
        except ValidationError as exc:
            errors[name] = list(exc.messages)
    return cleaned


def _clean_budget(
    lines: list[tuple[int, object]], errors: Errors, *, partial: bool, stored: dict[int, int]
) -> list[tuple[int, int]]:
    """The budget to store. With ``partial``, a year whose amount is refused keeps
    its stored amount instead of being dropped, so a typo never erases a figure."""
    cleaned, refused_years = clean_amounts_by_year(lines, errors, key="budget")
    if partial:
        for year in refused_years:
            if year in stored:
                cleaned[year] = stored[year]
    return sorted(cleaned.items())


def _clean(
    changes: DraftChanges, applicant: User, *, partial: bool, stored_budget: dict[int, int]
) -> tuple[_Cleaned, Errors]:
    errors: Errors = {}
    fields = _clean_fields(changes.fields, errors)
    budget = (
        _clean_budget(changes.budget, errors, partial=partial, stored=stored_budget)
        if changes.budget is not None
        else None
    )
    return _Cleaned(fields, budget), errors


def _write_parts(proposal: Proposal, cleaned: _Cleaned) -> None:
    if cleaned.budget is not None:
        proposal.budget_lines.all().delete()
        ProposalBudget.objects.bulk_create(
            ProposalBudget(proposal=proposal, fiscal_year=y, amount_yen=a)
            for y, a in cleaned.budget
        )


def _recorded(proposal: Proposal, cleaned: _Cleaned) -> dict[str, Any]:
    return audit.snapshot(proposal, TEXT_FIELDS) | {"budget": cleaned.budget}


def existing_proposal(actor: User, call: Call) -> Proposal | None:
    """The applicant's proposal for this call that is still alive, if there is one."""
    return (
        Proposal.objects.filter(applicant=actor, call=call)
        .exclude(status=ProposalStatus.WITHDRAWN)
        .order_by("-updated_at")
        .first()
    )


@transaction.atomic
def create_proposal(
    *,
    actor: User,
    call: Call,
    institution: Organisation | None = None,
    changes: DraftChanges | None = None,
    now: datetime | None = None,
) -> Proposal:
    """Start a draft for a call that takes proposals now, at the applicant's main
    organisation, filled with ``changes``. Everything is checked first: refused
    (``Refused`` for the call, ``ValidationError`` for the fields), nothing is written."""
    moment = now or timezone.now()
    decision = call_window(call).check(moment)
    if not decision.allowed:
        raise Refused(decision, detail=_("A proposal cannot be started for this call now."))
    institution = institution or actor.organisation
    if institution is None:
        raise ValidationError(
            {"institution": _("Set your main organisation in your profile first.")}
        )
    cleaned, errors = _clean(changes or DraftChanges(), actor, partial=False, stored_budget={})
    if errors:
        raise ValidationError(errors)
    proposal = Proposal.objects.create(
        call=call,
        agency_id=call.agency_id,  # the lists' copy of the call's agency (ADR 0023)
        applicant=actor,
        institution=institution,
        **cleaned.fields,
    )
    _write_parts(proposal, cleaned)
    audit.record(
        "proposals.proposal.created",
        actor=actor,
        obj=proposal,
        after={"call_id": call.pk, "institution_id": institution.pk} | _recorded(proposal, cleaned),
    )
    return proposal


def _already_applied(current: Proposal, cleaned: _Cleaned) -> bool:
    if any(getattr(current, name) != value for name, value in cleaned.fields.items()):
        return False
    return cleaned.budget is None or cleaned.budget == sorted(
        current.budget_lines.values_list("fiscal_year", "amount_yen")
    )


@transaction.atomic
def save_draft(
    proposal: Proposal,
    *,
    actor: User,
    revision: int,
    changes: DraftChanges,
    partial: bool = False,
    now: datetime | None = None,
) -> DraftSaved:
    """Save the editor's changes if nobody saved since ``revision``; else StaleRevision.

    Without ``partial`` (the API) a single invalid field refuses the whole save
    (ValidationError, nothing written). With ``partial`` (the editor's autosave)
    every valid field is saved and the invalid ones are returned in ``refused``,
    so what the applicant typed beside a typo is never lost. A proposal that
    cannot change now (its state, the call's window) is ``Refused``.
    """
    moment = now or timezone.now()
    locked = lock(proposal)
    refuse_unless_editable(locked, moment)
    stored_budget = dict(locked.budget_lines.values_list("fiscal_year", "amount_yen"))
    cleaned, errors = _clean(
        changes, locked.applicant, partial=partial, stored_budget=stored_budget
    )
    if errors and not partial:
        raise ValidationError(errors)
    if locked.revision != revision:
        if _already_applied(locked, cleaned) and not errors:
            # The same edit arrived twice (double click, retry): nothing to overwrite.
            return DraftSaved(locked, {})
        raise StaleRevision(locked)
    if not cleaned.fields and cleaned.budget is None:
        return DraftSaved(locked, errors)
    before = audit.snapshot(locked, TEXT_FIELDS)
    Proposal.objects.filter(pk=locked.pk).update(
        revision=F("revision") + 1, updated_at=moment, **cleaned.fields
    )
    _write_parts(locked, cleaned)
    locked.refresh_from_db()
    audit.record(
        "proposals.draft.saved",
        actor=actor,
        obj=locked,
        before=before,
        after=_recorded(locked, cleaned) | ({"refused": sorted(errors)} if errors else {}),
    )
    proposal.revision = locked.revision
    return DraftSaved(locked, errors)


@transaction.atomic
def attach_document(
    proposal: Proposal,
    *,
    actor: User,
    document_code: str,
    upload: object,
    filename: str,
    now: datetime | None = None,
) -> ProposalAttachment:
    locked = lock(proposal)
    refuse_unless_editable(locked, now or timezone.now())
    if not locked.call.documents.filter(code=document_code).exists():
        raise ValidationError({"document_code": _("This call asks for no such document.")})
    stored = store_pdf(upload)
    attachment, _created = ProposalAttachment.objects.update_or_create(
        proposal=locked,
        document_code=document_code,
        defaults={"file": stored, "filename": filename[:200] or f"{document_code}.pdf"},
    )
    audit.record(
        "proposals.document.attached",
        actor=actor,
        obj=locked,
        after={
            "document_code": document_code,
            "sha256": stored.sha256,
            "filename": attachment.filename,
        },
    )
    return attachment
