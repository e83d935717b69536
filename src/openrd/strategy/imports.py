"""Values and targets imported from CSV or Excel, all or nothing.

Two layouts are read, by their headers (Japanese or English):

* long — one value per row: 指標コード / indicator, 年度 / fiscal_year, 値 / value,
  and optionally 出典 / source, 時点 / as_of, 状態 / status (下書き・確定, draft·confirmed);
* wide — the administrative-review sheets' target/actual layout: 指標コード /
  indicator, then a column per fiscal year and kind, "2023年度 実績", "令和5年度目標",
  "FY2023 actual", "FY2023 target".

Every row is checked first (the indicator, the permission, the year, the number)
and the errors are reported per row and column; when any row is bad nothing is
imported. Otherwise every value goes through ``services`` (audited) in one
transaction.

A sheet downloaded from OpenRD (``exports``) comes back as it went: computed
values (状態 算出, or a computed indicator's actuals) and rows that say what is
stored already are skipped and counted, not refused; only what changed is
imported.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from openrd.core.fiscal import parse_wareki_fiscal_year
from openrd.strategy.models import Indicator, ObservationStatus
from openrd.strategy.services import parse_value, record_observation, record_target

HEADERS = {
    "indicator": {"indicator", "指標コード", "指標"},
    "fiscal_year": {"fiscal_year", "年度"},
    "value": {"value", "値", "実績値"},
    "source": {"source", "出典"},
    "as_of": {"as_of", "時点"},
    "status": {"status", "状態"},
}
STATUSES = {"draft": False, "下書き": False, "confirmed": True, "確定": True, "": False}
COMPUTED = {"算出", "computed"}  # the export's mark of a computed value: never imported
_WIDE = re.compile(
    r"^(?:FY\s*(?P<fy>\d{4})|(?P<gregorian>\d{4})年度?|(?P<era>\S+?\d+年度))\s*"
    r"(?P<kind>実績|目標|actual|target)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based, the header being row 1
    column: str
    message: str


@dataclass
class ImportReport:
    values: int = 0
    targets: int = 0
    skipped: int = 0  # computed, or what the strategy states, unchanged
    errors: list[RowError] = field(default_factory=list)


class ImportRefused(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.errors)} error(s)")
        self.report = report


def read_table(content: bytes, name: str) -> list[list[str]]:
    """The first sheet of an .xlsx file, or a CSV (UTF-8, with or without BOM), as text."""
    if name.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            raise ValidationError({"file": [_("The file is not an Excel workbook.")]}) from exc
        return [[_text(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": [_("Save the CSV file as UTF-8.")]}) from exc
    return [row for row in csv.reader(io.StringIO(text))]


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _fiscal_year(text: str) -> int:
    folded = unicodedata.normalize("NFKC", text).strip().removesuffix("年度").removeprefix("FY")
    if folded.isdigit():
        return int(folded)
    return parse_wareki_fiscal_year(text)


def _key(header: str) -> str:
    folded = unicodedata.normalize("NFKC", header).strip()
    return next((k for k, names in HEADERS.items() if folded.lower() in names), "")


def _wide_column(header: str) -> tuple[int, str] | None:
    match = _WIDE.match(unicodedata.normalize("NFKC", header).strip())
    if match is None:
        return None
    if match["fy"] or match["gregorian"]:
        year = int(match["fy"] or match["gregorian"])
    else:
        try:
            year = parse_wareki_fiscal_year(match["era"])
        except ValueError:
            return None
    kind = "target" if match["kind"].lower() in {"目標", "target"} else "actual"
    return year, kind


@dataclass(frozen=True)
class _Entry:
    row: int
    column: str
    indicator: Indicator
    fiscal_year: int
    value: str
    target: bool = False
    source: str = ""
    as_of: date | None = None
    confirmed: bool = False


def _entries(table: list[list[str]], actor: Any, report: ImportReport) -> list[_Entry]:
    if not table or not any(table[0]):
        report.errors.append(RowError(1, "", _("The file has no header row.")))
        return []
    header = table[0]
    keys = [_key(h) for h in header]
    wide = {i: col for i, h in enumerate(header) if (col := _wide_column(h))}
    if "indicator" not in keys:
        report.errors.append(
            RowError(1, "", _("Name the indicator column 指標コード or indicator."))
        )
        return []
    long = "value" in keys and "fiscal_year" in keys
    if not long and not wide:
        report.errors.append(RowError(1, "", _(
            "Give 年度 and 値 columns, or a column per year such as “2023年度 実績”."
        )))  # fmt: skip
        return []
    codes = {
        row[keys.index("indicator")] for row in table[1:] if len(row) > keys.index("indicator")
    }
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(code__in=codes).select_related("measure", "owner")
    }
    entries = []
    for number, row in enumerate(table[1:], start=2):
        cells = dict(zip(keys, row, strict=False))
        if not any(c.strip() for c in row):
            continue  # a blank line between blocks of a sheet
        code = cells.get("indicator", "").strip()
        indicator = indicators.get(code)
        if indicator is None:
            message = _("No indicator has the code “%(code)s”.") % {"code": code}
            report.errors.append(RowError(number, header[keys.index("indicator")], message))
            continue
        if long:
            entries += _long_row(number, header, keys, cells, indicator, report)
        for i, (year, kind) in wide.items():
            value = row[i].strip() if i < len(row) else ""
            if value and kind == "actual" and indicator.is_computed:
                report.skipped += 1
            elif value:
                entries.append(_Entry(number, header[i], indicator, year, value, kind == "target",
                                      confirmed=True))  # fmt: skip
    kept = []
    for e in entries:
        try:
            parsed = parse_value(e.value)
        except ValidationError as error:
            report.errors += [RowError(e.row, e.column, m) for m in error.message_dict["value"]]
        else:
            if _unchanged(e, parsed):
                report.skipped += 1
                continue
        perm = "strategy.load_strategy" if e.target else "strategy.record_observation"
        if not actor.has_perm(perm, None if e.target else e.indicator):
            report.errors.append(RowError(e.row, e.column, _(
                "You may not enter values for this indicator."
            )))  # fmt: skip
        kept.append(e)
    return kept


def _unchanged(e: _Entry, value: Decimal) -> bool:
    """The row says what is stored already (a sheet downloaded and sent back):
    the same target, the value the strategy states, or the same entered value
    with the same status."""
    if e.target:
        return e.indicator.targets.filter(fiscal_year=e.fiscal_year, value=value).exists()
    stored = e.indicator.observations.filter(fiscal_year=e.fiscal_year, value=value).first()
    if stored is None:
        return False
    return stored.seed_line is not None or (stored.status == ObservationStatus.CONFIRMED) == (
        e.confirmed
    )


def _long_row(number: int, header: list[str], keys: list[str], cells: dict[str, str],
              indicator: Indicator, report: ImportReport) -> list[_Entry]:  # fmt: skip
    def column(key: str) -> str:
        return header[keys.index(key)]

    try:
        year = _fiscal_year(cells.get("fiscal_year", ""))
    except ValueError:
        message = _("Write the fiscal year as 2023 or 令和5年度.")
        report.errors.append(RowError(number, column("fiscal_year"), message))
        return []
    as_of = None
    if cells.get("as_of", "").strip():
        try:
            as_of = date.fromisoformat(cells["as_of"].strip())
        except ValueError:
            report.errors.append(
                RowError(number, column("as_of"), _("Enter a date as YYYY-MM-DD."))
            )
            return []
    status = cells.get("status", "").strip().lower()
    if status in COMPUTED:
        report.skipped += 1
        return []
    if status not in STATUSES:
        report.errors.append(RowError(number, column("status"),
                                      _("Write the status as 下書き or 確定.")))  # fmt: skip
        return []
    entry = _Entry(
        number,
        column("value"),
        indicator,
        year,
        cells.get("value", ""),
        source=cells.get("source", ""),
        as_of=as_of,
        confirmed=STATUSES[status],
    )
    return [entry]


def import_table(content: bytes, name: str, *, actor: Any) -> ImportReport:
    """Import every value of the file, or nothing (``ImportRefused`` with the report)."""
    report = ImportReport()
    entries = _entries(read_table(content, name), actor, report)
    if report.errors:
        raise ImportRefused(report)
    try:
        with transaction.atomic():
            for e in entries:
                try:
                    if e.target:
                        record_target(e.indicator, actor=actor, fiscal_year=e.fiscal_year,
                                      value=e.value)  # fmt: skip
                        report.targets += 1
                    else:
                        record_observation(e.indicator, actor=actor, fiscal_year=e.fiscal_year,
                                           value=e.value, source=e.source, as_of=e.as_of,
                                           confirmed=e.confirmed)  # fmt: skip
                        report.values += 1
                except (ValidationError, PermissionDenied) as error:
                    messages = (
                        [m for ms in error.message_dict.values() for m in ms]
                        if isinstance(error, ValidationError) and hasattr(error, "error_dict")
                        else [_("You may not enter values for this indicator.")]
                    )
                    report.errors += [RowError(e.row, e.column, m) for m in messages]
            if report.errors:
                raise ImportRefused(report)  # rolls back what the earlier rows wrote
    except ImportRefused:
        report.values = report.targets = report.skipped = 0
        raise
    return report
