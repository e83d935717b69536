"""Who may download a file: one rule, read by the landing page, the API, OAI-PMH,
the file URL and the search index alike, so no door serves what another hides."""

from __future__ import annotations

from openrd.repository.models import AccessRights, DepositStatus, FileAccess


def file_is_public(output_status: str, output_access: str, file_access: str) -> bool:
    """A file is open to everyone only when its record is published and open and
    the file itself is open: an embargoed or metadata-only record, a restricted
    file, a draft or a withdrawn record serves nothing to the public."""
    return (
        output_status == DepositStatus.PUBLISHED
        and output_access == AccessRights.OPEN
        and file_access == FileAccess.OPEN
    )


def file_may_be_requested(output_status: str, file_access: str) -> bool:
    """A restricted file of a published record can be asked for (access request)."""
    return output_status == DepositStatus.PUBLISHED and file_access == FileAccess.RESTRICTED
