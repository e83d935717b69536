"""SBIR-like award data from public records (a ministry's list of selected firms,
the SBIR site), CSV or JSON, all or nothing.

One award a row: the company's corporate number and name, the ministry (its
code or Japanese name), the fiscal year, the phase (1, 2, 3, or written
フェーズ2 / Phase 2), the title and the amount. Every row is checked first and
the errors reported by row and column; when any row is bad nothing is imported.
A company not yet on record is created from the row; importing the same file
again updates the amounts and duplicates nothing (a record is its company,
ministry, year, phase and title). The report counts the companies created
(``created``), the records added (``facts``) and those updated (``updated``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, OrganisationKind
from openrd.ecosystem.imports import MAX_ROWS, ImportRefused, ImportReport, RowError, read_rows
from openrd.ecosystem.models import Company, SbirAwardRecord
from openrd.ecosystem.services import normalized_number, upsert_company

COLUMNS = {
    "corporate_number": {"corporate_number", "法人番号"},
    "name_ja": {"name_ja", "company", "企業名", "事業者名", "名称"},
    "ministry": {"ministry", "府省", "府省庁", "所管府省"},
    "fiscal_year": {"fiscal_year", "年度", "採択年度"},
    "phase": {"phase", "フェーズ"},
    "title_ja": {"title_ja", "title", "課題名", "研究開発課題名", "テーマ名"},
    "amount_yen": {"amount_yen", "amount", "交付額", "交付決定額", "金額"},
}
PHASE = re.compile(r"^(?:フェーズ|phase|ph)?\s*([123])$", re.IGNORECASE)


@dataclass
class _Checked:
    row: int
    number: str
    name_ja: str
    ministry: Organisation
    fiscal_year: int
    phase: int
    title_ja: str
    amount_yen: int | None


def _ministries() -> dict[str, Organisation]:
    found = Organisation.objects.filter(kind=OrganisationKind.MINISTRY)
    return {key: m for m in found for key in (m.code, m.name_ja) if key}


def _check_row(n: int, cells: dict[str, str], ministries: dict[str, Organisation],
               report: ImportReport, today: date) -> _Checked | None:  # fmt: skip
    def bad(column: str, message: str) -> None:
        report.errors.append(RowError(n, column, message))

    number = None
    try:
        number = normalized_number(cells.get("corporate_number"))
    except ValidationError as error:
        bad("corporate_number", error.message_dict["corporate_number"][0])
    else:
        if number is None:
            bad("corporate_number", _("A row needs the company's corporate number."))
    ministry = ministries.get(cells.get("ministry", "").strip())
    if ministry is None:
        bad("ministry", _("Name a ministry by its code or its Japanese name."))
    year_text = unicodedata.normalize("NFKC", cells.get("fiscal_year", "")).removesuffix("年度")
    fiscal_year = int(year_text) if year_text.isdigit() else None
    if fiscal_year is None or not 1999 <= fiscal_year <= today.year + 1:
        bad("fiscal_year", _("Enter the fiscal year as four digits."))
    match = PHASE.match(unicodedata.normalize("NFKC", cells.get("phase", "")).strip())
    if match is None:
        bad("phase", _("Write the phase as 1, 2 or 3."))
    title = cells.get("title_ja", "").strip()
    if not title or len(title) > 300:
        bad("title_ja", _("Give the title, at most 300 characters."))
    amount = None
    raw = unicodedata.normalize("NFKC", cells.get("amount_yen", "")).replace(",", "").strip()
    if raw:
        if not raw.isdigit():
            bad("amount_yen", _("Enter the amount in whole yen, 0 or more."))
        else:
            amount = int(raw)
    if any(e.row == n for e in report.errors):
        return None
    assert number is not None
    assert ministry is not None
    assert fiscal_year is not None
    assert match is not None
    return _Checked(n, number, cells.get("name_ja", "").strip(), ministry, fiscal_year,
                    int(match.group(1)), title, amount)  # fmt: skip


def import_sbir_records(content: bytes, name: str, *, actor: Any, today: date,
                        source: str = "") -> ImportReport:  # fmt: skip
    """Import every row, or nothing (``ImportRefused``)."""
    if not actor.has_perm("ecosystem.record_registry_fact"):
        raise PermissionDenied
    report = ImportReport()
    rows = read_rows(content, name, COLUMNS)
    if len(rows) > MAX_ROWS:
        raise ValidationError({"file": [_("Import at most %(n)d rows at a time.") % {
            "n": MAX_ROWS}]})  # fmt: skip
    ministries = _ministries()
    checked = [c for n, cells in rows if (c := _check_row(n, cells, ministries, report, today))]
    known = {c.corporate_number: c for c in Company.objects.filter(
        corporate_number__in={c.number for c in checked})}  # fmt: skip
    for c in checked:
        if c.number not in known and not c.name_ja:
            report.errors.append(RowError(c.row, "name_ja", _(
                "A company not yet on record needs its name."
            )))  # fmt: skip
    if report.errors:
        raise ImportRefused(report)
    source_ref = source.strip()[:200] or name[:200]
    with transaction.atomic():
        for c in checked:
            company = known.get(c.number)
            if company is None:
                company = upsert_company(actor=actor, corporate_number=c.number, name_ja=c.name_ja)
                known[c.number] = company
                report.created += 1
            _record, created = SbirAwardRecord.objects.update_or_create(
                company=company, ministry=c.ministry, fiscal_year=c.fiscal_year, phase=c.phase,
                title_ja=c.title_ja,
                defaults={"amount_yen": c.amount_yen, "source_ref": source_ref},
            )  # fmt: skip
            report.facts += created
            report.updated += not created
    return report


def phase_reached_elsewhere(company_ids: list[int]) -> dict[int, int]:
    """The highest phase on public record per company."""
    reached: dict[int, int] = {}
    rows = SbirAwardRecord.objects.filter(Q(company_id__in=company_ids)).values_list(
        "company_id", "phase"
    )
    for company, phase in rows:
        reached[company] = max(reached.get(company, 0), phase)
    return reached
