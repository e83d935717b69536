"""Freezing the working copy as a submitted version, or refusing with every reason."""

from __future__ import annotations

import string
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import User
from openrd.core.fiscal import TOKYO, fiscal_year_of
from openrd.core.refusals import Refused
from openrd.integrity import queries as integrity_queries
from openrd.integrity.checklists import queries as checklist_queries
from openrd.integrity.sanctions.services import lock_person
from openrd.notifications.queries import officers_of
from openrd.notifications.services import notify
from openrd.programs.models import Call
from openrd.programs.rules import ApplicantFacts, call_rules, program_rules
from openrd.proposals.documents.receipt import receipt_number
from openrd.proposals.models import (
    LIVE_MEMBER_STATES,
    Endorsement,
    MemberStatus,
    Proposal,
    ProposalAttachment,
    ProposalStatus,
    ProposalVersion,
)
from openrd.proposals.rules import CALL_TERMS, BudgetLine, MemberFacts, SubmissionFacts
from openrd.proposals.services.common import (
    TEXT_FIELDS,
    lock,
    move,
    proposal_facts,
    refresh_latest_versions,
)
from openrd.proposals.services.integrity_record import hand_down

# An Idempotency-Key is stored whole: a longer one is refused, never cut (two long
# keys cut to the same prefix would answer one client with another's submission).
MAX_KEY_LENGTH = 100
_KEY_CHARS = frozenset(string.ascii_letters + string.digits + "-_.:~")


def attachment_entry(attachment: ProposalAttachment) -> dict[str, Any]:
    """One attached file as a version freezes it (and as every presenter shows it)."""
    return {
        "document_code": attachment.document_code,
        "filename": attachment.filename,
        "sha256": attachment.file.sha256,
        "size": attachment.file.size,
    }


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
        # Only those who accepted: an invitation is not a member until answered.
        "co_investigators": [
            {
                "name_ja": m.person.name_ja,
                "name_en": m.person.name_en,
                "erad_researcher_number": m.person.erad_researcher_number,
                "role": m.role,
                "shares": [
                    {"fiscal_year": s.fiscal_year, "amount_yen": s.amount_yen}
                    for s in m.shares.all()
                ],
            }
            for m in proposal.members.filter(status=MemberStatus.ACCEPTED)
            .select_related("person")
            .prefetch_related("shares")
            .order_by("id")
            if m.person is not None
        ],
        "attachments": [
            attachment_entry(a)
            for a in proposal.attachments.select_related("file").order_by("document_code")
        ],
    }


def submission_facts(proposal: Proposal, *, now: datetime) -> SubmissionFacts:
    call = proposal.call
    org = proposal.institution
    rules = call_rules(program_rules(call.program.rules), call.eligibility, call_code=call.code)
    return SubmissionFacts(
        now=now,
        call_status=call.status,
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        rules=rules,
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
        call_code=call.code,
        members=member_facts(proposal),
        checklist=checklist_queries.submission_checklist_facts(
            org,
            required=rules.requires_institution_checklist,
            now=now,
        ),
        restrictions=integrity_queries.restriction_facts(
            proposal.applicant, fiscal_year=fiscal_year_of(now.astimezone(TOKYO).date())
        ),
        effort=integrity_queries.effort_facts(
            proposal.applicant,
            adding_percent=proposal.effort_percent,
            adding_label=proposal.title_ja.strip() or proposal.title_en.strip(),
            exclude_keys=(f"proposal:{proposal.pk}",),
        ),
    )


def member_facts(proposal: Proposal) -> tuple[MemberFacts, ...]:
    """The live members (awaiting an answer or accepted), as the rules read them."""
    return tuple(
        MemberFacts(
            m.display_name,
            m.role,
            m.status,
            tuple((s.fiscal_year, s.amount_yen) for s in m.shares.all()),
        )
        for m in proposal.members.filter(status__in=LIVE_MEMBER_STATES)
        .select_related("person")
        .prefetch_related("shares")
        .order_by("id")
    )


def validate_idempotency_key(key: str) -> str:
    """The key as given, or ValidationError: at most 100 characters of A–Z a–z 0–9 - _ . : ~."""
    if not key or len(key) > MAX_KEY_LENGTH or not set(key) <= _KEY_CHARS:
        raise ValidationError(
            {
                "idempotency_key": _(
                    "The Idempotency-Key must be 1 to %(max)d characters of letters, digits "
                    "and - _ . : ~ (a UUID is a good key)."
                )
                % {"max": MAX_KEY_LENGTH}
            }
        )
    return key


def _key_reused() -> Refused:
    return Refused.because(
        "submission.key_reused",
        _(
            "This Idempotency-Key was already used for a submission with different content. "
            "Use a new key for a new submission."
        ),
        CALL_TERMS,
        detail=_("The proposal cannot be submitted yet."),
    )


def submit_proposal(
    proposal: Proposal, *, actor: User, idempotency_key: str, now: datetime | None = None
) -> ProposalVersion:
    """Freeze the working copy as a new version, or refuse (``Refused``) with every reason.

    Repeating a submission (double click, network retry with the same key, or
    the same unchanged content) returns the version already made; the same key
    with different content is refused, never answered with the old version.
    """
    key = validate_idempotency_key(idempotency_key)
    try:
        return _submit(proposal, actor=actor, key=key, now=now or timezone.now())
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its
        # version if it froze the same content.
        version = ProposalVersion.objects.filter(proposal=proposal, idempotency_key=key).first()
        if version is None:
            # Not the key: another submission took the receipt number meanwhile;
            # asking again draws the next one.
            return _submit(proposal, actor=actor, key=key, now=now or timezone.now())
        if version.content != snapshot_content(Proposal.objects.get(pk=proposal.pk)):
            raise _key_reused() from None
        return version


def receipt_sequence(locked: Proposal, latest: ProposalVersion | None) -> int:
    """The proposal's sequence in its call: kept from its first submission, or the
    call's next one. Taking a new one locks the call's row, so two proposals
    submitted at the same moment never draw the same number (the unique receipt
    number would refuse the second anyway)."""
    if latest is not None:
        return latest.receipt_sequence
    Call.objects.select_for_update().filter(pk=locked.call_id).values_list("pk").get()
    used = ProposalVersion.objects.filter(proposal__call_id=locked.call_id).aggregate(
        top=Max("receipt_sequence")
    )["top"]
    return (used or 0) + 1


def _notify_submitted(proposal: Proposal, version: ProposalVersion) -> None:
    """A receipt to the applicant and a request to the institution's officers; sent
    after the commit, so a submission that fails later sends nothing."""
    context = {
        "title": {"ja": proposal.title_ja, "en": proposal.title_en},
        "call_title": {"ja": proposal.call.title_ja, "en": proposal.call.title_en},
        "version": version.number,
        "receipt_number": version.receipt_number,
        "submitted_at": version.submitted_at,
        "link": {"name": "proposals:detail", "args": [proposal.pk]},
    }
    applicant = proposal.applicant
    notify([applicant], "proposal.submitted", context)
    notify(
        officers_of(proposal.institution_id),
        "proposal.endorsement_requested",
        context | {"applicant_name": {"ja": applicant.name_ja, "en": applicant.name_en}},
    )


@transaction.atomic
def _submit(proposal: Proposal, *, actor: User, key: str, now: datetime) -> ProposalVersion:
    locked = lock(proposal)
    content = snapshot_content(locked)
    repeated = locked.versions.filter(idempotency_key=key).first()
    if repeated is not None:
        if repeated.content != content:
            raise _key_reused()
        return repeated
    latest = locked.versions.order_by("-number").first()
    if (
        latest is not None
        and latest.content == content
        and locked.status in {ProposalStatus.SUBMITTED, ProposalStatus.ENDORSED}
        and latest.endorsement != Endorsement.RETURNED
    ):
        # The same content submitted again without the key: the version already made.
        return latest
    # Before the registry is read: a sanction being recorded now either committed
    # already (and refuses this) or waits for this submission to finish.
    lock_person(locked.applicant_id)
    facts = proposal_facts(locked, now, submission=submission_facts(locked, now=now))
    made: list[ProposalVersion] = []

    def effect(p: Proposal) -> dict[str, Any]:
        disclosure = integrity_queries.latest_disclosure(p.applicant)
        assert disclosure is not None  # check_submission refused a missing disclosure
        number = (latest.number + 1) if latest else 1
        sequence = receipt_sequence(p, latest)
        made.append(
            ProposalVersion.objects.create(
                proposal=p,
                number=number,
                receipt_sequence=sequence,
                receipt_number=receipt_number(
                    call_code=p.call.code, sequence=sequence, version=number, submitted_at=now
                ),
                submitted_at=now,
                submitted_by=actor,
                idempotency_key=key,
                content=content,
                disclosure=disclosure,
            )
        )
        refresh_latest_versions(p.pk)
        return {
            "version": made[0].number,
            "receipt_number": made[0].receipt_number,
            "disclosure": disclosure.pk,
        }

    move(
        locked,
        ProposalStatus.SUBMITTED,
        actor=actor,
        action="proposals.proposal.submitted",
        facts=facts,
        effect=effect,
    )
    hand_down(locked, active=True)
    _notify_submitted(locked, made[0])
    proposal.status = locked.status
    return made[0]
