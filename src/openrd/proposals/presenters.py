"""Proposals as the API and the pages show them, per viewer (owner, institution, agency)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse

from openrd.core.files import max_upload_bytes
from openrd.core.i18n import current_lang
from openrd.core.refusals import Refused
from openrd.integrity.presenters import disclosure_changes
from openrd.programs.models import Call
from openrd.proposals.models import (
    Endorsement,
    MemberStatus,
    Proposal,
    ProposalMember,
    ProposalVersion,
)
from openrd.proposals.queries import AGENCY, OWNER, ProposalAccess
from openrd.proposals.rules import guidance
from openrd.proposals.services import snapshot_content, submission_facts


def version_dict(version: ProposalVersion, *, with_diff: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": version.number,
        "receipt_number": version.receipt_number,
        "submitted_at": version.submitted_at,
        "endorsement": version.endorsement,
        "endorsement_label": version.get_endorsement_display(),
        "endorsed_at": version.endorsed_at,
        "return_comment": version.return_comment,
        "disclosure_version": version.disclosure.number,
        "content": version.content,
    }
    if with_diff:
        out["disclosure_changes"] = disclosure_changes(version.disclosure)
    return out


def invitation_dict(member: ProposalMember) -> dict[str, Any]:
    """An invitation as its invitee reads it, on the page and in the API."""
    proposal = member.proposal
    return {
        "id": member.pk,
        "proposal_id": proposal.pk,
        "title": proposal.title,
        "applicant": proposal.applicant.display_name,
        "call": proposal.call.title,
        "role": member.role,
        "role_label": member.get_role_display(),
        "status": member.status,
        "status_label": member.get_status_display(),
        "invited_at": member.invited_at,
    }


def member_dict(member: ProposalMember, *, contact: bool) -> dict[str, Any]:
    """One co-investigator or invitation. ``contact`` (the applicant only): the
    e-mail and e-Rad number the invitation was sent with; others read the
    e-Rad number of those who accepted, as the submitted version shows it."""
    person = member.person if member.status == MemberStatus.ACCEPTED else None
    number = person.erad_researcher_number if person is not None else None
    return {
        "id": member.pk,
        "name": member.display_name,
        "name_ja": person.name_ja if person is not None else member.invited_name,
        "name_en": person.name_en if person is not None else "",
        "role": member.role,
        "role_label": member.get_role_display(),
        "status": member.status,
        "status_label": member.get_status_display(),
        "invited_at": member.invited_at,
        "answered_at": member.answered_at,
        "email": member.invited_email if contact else "",
        "erad_researcher_number": (number or member.invited_erad_number or None)
        if contact
        else number,
        "shares": [
            {"fiscal_year": s.fiscal_year, "amount_yen": s.amount_yen} for s in member.shares.all()
        ],
    }


def attachment_dict(pk: int, entry: dict[str, Any]) -> dict[str, Any]:
    """One attached file with the API address it is downloaded from: the same in
    every answer (the upload's, the proposal's, a version's)."""
    return entry | {"url": reverse("api-v1:download", kwargs={"pk": pk, "sha256": entry["sha256"]})}


def seen_by(versions: list[ProposalVersion]) -> dict[str, int | None]:
    """The version the institution reads (the latest) and the one the agency reads
    (the latest endorsed), so the applicant knows what each party has in hand."""
    endorsed = [v.number for v in versions if v.endorsement == Endorsement.ENDORSED]
    return {
        "institution": versions[0].number if versions else None,
        "agency": max(endorsed) if endorsed else None,
    }


def _identity(access: ProposalAccess) -> dict[str, Any]:
    """The fields every view of a proposal starts with, in the full form and in lists."""
    p = access.proposal
    return {
        "id": p.pk,
        "view": access.mode,
        "call_id": p.call_id,
        "call_code": p.call.code,
        "status": p.status,
    }


def proposal_dict(access: ProposalAccess) -> dict[str, Any]:
    """Owners see the working copy; others see the latest version they may see."""
    p = access.proposal
    versions = list(access.versions())
    if access.mode == OWNER:
        content = snapshot_content(p)
        revision: int | None = p.revision
    else:
        content = versions[0].content
        revision = None
    return {
        **_identity(access),
        "revision": revision,
        "applicant": {"name_ja": p.applicant.name_ja, "name_en": p.applicant.name_en},
        **{
            k: content[k]
            for k in (
                "title_ja",
                "title_en",
                "abstract_ja",
                "abstract_en",
                "effort_percent",
                "institution",
                "budget",
                "co_investigators",
            )
        },
        "attachments": [attachment_dict(p.pk, a) for a in content["attachments"]],
        # Each viewer learns only of versions it may see itself.
        "seen_by": seen_by(versions),
        "versions": [version_dict(v, with_diff=access.mode != OWNER) for v in versions],
    }


def proposal_summary(access: ProposalAccess) -> dict[str, Any]:
    """One line of a list, from the row's copies of its latest versions (a row of
    ``queries.listed_rows``): no query per proposal. The agency's latest version
    is the latest endorsed one; everyone else's, the latest submitted."""
    p = access.proposal
    if access.mode == AGENCY:
        latest = p.latest_endorsed_version
        title_ja, title_en = p.endorsed_title_ja, p.endorsed_title_en
    else:
        latest = p.latest_version
        title_ja, title_en = p.latest_title_ja, p.latest_title_en
    if access.mode == OWNER or latest is None:
        title_ja, title_en = p.title_ja, p.title_en
    return {
        **_identity(access),
        "title_ja": title_ja,
        "title_en": title_en,
        "institution": p.institution.code,
        "latest_version": latest.number if latest else None,
        "endorsement": latest.endorsement if latest else None,
    }


# --- the editor's guidance: what the rules require, the budget, the deadline -----


def budget_years(call: Call) -> list[int]:
    return list(range(call.first_budget_year, call.last_budget_year + 1))


def editor_requirements(proposal: Proposal, now: datetime) -> tuple[guidance.Requirement, ...]:
    """The fields this call's content rules require, from the facts a submission is
    judged on (so the markers follow the call: its required documents, its years)."""
    facts = submission_facts(proposal, now=now)
    return guidance.content_requirements(facts, budget_years(proposal.call))


def budget_summary(call: Call, amounts: list[int]) -> dict[str, Any]:
    """The budget's total against the call's cap, and the wording editor.js fills in
    as the applicant types ("{amount}" stands for the amount it formats)."""
    lang = current_lang()
    standing = guidance.budget_standing(amounts, call.cap_per_proposal_yen, lang)
    return {
        "total": standing.total,
        "cap": standing.cap,
        "over": standing.over,
        "total_text": standing.total_text,
        "text": standing.text,
        "lang": lang,
        "templates": {
            "total": guidance.total_text("{amount}"),
            "remaining": guidance.remaining_text("{amount}"),
            "over": guidance.over_text("{amount}"),
        },
    }


def deadline_banner(call: Call, now: datetime) -> dict[str, Any]:
    countdown = guidance.deadline_countdown(
        call.status, call.opens_at, call.closes_at, now, current_lang()
    )
    return {"text": countdown.text, "urgent": countdown.urgent, "closed": countdown.closed}


def upload_limits() -> dict[str, Any]:
    """What an upload may be, said before choosing a file: the store's own limits."""
    size = max_upload_bytes()
    return {"max_bytes": size, "text": guidance.upload_limits_text(size)}


def counter_templates() -> dict[str, str]:
    return {
        "count": guidance.counter_text("{count}", "{limit}"),
        "over": guidance.over_limit_text("{count}", "{limit}", "{over}"),
    }


def refusal_items(refusal: Refused, call: Call) -> list[dict[str, str]]:
    """The refusal's reasons, each linking to the field it is about (when it has one)."""
    return guidance.refusal_links(refusal.decision, budget_years(call))
