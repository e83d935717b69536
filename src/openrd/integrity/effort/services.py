"""The only writer of effort commitments."""

from __future__ import annotations

from openrd.integrity.handdown import ResearchRecord


def record_commitment(record: ResearchRecord) -> None:
    """Keep the person's commitment for ``record`` (see integrity.handdown)."""
