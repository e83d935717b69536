"""A disclosure as typed entries: funding, positions, their stored form and the pledge."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

# The e-Rad disclosure and the pledge both rest on this revision of the guideline.
GUIDELINE_SOURCE = "競争的研究費の適正な執行に関する指針（2021年12月17日改正）"
POLICY_SOURCE = (
    "研究活動の国際化、オープン化に伴う新たなリスクに対する研究インテグリティの確保に係る"
    "対応方針について（2021年4月27日）"
)
# Stored with each pledge, so a later change of wording never rewrites what was pledged.
PLEDGE_TEXT_VERSION = "2021-12-17"

FUNDING_STATUSES = ("current", "pending")
POSITION_KINDS = ("primary", "concurrent", "visiting", "advisory")


def pledge_text() -> str:
    """The pledge the person ticks, in the active language."""
    return _(
        "I pledge that I have properly reported the above information on my research "
        "funding, positions and other matters to my institution."
    )


@dataclass(frozen=True)
class Funding:
    """Research funding received or applied for, on this platform or outside it, in Japan
    or abroad. Under a non-disclosure agreement (``nda``) only the effort is given."""

    key: str
    status: str = "current"
    program: str = ""
    title: str = ""
    funder: str = ""
    country: str = "JP"
    start: date | None = None
    end: date | None = None
    amount_yen: int | None = None
    effort_percent: int = 0
    nda: bool = False
    on_platform: bool = False


@dataclass(frozen=True)
class Position:
    """A position held: the main one and every concurrent, visiting or advisory one,
    paid or unpaid, in Japan or abroad."""

    key: str
    organisation: str = ""
    country: str = "JP"
    title: str = ""
    kind: str = "primary"
    paid: bool = True
    start: date | None = None
    end: date | None = None


FUNDING_FIELDS = tuple(f.name for f in fields(Funding))
POSITION_FIELDS = tuple(f.name for f in fields(Position))
_DATE_FIELDS = {"start", "end"}


def _entry_to_json(entry: Funding | Position) -> dict[str, Any]:
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in asdict(entry).items()
    }


def _entry_from_json[E: (Funding, Position)](cls: type[E], data: dict[str, Any]) -> E:
    values: dict[str, Any] = {
        name: date.fromisoformat(value) if name in _DATE_FIELDS and value else value
        for name, value in data.items()
    }
    return cls(**values)


@dataclass(frozen=True)
class Disclosure:
    fundings: tuple[Funding, ...] = ()
    positions: tuple[Position, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Disclosure:
        """Read what :meth:`to_json` stored (already validated, so no checks here)."""
        return cls(
            fundings=tuple(_entry_from_json(Funding, f) for f in data.get("fundings", ())),
            positions=tuple(_entry_from_json(Position, p) for p in data.get("positions", ())),
        )

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "fundings": [_entry_to_json(f) for f in self.fundings],
            "positions": [_entry_to_json(p) for p in self.positions],
        }
