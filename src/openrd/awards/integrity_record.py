"""An award as the integrity office sees it, handed down whenever it starts or ends."""

from __future__ import annotations

from openrd.awards.models import Award, AwardStatus
from openrd.integrity.handdown import ResearchRecord, record_changed
from openrd.proposals.services.integrity_record import hand_down as hand_down_proposal
from openrd.proposals.services.integrity_record import screening_text

RUNNING = frozenset({AwardStatus.ACTIVE, AwardStatus.SUSPENDED})


def award_record(award: Award) -> ResearchRecord | None:
    """None for an award without a person on the platform (a project recorded by name)."""
    if award.pi_id is None:
        return None
    proposal = award.proposal
    abstract = {"abstract_ja": "", "abstract_en": ""}
    if proposal is not None:
        version = proposal.versions.order_by("-number").first()
        content = version.content if version is not None else {}
        abstract = {k: content.get(k, "") for k in abstract}
    call = award.call
    agency = call.agency_id if call is not None else None
    if agency is None:
        agency = award.program.agencies.values_list("pk", flat=True).order_by("pk").first()
    return ResearchRecord(
        source_key=f"award:{award.pk}",
        kind="award",
        person_id=award.pi_id,
        active=award.status in RUNNING,
        agency_id=agency,
        program_code=award.program.code,
        call_code=call.code if call is not None else "",
        title_ja=award.title_ja,
        title_en=award.title_en,
        text=screening_text({"title_ja": award.title_ja, "title_en": award.title_en, **abstract}),
        effort_percent=proposal.effort_percent if proposal is not None else None,
        starts_on=award.starts_on,
        ends_on=award.ends_on,
        amount_by_year={b.fiscal_year: b.amount_yen for b in award.budget_lines.all()},
    )


def hand_down(award: Award) -> None:
    """Tell integrity the award's state; its proposal is then no longer pending."""
    record = award_record(award)
    if record is not None:
        record_changed(record)
    if award.proposal is not None:
        hand_down_proposal(award.proposal, active=False)
