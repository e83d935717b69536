"""The one door through which higher apps hand their facts down to integrity.

Proposals and awards live above this app, so integrity cannot read them. Each time
one changes in a way integrity cares about (submitted, withdrawn, not selected,
awarded, ended) the owning service calls :func:`record_changed` in its own
transaction with a :class:`ResearchRecord`, and integrity keeps its own tables
from it: the effort ledger's commitments and the screening corpus.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class ResearchRecord:
    """An award or a proposal as integrity sees it.

    ``source_key``: "proposal:<id>" or "award:<id>", stable for the record's life.
    ``active``: a proposal under review or a running award; False retires it from
    the ledger and the corpus. ``text``: the title and abstract, in whatever
    languages were given, for duplication screening.
    """

    source_key: str
    kind: str  # "proposal" | "award"
    person_id: int
    active: bool
    agency_id: int | None = None
    program_code: str = ""
    call_code: str = ""
    title_ja: str = ""
    title_en: str = ""
    text: str = ""
    effort_percent: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    amount_by_year: dict[int, int] = field(default_factory=dict)


def record_changed(record: ResearchRecord) -> None:
    """Bring the ledger and the corpus up to date with ``record`` (idempotent)."""
    # Imported here: both build on models that import nothing from this module.
    from openrd.integrity.effort.services import record_commitment
    from openrd.integrity.screening.services import record_document

    record_commitment(record)
    record_document(record)
