"""A table or a file sent as a download: CSV (UTF-8 with a BOM) or Excel, with
a file name that is safe in the ``Content-Disposition`` header."""

from __future__ import annotations

import re

from django.http import HttpResponse

from openrd.core.spreadsheet import Cell, table_csv, table_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def file_download(content: bytes, *, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # Only ASCII letters, digits, dots, dashes and underscores reach the header.
    response["Content-Disposition"] = f'attachment; filename="{_UNSAFE.sub("-", name)}"'
    return response


def table_download(
    header: list[str], body: list[list[Cell]], *, name: str, ext: str, sheet_title: str = ""
) -> HttpResponse:
    """``name`` without its extension; ``ext`` is "csv" or "xlsx"."""
    if ext == "csv":
        return file_download(
            table_csv(header, body), name=f"{name}.csv", content_type="text/csv; charset=utf-8"
        )
    if ext != "xlsx":
        raise ValueError(f"no download format {ext!r}")
    content = table_xlsx(header, body, sheet_title=sheet_title or name)
    return file_download(content, name=f"{name}.xlsx", content_type=XLSX)
