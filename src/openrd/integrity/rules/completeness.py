"""Whether a person's disclosure allows a proposal to be submitted."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason
from openrd.integrity.rules.entries import GUIDELINE_SOURCE

# ---------- Completeness before a submission ----------


@dataclass(frozen=True)
class DisclosureFacts:
    """What :func:`check_disclosure_complete` needs to know about a person's disclosure."""

    has_version: bool
    pledged: bool


def check_disclosure_complete(facts: DisclosureFacts) -> Decision:
    """A proposal may be submitted only with a disclosure whose latest version is pledged."""
    if not facts.has_version:
        return Decision.of(
            Reason(
                "integrity.disclosure_missing",
                _("Disclose your research funding and positions before submitting."),
                GUIDELINE_SOURCE,
            )
        )
    if not facts.pledged:
        return Decision.of(
            Reason(
                "integrity.pledge_missing",
                _(
                    "Pledge that your latest disclosure has been reported to your institution "
                    "before submitting."
                ),
                GUIDELINE_SOURCE,
            )
        )
    return Decision()
