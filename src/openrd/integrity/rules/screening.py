"""Screening decisions from plain values: near-duplicates, the same theme, over-concentration.

A flag is a finding for the agency's staff, never a refusal of the proposal; the
rules say what is found and why, with the figures behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason

CONCENTRATION_SOURCE = "競争的研究費の適正な執行に関する指針（不合理な重複及び過度の集中の排除）"

# Cosine similarity of the two texts at or above which they are flagged as near-duplicates,
# when the agency has set no other value.
DEFAULT_DUPLICATE_SIMILARITY = 0.6
# A lower similarity between two records of the same researcher already suggests that one
# theme is funded twice (不合理な重複): the wording differs, the subject does not.
SAME_THEME_SIMILARITY = 0.3


@dataclass(frozen=True)
class Limits:
    """The agency's thresholds; None: that check is not made."""

    max_yen_per_fiscal_year: int | None = None
    max_effort_percent: int | None = None
    duplicate_similarity: float = DEFAULT_DUPLICATE_SIMILARITY


def is_near_duplicate(score: float, limits: Limits) -> bool:
    return score >= limits.duplicate_similarity


def is_same_theme(score: float, *, same_person: bool) -> bool:
    return same_person and score >= SAME_THEME_SIMILARITY


@dataclass(frozen=True)
class FundingLine:
    """One source of a researcher's funding and effort: an award, a pending proposal,
    or funding outside the platform. ``amount_by_year``: yen by fiscal year."""

    label: str
    source: str  # "award", "proposal", "outside", "this"
    amount_by_year: dict[int, int] = field(default_factory=dict)
    effort_percent: int = 0


@dataclass(frozen=True)
class Concentration:
    """The researcher's lines with this proposal (``adding``) on top."""

    lines: tuple[FundingLine, ...]
    adding: FundingLine

    @property
    def all_lines(self) -> tuple[FundingLine, ...]:
        return (*self.lines, self.adding)

    def years(self) -> list[int]:
        """The fiscal years this proposal would be funded in (those are the ones judged)."""
        return sorted(self.adding.amount_by_year)

    def yen_in(self, year: int) -> int:
        return sum(line.amount_by_year.get(year, 0) for line in self.all_lines)

    @property
    def effort_percent(self) -> int:
        return sum(line.effort_percent for line in self.all_lines)


def check_concentration(facts: Concentration, limits: Limits) -> Decision:
    """A reason for each fiscal year over the yen limit and one for effort over its limit.

    At the limit is not over it."""
    reasons: list[Reason] = []
    if limits.max_yen_per_fiscal_year is not None:
        for year in facts.years():
            total = facts.yen_in(year)
            if total > limits.max_yen_per_fiscal_year:
                reasons.append(
                    Reason(
                        "screening.over_yen",
                        _(
                            "Funding in fiscal year %(year)d would be %(total)s yen, over the "
                            "agency's limit of %(limit)s yen."
                        )
                        % {
                            "year": year,
                            "total": f"{total:,}",
                            "limit": f"{limits.max_yen_per_fiscal_year:,}",
                        },
                        CONCENTRATION_SOURCE,
                    )
                )
    if limits.max_effort_percent is not None and facts.effort_percent > limits.max_effort_percent:
        reasons.append(
            Reason(
                "screening.over_effort",
                _("Effort would total %(total)d%%, over the agency's limit of %(limit)d%%.")
                % {"total": facts.effort_percent, "limit": limits.max_effort_percent},
                CONCENTRATION_SOURCE,
            )
        )
    return Decision(tuple(reasons))


def breakdown(facts: Concentration) -> dict[str, object]:
    """The figures a flag shows: every line, the totals per judged year and the effort."""
    return {
        "lines": [_line_dict(line) for line in facts.all_lines],
        "years": {str(year): facts.yen_in(year) for year in facts.years()},
        "effort_percent": facts.effort_percent,
    }


def _line_dict(line: FundingLine) -> dict[str, object]:
    return {
        "label": line.label,
        "source": line.source,
        "amount_by_year": {str(y): v for y, v in sorted(line.amount_by_year.items())},
        "effort_percent": line.effort_percent,
    }
