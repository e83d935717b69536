"""The sanctions engine's table and its proposal of an application restriction (応募制限).

The offence tables are data (``integrity/data/sanctions.toml``), versioned per funder,
each row citing its clause. Given the offence, the person's role and, where the table
distinguishes it, the severity, :func:`propose_restriction` finds the row and proposes
the period: the years the officer asked for where they lie in the allowed range, else
the least the row allows (the officer raises it within the range, with reasons). The
restriction runs from the fiscal year after the decision (翌年度から), for whole fiscal
years. Pure: no database; the authorised officer's decision is the service's.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason
from openrd.core.fiscal import fiscal_year_of
from openrd.core.i18n import localized

TABLE_FILE = Path(__file__).resolve().parents[1] / "data" / "sanctions.toml"
COMMON_FUNDER = "all"


@dataclass(frozen=True)
class OffenceRow:
    code: str
    offence: str
    role: str
    severity: str
    min_years: int
    max_years: int
    label_ja: str
    label_en: str
    clause_ja: str
    applies_from_fiscal_year: int | None = None

    @property
    def label(self) -> str:
        return localized(self.label_ja, self.label_en)


@dataclass(frozen=True)
class OffenceTable:
    funder: str
    version: str
    title_ja: str
    title_en: str
    rows: tuple[OffenceRow, ...]

    def cite(self, row: OffenceRow) -> str:
        return f"{self.title_ja}: {row.clause_ja}"


def parse_tables(data: dict[str, object]) -> tuple[OffenceTable, ...]:
    """The tables of a parsed TOML document; a malformed row is an error, not skipped."""
    tables = []
    for t in data.get("table", []):  # type: ignore[attr-defined]
        rows = tuple(OffenceRow(**row) for row in t["rows"])
        for row in rows:
            if not 0 <= row.min_years <= row.max_years:
                raise ValueError(f"{row.code}: the range {row.min_years}–{row.max_years} is wrong")
        keys = [(r.offence, r.role, r.severity) for r in rows]
        if len(set(keys)) != len(keys) or len({r.code for r in rows}) != len(rows):
            raise ValueError(f"table {t['funder']} {t['version']}: a row is given twice")
        tables.append(
            OffenceTable(t["funder"], str(t["version"]), t["title_ja"], t["title_en"], rows)
        )
    return tuple(tables)


@cache
def offence_tables() -> tuple[OffenceTable, ...]:
    return parse_tables(tomllib.loads(TABLE_FILE.read_text(encoding="utf-8")))


def table_for(
    funder: str = COMMON_FUNDER,
    *,
    on: date | None = None,
    tables: tuple[OffenceTable, ...] | None = None,
) -> OffenceTable:
    """The funder's own table if it has one in force, else the common one; the newest
    version in force on ``on`` (versions are ISO dates)."""
    in_force = [
        t
        for t in (tables or offence_tables())
        if t.funder in (funder, COMMON_FUNDER) and (on is None or t.version <= on.isoformat())
    ]
    if not in_force:
        raise LookupError(f"no sanctions table for {funder!r} on {on}")
    own = [t for t in in_force if t.funder == funder]
    return max(own or in_force, key=lambda t: t.version)


@dataclass(frozen=True)
class RestrictionProposal:
    """The engine's answer. ``decision`` refuses with the reasons where no restriction
    can be proposed as asked; otherwise the period runs from ``first_fiscal_year``
    to ``last_fiscal_year`` (both None for a strict warning without restriction)."""

    decision: Decision
    min_years: int | None = None
    max_years: int | None = None
    years: int | None = None
    first_fiscal_year: int | None = None
    last_fiscal_year: int | None = None
    row: OffenceRow | None = None
    source: str = ""

    @property
    def allowed(self) -> bool:
        return self.decision.allowed

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.decision.reasons


def propose_restriction(
    offence: str,
    *,
    role: str,
    severity: str = "",
    decided_on: date,
    years: int | None = None,
    funder: str = COMMON_FUNDER,
    call_fiscal_year: int | None = None,
    table: OffenceTable | None = None,
) -> RestrictionProposal:
    """The restriction the table allows for ``offence`` by a person in ``role``.

    ``years``: what the officer proposes; refused with the range where it lies
    outside it. ``call_fiscal_year``: the fiscal year of the call the offence
    concerns, for rows that apply only from a fiscal year's calls on.
    """
    table = table or table_for(funder, on=decided_on)
    matches = [
        r for r in table.rows if (r.offence, r.role, r.severity) == (offence, role, severity)
    ]
    if not matches:
        known = sorted({r.severity for r in table.rows if (r.offence, r.role) == (offence, role)})
        message = (
            _("Choose the severity: the table sets the period by it.")
            if known and severity not in known
            else _("The table has no restriction for this offence and role.")
        )
        return RestrictionProposal(
            Decision.of(Reason("sanctions.no_row", message, table.title_ja)),
            source=table.title_ja,
        )
    row = matches[0]
    source = table.cite(row)
    reasons: list[Reason] = []
    if (
        row.applies_from_fiscal_year is not None
        and call_fiscal_year is not None
        and call_fiscal_year < row.applies_from_fiscal_year
    ):
        reasons.append(
            Reason(
                "sanctions.not_yet_in_force",
                _("This restriction applies to calls from FY%(year)d on.")
                % {"year": row.applies_from_fiscal_year},
                source,
            )
        )
    chosen = row.min_years if years is None else years
    if not row.min_years <= chosen <= row.max_years:
        reasons.append(
            Reason(
                "sanctions.years_out_of_range",
                _("The period must be from %(min)d to %(max)d years.")
                % {"min": row.min_years, "max": row.max_years},
                source,
            )
        )
    if reasons:
        return RestrictionProposal(
            Decision(tuple(reasons)), row.min_years, row.max_years, row=row, source=source
        )
    # A strict warning (0 years) restricts no fiscal year.
    first = fiscal_year_of(decided_on) + 1 if chosen else None
    return RestrictionProposal(
        Decision(),
        row.min_years,
        row.max_years,
        years=chosen,
        first_fiscal_year=first,
        last_fiscal_year=first + chosen - 1 if first is not None else None,
        row=row,
        source=source,
    )
