"""Receipt numbers (受付番号): what an agency prints on its letters about a submission.

``2026-SBIR-TEST-01-000001-v1`` reads as: received in fiscal year 2026, for the
call ``sbir-test-01``, the call's first proposal to be submitted, version 1.
The sequence numbers proposals in the order of their first submission to the
call and stays with the proposal, so the receipts of one proposal's versions
differ only in their "-vN" ending and sort together.
"""

from __future__ import annotations

from datetime import datetime

from openrd.core.fiscal import fiscal_year_of, to_tokyo

SEQUENCE_DIGITS = 6


def receipt_number(*, call_code: str, sequence: int, version: int, submitted_at: datetime) -> str:
    fiscal_year = fiscal_year_of(to_tokyo(submitted_at).date())
    return f"{fiscal_year}-{call_code.upper()}-{sequence:0{SEQUENCE_DIGITS}d}-v{version}"


def receipt_filename(receipt: str) -> str:
    """The PDF's download name: the receipt is ASCII letters, digits and hyphens."""
    return f"application-{receipt}.pdf"
