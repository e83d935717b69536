"""The only writers of the screening corpus, its flags and its runs."""

from __future__ import annotations

from openrd.integrity.handdown import ResearchRecord


def record_document(record: ResearchRecord) -> None:
    """Keep the corpus document for ``record`` (see integrity.handdown)."""
