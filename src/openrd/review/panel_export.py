"""The panel's ranked list as a spreadsheet: one table for the CSV and the Excel file.

``panel_table`` gives the header (in the active language) and the rows with
their values typed (numbers stay numbers, a missing score is ``None``); each
format only writes them out. No reviewer appears in either, by name or
otherwise: an export travels beyond the page (mail, shared drives) to people the
page would never show a reviewer to, including the applicants' side of a
conflict, so leaving the reviewers out entirely is the only rule that cannot
leak a conflicted reviewer's name to the wrong person.

Text that a spreadsheet would read as a formula (a title typed as
``=HYPERLINK(…)``) is written as text in both: the CSV puts an apostrophe before
it, the Excel file stores it as a string cell (``looks_like_formula``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from openrd.core.spreadsheet import Cell, csv_text, looks_like_formula
from openrd.core.spreadsheet import table_csv as panel_csv
from openrd.core.spreadsheet import table_xlsx as panel_xlsx
from openrd.review.panel import PanelCriterion, PanelRow

__all__ = ["Cell", "csv_text", "looks_like_formula", "panel_csv", "panel_table", "panel_xlsx"]


def _score(value: float | None) -> float | None:
    # Rounded as the page shows it (``scoring.display_score``), so the files agree.
    return None if value is None else float(f"{value:.1f}")


def panel_table(
    criteria: Sequence[PanelCriterion], rows: Sequence[PanelRow]
) -> tuple[list[str], list[list[Cell]]]:
    """The header and the rows of the ranked list, in rank order."""
    header = [
        _("Rank"),
        _("Proposal ID"),
        _("Receipt number"),
        _("Title"),
        _("Institution"),
        _("Reviews submitted"),
        _("Reviewers assigned"),
        _("Mean"),
        _("Median"),
        _("Spread"),
        _("Reviewers disagree"),
        *[_("%(criterion)s (mean)") % {"criterion": c.name} for c in criteria],
    ]
    body: list[list[Cell]] = [
        [
            row.rank,
            row.proposal.pk,
            row.receipt_number,
            row.title,
            row.institution,
            row.submitted,
            row.assigned,
            _score(row.stats.mean),
            _score(row.stats.median),
            _score(row.stats.spread),
            _("yes") if row.stats.disagreement else "",
            *[_score(v) for v in row.criterion_means],
        ]
        for row in rows
    ]
    return header, body
