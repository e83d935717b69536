"""The effort ledger as data: a person's lines and the 100 % limit on awarded effort.

Effort (エフォート) is the share of all of a person's working time, teaching and
clinical work included, so the awards they hold together can never take more than
100 % of it. Pending proposals are shown beside the total but do not count: a
person may apply for more than they could hold, and is asked to choose on award.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason

EFFORT_SOURCE = "競争的研究費の適正な執行に関する指針（エフォートの管理）"
EFFORT_LIMIT = 100


@dataclass(frozen=True)
class EffortLine:
    """One line of the ledger. ``awarded``: counts toward the 100 % limit (an active
    award, or current outside funding); a pending proposal is shown, not counted."""

    label: str
    effort_percent: int
    awarded: bool
    source: str = ""  # "award", "proposal", "outside"
    agency: str = ""
    program: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    key: str = ""  # the commitment's source_key, or "disclosure:<entry key>"


@dataclass(frozen=True)
class EffortFacts:
    lines: tuple[EffortLine, ...]
    adding_percent: int
    adding_label: str = ""

    @property
    def awarded_percent(self) -> int:
        return sum(line.effort_percent for line in self.lines if line.awarded)

    @property
    def pending_percent(self) -> int:
        return sum(line.effort_percent for line in self.lines if not line.awarded)

    @property
    def with_pending_percent(self) -> int:
        return self.awarded_percent + self.pending_percent

    @property
    def total_after(self) -> int:
        """Awarded effort once the new effort is added."""
        return self.awarded_percent + self.adding_percent


def breakdown(facts: EffortFacts) -> str:
    """Each awarded line with its effort, then the new one: what the person must weigh."""
    parts = [f"{line.label} {line.effort_percent}%" for line in facts.lines if line.awarded]
    parts.append(
        _("%(label)s (this one) %(percent)d%%")
        % {"label": facts.adding_label or _("the new proposal"), "percent": facts.adding_percent}
    )
    return "; ".join(parts)


def check_awarded_effort(facts: EffortFacts | None) -> Decision:
    """Refused, with the breakdown, when the new effort would take awarded effort above 100 %.

    None (no effort given) is not this rule's to refuse: the proposal's own
    ``check_effort`` already says effort is missing, and an award recorded without
    a proposal states no effort at all.
    """
    if facts is None or facts.total_after <= EFFORT_LIMIT:
        return Decision()
    return Decision.of(
        Reason(
            "effort.over_100",
            _("Awarded effort would be %(total)d%%, over 100%% of working time: %(breakdown)s.")
            % {"total": facts.total_after, "breakdown": breakdown(facts)},
            EFFORT_SOURCE,
        )
    )
