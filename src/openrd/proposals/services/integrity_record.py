"""A proposal as the integrity office sees it, handed down on every change it cares about."""

from __future__ import annotations

from datetime import date
from typing import Any

from openrd.integrity.handdown import ResearchRecord, record_changed
from openrd.proposals.models import Proposal


def source_key(proposal_id: int) -> str:
    return f"proposal:{proposal_id}"


def screening_text(content: dict[str, Any]) -> str:
    """Title and abstract in both languages: screening compares whatever was written."""
    parts = (content.get(k) or "" for k in ("title_ja", "title_en", "abstract_ja", "abstract_en"))
    return "\n".join(p.strip() for p in parts if p and p.strip())


def proposal_record(proposal: Proposal, *, active: bool) -> ResearchRecord:
    """The proposal's latest submitted content (the working copy before any)."""
    version = proposal.versions.order_by("-number").first()
    content: dict[str, Any] = (
        version.content
        if version is not None
        else {
            "title_ja": proposal.title_ja,
            "title_en": proposal.title_en,
            "abstract_ja": proposal.abstract_ja,
            "abstract_en": proposal.abstract_en,
            "effort_percent": proposal.effort_percent,
            "budget": [
                {"fiscal_year": b.fiscal_year, "amount_yen": b.amount_yen}
                for b in proposal.budget_lines.all()
            ],
        }
    )
    amounts = {int(b["fiscal_year"]): int(b["amount_yen"]) for b in content.get("budget", [])}
    years = sorted(amounts)
    call = proposal.call
    return ResearchRecord(
        source_key=source_key(proposal.pk),
        kind="proposal",
        person_id=proposal.applicant_id,
        active=active,
        agency_id=call.agency_id,
        program_code=call.program.code,
        call_code=call.code,
        title_ja=content.get("title_ja") or "",
        title_en=content.get("title_en") or "",
        text=screening_text(content),
        effort_percent=content.get("effort_percent"),
        starts_on=date(years[0], 4, 1) if years else None,
        ends_on=date(years[-1] + 1, 3, 31) if years else None,
        amount_by_year=amounts,
    )


def hand_down(proposal: Proposal, *, active: bool) -> None:
    """Tell integrity: the proposal is under review (``active``) or no longer is."""
    record_changed(proposal_record(proposal, active=active))
