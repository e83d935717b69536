"""Freezing the working copy as a submitted version, or refusing with every reason."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import User
from openrd.core import audit
from openrd.core.decisions import Decision
from openrd.integrity import queries as integrity_queries
from openrd.programs.rules import ApplicantFacts, call_rules, program_rules
from openrd.proposals.models import (
    Endorsement,
    Proposal,
    ProposalStatus,
    ProposalVersion,
)
from openrd.proposals.rules import BudgetLine, SubmissionFacts, check_submission
from openrd.proposals.services.common import TEXT_FIELDS


class SubmissionRefused(Exception):
    def __init__(self, decision: Decision) -> None:
        super().__init__(", ".join(decision.codes()))
        self.decision = decision


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
