"""Public registry snapshots of companies (CSV or JSON), all or nothing.

One company a row: its corporate number (法人番号, check digit verified), names,
address, status and successor, and the facts the registry gives (founding date,
capital, regular employees, main industry) as of the snapshot's date. Every row
is checked first and the errors reported by row and column; when any row is
bad nothing is imported. Otherwise each company is created or updated by its
corporate number and each fact recorded with the source ``public_registry`` and
the snapshot's name, so importing the same snapshot again changes nothing and
duplicates nothing; each company is reassessed once at the end.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from openrd.ecosystem.models import Company, CompanyStatus, FactSource
from openrd.ecosystem.services import (
    normalized_number,
    normalized_value,
    reassess,
    record_fact,
    upsert_company,
)

# Column names, Japanese as the registries publish them or English.
COLUMNS = {
    "corporate_number": {"corporate_number", "法人番号"},
    "name_ja": {"name_ja", "name", "商号又は名称", "名称"},
    "name_kana": {"name_kana", "フリガナ", "商号又は名称（フリガナ）"},
    "name_en": {"name_en", "英語表記", "商号又は名称（英語表記）"},
    "prefecture": {"prefecture", "都道府県", "国内所在地（都道府県）"},
    "city": {"city", "市区町村", "国内所在地（市区町村）"},
    "street": {"street", "丁目番地等", "国内所在地（丁目番地等）"},
    "status": {"status", "状態"},
    "closed_on": {"closed_on", "閉鎖年月日"},
    "successor": {"successor", "successor_corporate_number", "承継先法人番号"},
    "founded_on": {"founded_on", "設立年月日"},
    "capital_yen": {"capital_yen", "資本金"},
    "employees": {"employees", "従業員数"},
    "industry": {"industry", "業種"},
}
FACTS = ("founded_on", "capital_yen", "employees", "industry")
MAX_ROWS = 50_000


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based; in a CSV the header is row 1
    column: str
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    facts: int = 0
    errors: list[RowError] = field(default_factory=list)


class ImportRefused(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.errors)} error(s)")
        self.report = report


Columns = dict[str, set[str]]


def read_rows(content: bytes, name: str, columns: Columns = COLUMNS
              ) -> list[tuple[int, dict[str, str]]]:  # fmt: skip
    """(row number, {column key: text}) for each data row of a CSV or JSON file,
    its columns named as in ``columns`` (key → the names it may have)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": [_("Save the file as UTF-8.")]}) from exc
    if name.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError({"file": [_("The file is not valid JSON.")]}) from exc
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ValidationError({"file": [_("Give a JSON array of objects, one a row.")]})
        return [(n, _keyed(r, columns)) for n, r in enumerate(data, start=1)]
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    keys = [_key(h, columns) for h in header]
    return [(n, {k: v.strip() for k, v in zip(keys, row, strict=False) if k})
            for n, row in enumerate(reader, start=2) if any(c.strip() for c in row)]  # fmt: skip


def _key(header: str, columns: Columns) -> str:
    text = header.strip()
    return next((k for k, names in columns.items() if text in names or text.lower() in names), "")


def _keyed(row: dict[str, Any], columns: Columns) -> dict[str, str]:
    out = {}
    for name, value in row.items():
        key = _key(str(name), columns)
        if key and value is not None:
            out[key] = str(value).strip()
    return out


@dataclass
class _Checked:
    row: int
    number: str
    fields: dict[str, Any]
    facts: dict[str, tuple[str, str]]  # kind -> (value, precision)
    successor: str | None


def _check_row(n: int, cells: dict[str, str], report: ImportReport) -> _Checked | None:
    def bad(column: str, message: str) -> None:
        report.errors.append(RowError(n, column, message))

    number = None
    try:
        number = normalized_number(cells.get("corporate_number"))
    except ValidationError as error:
        bad("corporate_number", error.message_dict["corporate_number"][0])
    else:
        if number is None:
            bad("corporate_number", _("A registry row needs its corporate number."))
    if not cells.get("name_ja"):
        bad("name_ja", _("Give the company's name."))
    status = cells.get("status") or CompanyStatus.ACTIVE
    if status not in CompanyStatus.values:
        bad("status", _("Write the status as active, closed or merged."))
    closed_on = None
    if cells.get("closed_on"):
        try:
            closed_on = date.fromisoformat(cells["closed_on"])
        except ValueError:
            bad("closed_on", _("Enter the date as YYYY-MM-DD."))
    successor = None
    if cells.get("successor"):
        try:
            successor = normalized_number(cells["successor"])
        except ValidationError as error:
            bad("successor", error.message_dict["corporate_number"][0])
    facts: dict[str, tuple[str, str]] = {}
    for kind in FACTS:
        if cells.get(kind):
            try:
                facts[kind] = normalized_value(kind, cells[kind])
            except ValidationError as error:
                bad(kind, error.message_dict["value"][0])
    if any(e.row == n for e in report.errors) or number is None:
        return None
    fields: dict[str, Any] = {
        k: cells.get(k, "") for k in ("name_ja", "name_kana", "name_en", "prefecture", "city",
                                      "street")
    }  # fmt: skip
    fields |= {"status": status, "closed_on": closed_on}
    return _Checked(n, number, fields, facts, successor)


def import_snapshot(content: bytes, name: str, *, actor: Any, as_of: date,
                    snapshot: str = "") -> ImportReport:  # fmt: skip
    """Import every company of the snapshot, or nothing (``ImportRefused``)."""
    if not actor.has_perm("ecosystem.record_registry_fact"):
        raise PermissionDenied
    report = ImportReport()
    rows = read_rows(content, name)
    if len(rows) > MAX_ROWS:
        raise ValidationError({"file": [_("Import at most %(n)d rows at a time.") % {
            "n": MAX_ROWS}]})  # fmt: skip
    checked = [c for n, cells in rows if (c := _check_row(n, cells, report))]
    seen: dict[str, int] = {}
    for c in checked:
        if c.number in seen:
            report.errors.append(RowError(c.row, "corporate_number", _(
                "The corporate number is on row %(row)d as well."
            ) % {"row": seen[c.number]}))  # fmt: skip
        seen.setdefault(c.number, c.row)
    known = set(Company.objects.filter(corporate_number__in=seen).values_list(
        "corporate_number", flat=True))  # fmt: skip
    successors = {c.successor for c in checked if c.successor}
    existing = set(Company.objects.filter(corporate_number__in=successors).values_list(
        "corporate_number", flat=True))  # fmt: skip
    for c in checked:
        if c.successor and c.successor not in existing and c.successor not in seen:
            report.errors.append(RowError(c.row, "successor", _(
                "No company has the successor's corporate number."
            )))  # fmt: skip
    if report.errors:
        raise ImportRefused(report)
    source_ref = snapshot.strip()[:200] or name[:200]
    with transaction.atomic():
        companies = {}
        for c in checked:
            companies[c.number] = upsert_company(actor=actor, corporate_number=c.number,
                                                 **c.fields)  # fmt: skip
            report.updated += c.number in known
            report.created += c.number not in known
        for c in checked:
            company = companies[c.number]
            if c.successor:
                successor = companies.get(c.successor) or Company.objects.get(
                    corporate_number=c.successor
                )
                if company.successor_id != successor.pk:
                    upsert_company(actor=actor, corporate_number=c.number, successor=successor)
            for kind, (value, precision) in c.facts.items():
                record_fact(company, actor=actor, kind=kind, value=value, as_of=as_of,
                            source=FactSource.PUBLIC_REGISTRY, source_ref=source_ref,
                            precision=precision, reassess_after=False)  # fmt: skip
                report.facts += 1
        for company in companies.values():
            reassess(company, actor=actor)
    return report
