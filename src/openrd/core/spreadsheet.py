"""Tables written out as CSV (UTF-8 with a BOM, for Excel) and Excel (openpyxl):
one header and typed rows (numbers stay numbers, a missing value is ``None``).

Text that a spreadsheet would read as a formula (a title typed as
``=HYPERLINK(…)``) is written as text in both: the CSV puts an apostrophe before
it, the Excel file stores it as a string cell (``looks_like_formula``).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

type Cell = str | int | float | None

# What Excel, LibreOffice and Google Sheets start a formula with (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH, MAX_WIDTH = 8, 60
MISSING_TEXT = "—"


def looks_like_formula(value: Cell) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


# ------------------------------------------------------------------ CSV


def csv_text(value: Cell) -> str:
    if value is None:
        return MISSING_TEXT
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int):
        return str(value)
    return f"'{value}" if looks_like_formula(value) else value


def table_csv(header: list[str], body: list[list[Cell]]) -> bytes:
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


def table_xlsx(header: list[str], body: list[list[Cell]], *, sheet_title: str) -> bytes:
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
