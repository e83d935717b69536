"""Whether the applicant's institution has completed its integrity checklist."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason

INSTITUTION_CHECKLIST_SOURCE = (
    "研究機関における研究インテグリティの確保に係るチェックリスト（2023年6月29日改訂）"
)


@dataclass(frozen=True)
class ChecklistFacts:
    """What the submission rule needs: whether the program requires the checklist and
    whether the institution completed it for the fiscal year of the submission."""

    required: bool
    fiscal_year: int
    completed: bool
    institution_name: str = ""


def check_institution_checklist(facts: ChecklistFacts | None) -> Decision:
    if facts is None or not facts.required or facts.completed:
        return Decision()
    return Decision.of(
        Reason(
            "integrity.institution_checklist_missing",
            _(
                "Your institution (%(institution)s) has not completed its research-integrity "
                "checklist for FY%(year)d, which this program requires."
            )
            % {"institution": facts.institution_name, "year": facts.fiscal_year},
            INSTITUTION_CHECKLIST_SOURCE,
        )
    )
