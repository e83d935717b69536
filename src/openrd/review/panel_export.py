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

import csv
import io
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from openrd.review.panel import PanelCriterion, PanelRow

type Cell = str | int | float | None

# What Excel, LibreOffice and Google Sheets start a formula with (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH, MAX_WIDTH = 8, 60
MISSING_TEXT = "—"


def looks_like_formula(value: Cell) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


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


# ------------------------------------------------------------------ CSV


def csv_text(value: Cell) -> str:
    if value is None:
        return MISSING_TEXT
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int):
        return str(value)
    return f"'{value}" if looks_like_formula(value) else value


def panel_csv(header: list[str], body: list[list[Cell]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_text(h) for h in header])
    writer.writerows([csv_text(v) for v in row] for row in body)
    # The BOM makes Excel read the file as UTF-8 (else Japanese turns to mojibake).
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ------------------------------------------------------------------ Excel


def display_width(value: Cell) -> int:
    """Columns a value takes in a spreadsheet: wide (CJK) characters count two."""
    text = csv_text(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def panel_xlsx(header: list[str], body: list[list[Cell]], *, sheet_title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    # A sheet's name is at most 31 characters, none of []:*?/\
    sheet.title = "".join(ch for ch in sheet_title if ch not in "[]:*?/\\")[:31] or "Sheet1"
    widths = [display_width(h) for h in header]
    bold = Font(bold=True)
    for column, text in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=column)
        _put(cell, text)
        cell.font = bold
    for number, row in enumerate(body, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column)
            _put(cell, value)
            if isinstance(value, float):
                cell.number_format = "0.0"
            widths[column - 1] = max(widths[column - 1], display_width(value))
    sheet.freeze_panes = "A2"
    for column, width in enumerate(widths, start=1):
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _put(cell: Any, value: Cell) -> None:
    """Write a value; text is always a string cell, never a formula."""
    cell.value = value
    if looks_like_formula(value):
        # openpyxl reads a string starting with "=" as a formula: force text, and
        # mark it so a spreadsheet edited and saved again keeps it text.
        cell.data_type = "s"
        cell.quotePrefix = True
