"""The only writers of proposals: drafting, attaching, submitting, endorsing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, User
from openrd.core import audit
from openrd.core.decisions import Decision
from openrd.core.files import store_pdf
from openrd.core.money import YenError, validate_yen
from openrd.integrity import queries as integrity_queries
from openrd.programs.models import Call
from openrd.programs.rules import ApplicantFacts, call_rules, program_rules
from openrd.proposals.models import (
    Endorsement,
    Proposal,
    ProposalAttachment,
    ProposalBudget,
    ProposalMember,
    ProposalStatus,
    ProposalVersion,
)
from openrd.proposals.rules import BudgetLine, SubmissionFacts, check_submission

TEXT_FIELDS = ("title_ja", "title_en", "abstract_ja", "abstract_en", "effort_percent")


class StaleRevision(Exception):
    """Someone saved the draft since this editor loaded it."""

    def __init__(self, current: Proposal) -> None:
        super().__init__("stale revision")
        self.current = current


class SubmissionRefused(Exception):
    def __init__(self, decision: Decision) -> None:
        super().__init__(", ".join(decision.codes()))
        self.decision = decision


@dataclass(frozen=True)
class DraftChanges:
    """What an editor sends: only the parts present are changed."""

    fields: dict[str, Any]
    budget: list[tuple[int, object]] | None = None
    co_investigators: list[str] | None = None  # e-Rad researcher numbers


def _locked_reason(proposal: Proposal, now: datetime) -> str | None:
    if proposal.status == ProposalStatus.WITHDRAWN:
        return _("This proposal has been withdrawn.")
    if now > proposal.call.closes_at:
        return _("The call has closed: the proposal can no longer be changed.")
    return None


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


def snapshot_content(proposal: Proposal) -> dict[str, Any]:
    """The working copy as it will be frozen in a submitted version."""
    return {
        **{name: getattr(proposal, name) for name in TEXT_FIELDS},
        "institution": {
            "code": proposal.institution.code,
            "name_ja": proposal.institution.name_ja,
            "name_en": proposal.institution.name_en,
        },
        "budget": [
            {"fiscal_year": b.fiscal_year, "amount_yen": b.amount_yen}
            for b in proposal.budget_lines.order_by("fiscal_year")
        ],
        "co_investigators": [
            {
                "name_ja": m.person.name_ja,
                "name_en": m.person.name_en,
                "erad_researcher_number": m.person.erad_researcher_number,
            }
            for m in proposal.members.select_related("person").order_by("person__id")
        ],
        "attachments": [
            {
                "document_code": a.document_code,
                "filename": a.filename,
                "sha256": a.file.sha256,
                "size": a.file.size,
            }
            for a in proposal.attachments.select_related("file").order_by("document_code")
        ],
    }


def submission_facts(proposal: Proposal, *, now: datetime) -> SubmissionFacts:
    call = proposal.call
    org = proposal.institution
    return SubmissionFacts(
        now=now,
        call_status=call.status,
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        rules=call_rules(program_rules(call.program.rules), call.eligibility),
        applicant=ApplicantFacts(org_kind=org.kind, is_sme=org.is_sme, founded_on=org.founded_on),
        disclosure=integrity_queries.disclosure_facts(proposal.applicant),
        cap_per_proposal_yen=call.cap_per_proposal_yen,
        first_budget_year=call.first_budget_year,
        last_budget_year=call.last_budget_year,
        budget=tuple(BudgetLine(b.fiscal_year, b.amount_yen) for b in proposal.budget_lines.all()),
        effort_percent=proposal.effort_percent,
        required_documents=tuple((d.code, d.name) for d in call.documents.filter(required=True)),
        attached_documents=frozenset(proposal.attachments.values_list("document_code", flat=True)),
        has_title=bool(proposal.title_ja.strip() or proposal.title_en.strip()),
    )


def submit_proposal(
    proposal: Proposal, *, actor: User, idempotency_key: str, now: datetime | None = None
) -> ProposalVersion:
    """Freeze the working copy as a new version, or refuse with every reason.

    Repeating a submission (double click, network retry with the same key, or
    the same unchanged content) returns the version already made.
    """
    try:
        return _submit(proposal, actor=actor, key=idempotency_key, now=now or timezone.now())
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its version.
        return ProposalVersion.objects.get(proposal=proposal, idempotency_key=idempotency_key)


@transaction.atomic
def _submit(proposal: Proposal, *, actor: User, key: str, now: datetime) -> ProposalVersion:
    proposal = (
        Proposal.objects.select_for_update()
        .select_related("call__program", "institution", "applicant")
        .get(pk=proposal.pk)
    )
    repeated = proposal.versions.filter(idempotency_key=key).first()
    if repeated is not None:
        return repeated
    content = snapshot_content(proposal)
    latest = proposal.versions.order_by("-number").first()
    if (
        latest is not None
        and latest.content == content
        and latest.endorsement != Endorsement.RETURNED
        and proposal.status in {ProposalStatus.SUBMITTED, ProposalStatus.ENDORSED}
    ):
        return latest
    if proposal.status == ProposalStatus.WITHDRAWN:
        raise ValidationError({"__all__": _("This proposal has been withdrawn.")})
    decision = check_submission(submission_facts(proposal, now=now))
    if not decision.allowed:
        raise SubmissionRefused(decision)
    disclosure = integrity_queries.latest_disclosure(proposal.applicant)
    assert disclosure is not None  # check_submission refused a missing disclosure
    version = ProposalVersion.objects.create(
        proposal=proposal,
        number=(latest.number + 1) if latest else 1,
        submitted_at=now,
        submitted_by=actor,
        idempotency_key=key,
        content=content,
        disclosure=disclosure,
    )
    proposal.status = ProposalStatus.SUBMITTED
    proposal.save(update_fields=["status", "updated_at"])
    audit.record(
        "proposals.proposal.submitted",
        actor=actor,
        obj=proposal,
        after={"version": version.number, "disclosure": disclosure.pk},
    )
    return version


def _pending_version(proposal: Proposal) -> ProposalVersion:
    version = proposal.versions.order_by("-number").first()
    if version is None or version.endorsement != Endorsement.PENDING:
        raise ValidationError({"__all__": _("There is no submitted version awaiting endorsement.")})
    return version


@transaction.atomic
def endorse_proposal(proposal: Proposal, *, actor: User) -> ProposalVersion:
    """The institution vouches for the latest submitted version; the agency then sees it."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    version = _pending_version(proposal)
    version.endorsement = Endorsement.ENDORSED
    version.endorsed_by, version.endorsed_at = actor, timezone.now()
    version.save(update_fields=["endorsement", "endorsed_by", "endorsed_at"])
    proposal.status = ProposalStatus.ENDORSED
    proposal.save(update_fields=["status", "updated_at"])
    audit.record(
        "proposals.proposal.endorsed", actor=actor, obj=proposal, after={"version": version.number}
    )
    return version


@transaction.atomic
def return_proposal(proposal: Proposal, *, actor: User, comment: str) -> ProposalVersion:
    if not comment.strip():
        raise ValidationError({"comment": _("Say why the proposal is returned.")})
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    version = _pending_version(proposal)
    version.endorsement = Endorsement.RETURNED
    version.endorsed_by, version.endorsed_at = actor, timezone.now()
    version.return_comment = comment.strip()
    version.save(update_fields=["endorsement", "endorsed_by", "endorsed_at", "return_comment"])
    proposal.status = ProposalStatus.RETURNED
    proposal.save(update_fields=["status", "updated_at"])
    audit.record(
        "proposals.proposal.returned",
        actor=actor,
        obj=proposal,
        after={"version": version.number, "comment": version.return_comment},
    )
    return version


@transaction.atomic
def withdraw_proposal(proposal: Proposal, *, actor: User) -> Proposal:
    locked = _locked_reason(proposal, timezone.now())
    if locked:
        raise ValidationError({"__all__": locked})
    before = proposal.status
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.save(update_fields=["status", "updated_at"])
    audit.record(
        "proposals.proposal.withdrawn",
        actor=actor,
        obj=proposal,
        before={"status": before},
        after={"status": proposal.status},
    )
    return proposal
