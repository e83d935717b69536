"""The kinds of job a user can start, with the label their page shows."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

AUDIT_VERIFY = "audit.verify"

LABELS: dict[str, Promise] = {
    AUDIT_VERIFY: _("Verify the audit log's hash chain"),
}


def label(kind: str) -> str:
    return str(LABELS.get(kind, kind))
