"""Whether a sanction in the shared registry restricts a person in a fiscal year."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason


@dataclass(frozen=True)
class ActiveRestriction:
    """A recorded, unlifted sanction's period, as every agency's rules read it."""

    sanction_id: int
    agency_name: str
    offence_label: str
    first_fiscal_year: int
    last_fiscal_year: int
    source: str


@dataclass(frozen=True)
class RestrictionFacts:
    fiscal_year: int
    restrictions: tuple[ActiveRestriction, ...] = ()


def restricting(facts: RestrictionFacts) -> tuple[ActiveRestriction, ...]:
    return tuple(
        r
        for r in facts.restrictions
        if r.first_fiscal_year <= facts.fiscal_year <= r.last_fiscal_year
    )


def check_not_restricted(facts: RestrictionFacts | None) -> Decision:
    """Refused while any agency's restriction covers the fiscal year (reciprocity):
    the reason gives the deciding agency and the last restricted fiscal year."""
    if facts is None:
        return Decision()
    return Decision.of(
        *(
            Reason(
                "sanctions.restricted",
                _(
                    "An application restriction decided by %(agency)s (%(offence)s) applies "
                    "to every call on the platform until the end of FY%(last)d "
                    "(%(end)s)."
                )
                % {
                    "agency": r.agency_name,
                    "offence": r.offence_label,
                    "last": r.last_fiscal_year,
                    "end": f"{r.last_fiscal_year + 1}-03-31",
                },
                r.source,
            )
            for r in restricting(facts)
        )
    )
