"""Starting a draft, saving an editor's changes and attaching documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, User
from openrd.core import audit
from openrd.core.files import store_pdf
from openrd.core.money import YenError, validate_yen
from openrd.programs.models import Call
from openrd.proposals.models import (
    Proposal,
    ProposalAttachment,
    ProposalBudget,
    ProposalMember,
)
from openrd.proposals.services.common import TEXT_FIELDS, _locked_reason


class StaleRevision(Exception):
    """Someone saved the draft since this editor loaded it."""

    def __init__(self, current: Proposal) -> None:
        super().__init__("stale revision")
        self.current = current


@dataclass(frozen=True)
class DraftChanges:
    """What an editor sends: only the parts present are changed."""

    fields: dict[str, Any]
    budget: list[tuple[int, object]] | None = None
    co_investigators: list[str] | None = None  # e-Rad researcher numbers


@transaction.atomic
def create_proposal(
    *, actor: User, call: Call, institution: Organisation | None = None, **fields: Any
) -> Proposal:
    """Start a draft for an open call, at the applicant's main organisation."""
    institution = institution or actor.organisation
    errors: dict[str, str] = {}
    if call.status != "open" or timezone.now() > call.closes_at:
        errors["call"] = _("This call is not accepting proposals.")
    if institution is None:
        errors["institution"] = _("Set your main organisation in your profile first.")
    if errors:
        raise ValidationError(errors)
    unknown = set(fields) - set(TEXT_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    proposal = Proposal(call=call, applicant=actor, institution=institution, **fields)
    proposal.full_clean()
    proposal.save()
    audit.record(
        "proposals.proposal.created",
        actor=actor,
        obj=proposal,
        after=audit.snapshot(proposal, ["call_id", "institution_id", *TEXT_FIELDS]),
    )
    return proposal


def _clean_budget(lines: list[tuple[int, object]]) -> list[tuple[int, int]]:
    errors: dict[str, str] = {}
    cleaned: list[tuple[int, int]] = []
    seen: set[int] = set()
    for i, (year, amount) in enumerate(lines):
        if year in seen:
            errors[f"budget.{i}.fiscal_year"] = _("This fiscal year is entered twice.")
        seen.add(year)
        try:
            cleaned.append((year, validate_yen(amount)))
        except YenError as exc:
            errors[f"budget.{i}.amount_yen"] = exc.message
    if errors:
        raise ValidationError(errors)
    return cleaned


def _resolve_members(numbers: list[str], applicant: User) -> list[User]:
    people = {
        u.erad_researcher_number: u
        for u in User.objects.filter(erad_researcher_number__in=numbers, is_active=True)
    }
    missing = [n for n in numbers if n not in people]
    if missing:
        raise ValidationError(
            {
                "co_investigators": _(
                    "No researcher is registered with e-Rad researcher number %(numbers)s."
                )
                % {"numbers": ", ".join(missing)}
            }
        )
    return [people[n] for n in dict.fromkeys(numbers) if people[n] != applicant]


def _already_applied(
    current: Proposal,
    fields: dict[str, Any],
    budget: list[tuple[int, int]] | None,
    members: list[User] | None,
) -> bool:
    if any(getattr(current, name) != value for name, value in fields.items()):
        return False
    if budget is not None and sorted(budget) != sorted(
        current.budget_lines.values_list("fiscal_year", "amount_yen")
    ):
        return False
    return members is None or {m.pk for m in members} == set(
        current.members.values_list("person_id", flat=True)
    )


@transaction.atomic
def save_draft(
    proposal: Proposal, *, actor: User, revision: int, changes: DraftChanges
) -> Proposal:
    """Save the editor's changes if nobody saved since ``revision``; else StaleRevision.

    Everything is validated before anything is written, and the revision check
    and the write are one UPDATE, so two editors can never overwrite each other.
    """
    now = timezone.now()
    locked = _locked_reason(proposal, now)
    if locked:
        raise ValidationError({"__all__": locked})
    unknown = set(changes.fields) - set(TEXT_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    candidate = Proposal.objects.get(pk=proposal.pk)
    before = audit.snapshot(candidate, TEXT_FIELDS)
    for name, value in changes.fields.items():
        setattr(candidate, name, value)
    errors: dict[str, Any] = {}
    try:
        # The effort constraint is checked just below with a field-level message.
        candidate.full_clean(
            exclude=["call", "applicant", "institution", "status", "revision"],
            validate_constraints=False,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if candidate.effort_percent is not None and not 1 <= candidate.effort_percent <= 100:
        errors["effort_percent"] = [_("Enter a whole percentage from 1 to 100.")]
    budget = members = None
    try:
        budget = _clean_budget(changes.budget) if changes.budget is not None else None
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        if changes.co_investigators is not None:
            members = _resolve_members(changes.co_investigators, proposal.applicant)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    updated = Proposal.objects.filter(pk=proposal.pk, revision=revision).update(
        revision=F("revision") + 1, updated_at=now, **changes.fields
    )
    if not updated:
        current = Proposal.objects.get(pk=proposal.pk)
        if _already_applied(current, changes.fields, budget, members):
            # The same edit arrived twice (double click, retry): nothing to overwrite.
            return current
        raise StaleRevision(current)
    if budget is not None:
        proposal.budget_lines.all().delete()
        ProposalBudget.objects.bulk_create(
            ProposalBudget(proposal=proposal, fiscal_year=y, amount_yen=a) for y, a in budget
        )
    if members is not None:
        proposal.members.all().delete()
        ProposalMember.objects.bulk_create(
            ProposalMember(proposal=proposal, person=p) for p in members
        )
    proposal.refresh_from_db()
    audit.record(
        "proposals.draft.saved",
        actor=actor,
        obj=proposal,
        before=before,
        after=audit.snapshot(proposal, TEXT_FIELDS)
        | {"budget": budget, "co_investigators": changes.co_investigators},
    )
    return proposal


@transaction.atomic
def attach_document(
    proposal: Proposal, *, actor: User, document_code: str, upload: object, filename: str
) -> ProposalAttachment:
    locked = _locked_reason(proposal, timezone.now())
    if locked:
        raise ValidationError({"__all__": locked})
    if not proposal.call.documents.filter(code=document_code).exists():
        raise ValidationError({"document_code": _("This call asks for no such document.")})
    stored = store_pdf(upload)
    attachment, _created = ProposalAttachment.objects.update_or_create(
        proposal=proposal,
        document_code=document_code,
        defaults={"file": stored, "filename": filename[:200] or f"{document_code}.pdf"},
    )
    audit.record(
        "proposals.document.attached",
        actor=actor,
        obj=proposal,
        after={
            "document_code": document_code,
            "sha256": stored.sha256,
            "filename": attachment.filename,
        },
    )
    return attachment
