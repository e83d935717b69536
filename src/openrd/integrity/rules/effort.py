"""The effort ledger as data: a person's lines and the 100 % limit on awarded effort."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason

EFFORT_SOURCE = "競争的研究費の適正な執行に関する指針（エフォートの管理）"


@dataclass(frozen=True)
class EffortLine:
    """One line of the ledger. ``awarded``: counts toward the 100 % limit (an active
    award, or current outside funding); a pending proposal is shown, not counted."""

    label: str
    effort_percent: int
    awarded: bool
    source: str = ""  # "award", "proposal", "outside"
    agency: str = ""


@dataclass(frozen=True)
class EffortFacts:
    lines: tuple[EffortLine, ...]
    adding_percent: int
    adding_label: str = ""

    @property
    def awarded_percent(self) -> int:
        return sum(line.effort_percent for line in self.lines if line.awarded)


def check_awarded_effort(facts: EffortFacts | None) -> Decision:
    """Refused, with the breakdown, when the new effort would take awarded effort above 100 %."""
    if facts is None:
        return Decision()
    total = facts.awarded_percent + facts.adding_percent
    if total <= 100:
        return Decision()
    breakdown = "; ".join(
        f"{line.label} {line.effort_percent}%" for line in facts.lines if line.awarded
    )
    return Decision.of(
        Reason(
            "effort.over_100",
            _(
                "Your awarded effort would be %(total)d%% (over 100%%): %(breakdown)s; "
                "this one %(adding)d%%."
            )
            % {"total": total, "breakdown": breakdown, "adding": facts.adding_percent},
            EFFORT_SOURCE,
        )
    )
