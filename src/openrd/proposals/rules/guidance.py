"""What the editor tells the applicant while filling in a proposal, pure (no database):
which fields the rules require, which field a refusal is about, the budget against
the call's cap, the time left before the deadline and the characters left in a field.

The required fields are not listed here: they are the fields the content rules
(``check_content``) refuse on an empty proposal under the same call, so a marker
can never disagree with a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openrd.core.deadlines import TimeLeft, time_left
from openrd.core.decisions import Decision
from openrd.core.fiscal import format_tokyo_datetime
from openrd.programs.models import CallPhase
from openrd.programs.rules import call_phase
from openrd.proposals.rules.submission import SubmissionFacts, check_content

_MAN = 10**4
# The reason codes of the content rules and the editor fields they are about.
_TITLE_FIELDS = ("title_ja", "title_en")
_DOCUMENT_MISSING = "document.missing."


def reason_fields(code: str, budget_years: list[int]) -> tuple[str, ...]:
    """The editor fields a reason is about (form field names), empty if none."""
    if code == "proposal.title_missing":
        return _TITLE_FIELDS
    if code.startswith("budget."):
        return tuple(f"budget_{year}" for year in budget_years)
    if code == "effort.out_of_range":
        return ("effort_percent",)
    if code.startswith(_DOCUMENT_MISSING):
        return (f"file_{code.removeprefix(_DOCUMENT_MISSING)}",)
    if code.startswith("members."):
        return ("co_investigators",)  # the co-investigators section, not a field
    return ()


def reason_anchor(code: str, budget_years: list[int]) -> str:
    """The field a reason's link moves to (its first field), or "" for no field."""
    fields = reason_fields(code, budget_years)
    return fields[0] if fields else ""


@dataclass(frozen=True)
class Requirement:
    """One content rule that an empty proposal fails, and the fields that satisfy it.

    With several fields (the two titles, the budget years) any one of them will do.
    """

    code: str
    fields: tuple[str, ...]

    @property
    def any_of(self) -> bool:
        return len(self.fields) > 1


def content_requirements(
    facts: SubmissionFacts, budget_years: list[int]
) -> tuple[Requirement, ...]:
    """The requirements of this call: what its content rules refuse when nothing is filled in."""
    empty = replace(
        facts, budget=(), effort_percent=None, attached_documents=frozenset(), has_title=False
    )
    return tuple(
        Requirement(code, fields)
        for code in check_content(empty).codes()
        if (fields := reason_fields(code, budget_years))
    )


def refusal_links(decision: Decision, budget_years: list[int]) -> list[dict[str, str]]:
    """Each reason with the address of its field ("#id_<field>", "" when it has none)."""
    out = []
    for reason in decision.reasons:
        anchor = reason_anchor(reason.code, budget_years)
        out.append(reason.as_dict() | {"href": f"#id_{anchor}" if anchor else ""})
    return out


# --- money ---------------------------------------------------------------------


def man_yen(amount: int, lang: str) -> str:
    """An amount as budgets are read: "1,500万円", "1.25万円", "9,999円" (below 1万);
    exact, never rounded. English: "¥15,000,000". editor.js formats the same way."""
    if lang == "en":
        return f"¥{amount:,}"
    if amount < _MAN:
        return f"{amount:,}円"
    whole, rest = divmod(amount, _MAN)
    fraction = f".{rest:04d}".rstrip("0").rstrip(".")
    return f"{whole:,}{fraction}万円"


def remaining_text(amount: str) -> str:
    return _("%(amount)s left under the cap") % {"amount": amount}


def over_text(amount: str) -> str:
    return _("%(amount)s over the cap") % {"amount": amount}


def total_text(amount: str) -> str:
    return _("Total: %(amount)s") % {"amount": amount}


@dataclass(frozen=True)
class BudgetStanding:
    total: int
    cap: int
    total_text: str
    text: str

    @property
    def over(self) -> bool:
        return self.total > self.cap


def budget_standing(amounts: list[int], cap: int, lang: str) -> BudgetStanding:
    """The budget's total and how it stands against the call's cap, in words."""
    total = sum(amounts)
    if total > cap:
        text = over_text(man_yen(total - cap, lang))
    else:
        text = remaining_text(man_yen(cap - total, lang))
    return BudgetStanding(total, cap, total_text(man_yen(total, lang)), text)


# --- time ----------------------------------------------------------------------


def deadline_text(closes_at: datetime, lang: str) -> str:
    """The closing moment in Japan time, as every page writes a moment:
    "令和8年12月4日 12:00（日本時間）"; seconds only when not zero."""
    return format_tokyo_datetime(closes_at, lang)


def _time_left(left: TimeLeft) -> str:
    # Counted as the dashboard and the call lists count (core.deadlines).
    if left.days:
        return ngettext("%(n)d day", "%(n)d days", left.days) % {"n": left.days}
    if left.hours:
        return ngettext("%(n)d hour", "%(n)d hours", left.hours) % {"n": left.hours}
    return ngettext("%(n)d minute", "%(n)d minutes", left.minutes) % {"n": left.minutes}


@dataclass(frozen=True)
class Countdown:
    text: str
    urgent: bool
    closed: bool


def deadline_countdown(
    status: str, opens_at: datetime, closes_at: datetime, now: datetime, lang: str
) -> Countdown:
    """The time left before the call closes, urgent in its last 24 hours; closed is
    decided by the call's own window (``call_phase``), to the second."""
    deadline = deadline_text(closes_at, lang)
    if call_phase(status, opens_at, closes_at, now) == CallPhase.CLOSED:
        return Countdown(
            _("This call closed on %(deadline)s: proposals can no longer be saved or submitted.")
            % {"deadline": deadline},
            urgent=False,
            closed=True,
        )
    left = time_left(closes_at, now)
    return Countdown(
        _("%(left)s left until the deadline, %(deadline)s.")
        % {"left": _time_left(left), "deadline": deadline},
        urgent=left.under_a_day,
        closed=False,
    )


def size_text(size: int) -> str:
    """A size limit as people read it: "10 MB", or "512 KB" below a megabyte."""
    if size >= 2**20 and size % 2**20 == 0:
        return f"{size // 2**20} MB"
    if size >= 2**20:
        return f"{size / 2**20:.1f} MB"
    return f"{max(1, size // 2**10)} KB"


def upload_limits_text(size: int) -> str:
    return _("PDF only, up to %(size)s per file.") % {"size": size_text(size)}


# --- characters ----------------------------------------------------------------


def character_count(value: str) -> int:
    """Characters as the server counts them (code points; a line break is one)."""
    return len(value.replace("\r\n", "\n"))


def counter_text(count: int | str, limit: int | str) -> str:
    return _("%(count)s / %(limit)s characters") % {"count": count, "limit": limit}


def over_limit_text(count: int | str, limit: int | str, over: int | str) -> str:
    return _("%(count)s / %(limit)s characters (%(over)s too many)") % {
        "count": count,
        "limit": limit,
        "over": over,
    }


@dataclass(frozen=True)
class Counter:
    count: int
    limit: int
    text: str

    @property
    def over(self) -> bool:
        return self.count > self.limit


def character_counter(value: str, limit: int) -> Counter:
    """ "123 / 4000 characters", and how many too many when over the limit."""
    count = character_count(value)
    if count > limit:
        return Counter(count, limit, over_limit_text(count, limit, count - limit))
    return Counter(count, limit, counter_text(count, limit))
