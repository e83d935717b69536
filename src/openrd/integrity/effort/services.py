"""The only writer of effort commitments."""

from __future__ import annotations

from django.utils import timezone

from openrd.integrity.handdown import ResearchRecord
from openrd.integrity.models_effort import EffortCommitment
from openrd.integrity.rules.effort import EFFORT_LIMIT


def record_commitment(record: ResearchRecord) -> None:
    """Keep the person's commitment for ``record`` (see integrity.handdown).

    Runs inside the owning service's transaction, so the ledger moves with the
    proposal or award or not at all. No audit entry of its own: the ledger is a
    copy of facts whose change the owning service has just audited (submitted,
    withdrawn, awarded…), and a second entry per change would say nothing new.
    """
    effort = record.effort_percent
    keeps_line = record.active and effort is not None and 0 <= effort <= EFFORT_LIMIT
    if not keeps_line:
        # Retire only this record's own line: an award that states no effort (one
        # recorded without a proposal) must not touch the person's other lines.
        EffortCommitment.objects.filter(
            person_id=record.person_id, source_key=record.source_key, active=True
        ).update(active=False, updated_at=timezone.now())
        return
    assert effort is not None
    EffortCommitment.objects.update_or_create(
        person_id=record.person_id,
        source_key=record.source_key,
        defaults={
            "source": record.kind,
            "agency_id": record.agency_id,
            "program_code": record.program_code,
            "title_ja": record.title_ja[:500],
            "title_en": record.title_en[:500],
            "effort_percent": effort,
            "starts_on": record.starts_on,
            "ends_on": record.ends_on,
            "amount_by_year": {str(year): amount for year, amount in record.amount_by_year.items()},
            "active": True,
        },
    )
