"""The rules of calls for proposals: how a call narrows its program's rules,
its window to the second and the life of a call (draft, open, closed)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from openrd.accounts.models import OrganisationKind
from openrd.core.decisions import Decision, Reason
from openrd.core.fiscal import format_tokyo_datetime
from openrd.core.i18n import current_lang
from openrd.programs.models import CallPhase, CallStatus
from openrd.programs.rules.program import RULE_KEYS, CallTermsSource, ProgramRules

# Every program rule except the citations can be set by a call.
CALL_RULE_KEYS = RULE_KEYS - {"sources"}


class TighteningError(ValueError):
    """A call's eligibility that would loosen the program's rules; ``key`` names the rule."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def _lower_limit(key: str, current: int | None, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TighteningError(key, _("%(key)s: enter a whole number of at least 1.") % {"key": key})
    if current is not None and value > current:
        raise TighteningError(
            key,
            _("%(key)s: a call can only lower this limit; the program allows at most %(limit)d.")
            % {"key": key, "limit": current},
        )
    return value


def _stricter_flag(key: str, current: bool, value: object, *, strict: bool) -> bool:
    """``strict`` is the value that makes the rule stricter (True for a requirement)."""
    if not isinstance(value, bool):
        raise TighteningError(key, _("%(key)s: enter true or false.") % {"key": key})
    if value != strict and current == strict:
        raise TighteningError(
            key, _("%(key)s: a call can only make the program's rules stricter.") % {"key": key}
        )
    return value


def _subset(
    key: str, current: tuple[str, ...], value: object, *, known: frozenset[str] | None
) -> tuple[str, ...]:
    """A non-empty choice among the program's values; when the program lists none,
    among ``known`` (``None``: the program must list them for a call to choose)."""
    if (
        not isinstance(value, list | tuple)
        or not value
        or not all(isinstance(v, str) for v in value)
        or len(set(value)) != len(value)
    ):
        # An empty list would read as "nobody" but mean "anyone" (no restriction).
        raise TighteningError(
            key, _("%(key)s: enter a non-empty list without repeats.") % {"key": key}
        )
    allowed = frozenset(current) if current else known
    outside = [v for v in value if allowed is None or v not in allowed]
    if outside:
        separator = ", " if current_lang() == "en" else "、"
        raise TighteningError(
            key,
            _("%(key)s: a call can only choose among the program's values (%(allowed)s).")
            % {"key": key, "allowed": separator.join(sorted(allowed or ())) or "—"},
        )
    return tuple(value)


_ORG_KINDS = frozenset(OrganisationKind.values)

_TIGHTENERS: dict[str, Callable[[ProgramRules, object], object]] = {
    "max_duration_years": lambda r, v: _lower_limit("max_duration_years", r.max_duration_years, v),
    "max_years_since_founding": lambda r, v: _lower_limit(
        "max_years_since_founding", r.max_years_since_founding, v
    ),
    "eligible_org_kinds": lambda r, v: _subset(
        "eligible_org_kinds", r.eligible_org_kinds, v, known=_ORG_KINDS
    ),
    "phases": lambda r, v: _subset("phases", r.phases, v, known=None),
    "sme_required": lambda r, v: _stricter_flag("sme_required", r.sme_required, v, strict=True),
    "matching_funds_required": lambda r, v: _stricter_flag(
        "matching_funds_required", r.matching_funds_required, v, strict=True
    ),
    "stage_gates": lambda r, v: _stricter_flag("stage_gates", r.stage_gates, v, strict=True),
    "exit_strategy_required": lambda r, v: _stricter_flag(
        "exit_strategy_required", r.exit_strategy_required, v, strict=True
    ),
    "requires_institution_checklist": lambda r, v: _stricter_flag(
        "requires_institution_checklist", r.requires_institution_checklist, v, strict=True
    ),
    # "In principle" leaves room for exceptions; a call may close that room, not open it.
    "founding_limit_in_principle": lambda r, v: _stricter_flag(
        "founding_limit_in_principle", r.founding_limit_in_principle, v, strict=False
    ),
}
assert set(_TIGHTENERS) == CALL_RULE_KEYS  # a new rule key must say how a call narrows it


def call_rules(
    program_rules: ProgramRules, tightening: Mapping[str, Any], *, call_code: str = ""
) -> ProgramRules:
    """The rules in force for one call: the program's, narrowed by the call.

    A call may only narrow: fewer organisation kinds, lower limits, requirements
    switched on. Anything else raises ``TighteningError`` (a ``ValueError``)
    naming the key. Each rule the call sets cites the call's own terms.
    """
    if not isinstance(tightening, Mapping):
        raise TighteningError("", _("The eligibility must be an object whose keys are rule names."))
    for key in sorted(tightening):
        if key not in CALL_RULE_KEYS:
            raise TighteningError(str(key), _("%(key)s: not a rule a call can set.") % {"key": key})
    changes = {key: _TIGHTENERS[key](program_rules, tightening[key]) for key in sorted(tightening)}
    terms = CallTermsSource(call_code)
    sources = dict(program_rules.sources) | dict.fromkeys(changes, terms)
    return replace(program_rules, **changes, sources=sources)  # type: ignore[arg-type]


def rules_as_dict(rules: ProgramRules) -> dict[str, object]:
    """Every rule as plain JSON values, for the API (citations are left out)."""
    out: dict[str, object] = {}
    for f in fields(rules):
        if f.name == "sources":
            continue
        value = getattr(rules, f.name)
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def _whole_second(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        # A naive moment compared with an aware deadline would move it by nine hours.
        raise ValueError("naive datetime has no time zone; make it aware first")
    return dt.replace(microsecond=0)


def check_call_window(
    opens_at: datetime, closes_at: datetime, now: datetime, *, call_code: str = ""
) -> Decision:
    """Whether the call takes proposals at ``now`` (reason "call.not_open" if not).

    Call guidelines state their times to the second, so ``now`` is cut to whole
    seconds and the window is inclusive at both ends: 12:00:00.999 on a
    12:00:00 deadline is still in time, 12:00:01 is not.
    """
    at = _whole_second(now)
    _whole_second(opens_at)
    _whole_second(closes_at)
    lang = current_lang()
    source = CallTermsSource(call_code).cite()
    if at < opens_at:
        return Decision.of(
            Reason(
                "call.not_open",
                _("This call opens on %(when)s.") % {"when": format_tokyo_datetime(opens_at, lang)},
                source,
            )
        )
    if at > closes_at:
        return Decision.of(
            Reason(
                "call.not_open",
                _("This call closed on %(when)s.")
                % {"when": format_tokyo_datetime(closes_at, lang)},
                source,
            )
        )
    return Decision()


def check_call_accepting(
    status: str, opens_at: datetime, closes_at: datetime, now: datetime, *, call_code: str = ""
) -> Decision:
    """Whether the call takes proposals at ``now``: published (open) and inside its window.

    The one answer for every step an applicant takes under a call (start a draft,
    save, attach, submit, withdraw), so no step is allowed a moment longer than
    another: all cut ``now`` to the second, as :func:`check_call_window` does.
    """
    if status != CallStatus.OPEN:
        return Decision.of(
            Reason(
                "call.not_open",
                _("This call is not accepting proposals."),
                CallTermsSource(call_code).cite(),
            )
        )
    return check_call_window(opens_at, closes_at, now, call_code=call_code)


def call_phase(status: str, opens_at: datetime, closes_at: datetime, now: datetime) -> str:
    """Draft, upcoming, open or closed at ``now``, by the same window as
    :func:`check_call_window`, so a badge never disagrees with the deadline check."""
    if status == CallStatus.DRAFT:
        return CallPhase.DRAFT
    if status == CallStatus.CLOSED:
        return CallPhase.CLOSED
    at = _whole_second(now)
    if at < opens_at:
        return CallPhase.UPCOMING
    if at > closes_at:
        return CallPhase.CLOSED
    return CallPhase.OPEN


# The life of a call: drafted, opened, closed. Nothing goes back: a closed call
# has had proposals judged against its terms, and an open one may have drafts in flight.
CALL_TRANSITIONS: dict[str, frozenset[str]] = {
    CallStatus.DRAFT: frozenset({CallStatus.OPEN}),
    CallStatus.OPEN: frozenset({CallStatus.CLOSED}),
    CallStatus.CLOSED: frozenset(),
}


def _status_label(status: str) -> str:
    label = str(CallStatus(status).label)
    return label.lower() if current_lang() == "en" else label


def _refused_transition(status: str, target: str) -> str:
    labels = {"status": _status_label(status), "target": _status_label(target)}
    if target == CallStatus.OPEN:
        return _("Only a draft call can be opened; this one is %(status)s.") % labels
    if target == CallStatus.CLOSED:
        return _("Only an open call can be closed; this one is %(status)s.") % labels
    return _("A call that is %(status)s cannot become %(target)s.") % labels


def _guard_open(closes_at: datetime, now: datetime, source: str) -> Reason | None:
    if _whole_second(now) >= closes_at:
        return Reason(
            "call.closing_time_passed",
            _("The closing time has passed; change the dates before opening the call."),
            source,
        )
    return None


def _guard_close(closes_at: datetime, now: datetime, source: str) -> Reason | None:
    # An agency may end an open call before its closing time (a withdrawn call),
    # so closing needs nothing beyond the call being open.
    return None


# One guard per target state, asked only once the transition table allows the move.
_CALL_GUARDS: dict[str, Callable[[datetime, datetime, str], Reason | None]] = {
    CallStatus.OPEN: _guard_open,
    CallStatus.CLOSED: _guard_close,
}


def check_call_transition(
    status: str, target: str, *, closes_at: datetime, now: datetime, call_code: str = ""
) -> Decision:
    """Whether a call in ``status`` may move to ``target`` at ``now``."""
    source = CallTermsSource(call_code).cite()
    if target not in CALL_TRANSITIONS.get(status, frozenset()):
        return Decision.of(
            Reason("call.transition_not_allowed", _refused_transition(status, target), source)
        )
    return Decision.of(_CALL_GUARDS[target](closes_at, now, source))


def check_call_editable(status: str, *, call_code: str = "") -> Decision:
    """Only a draft can change: once a call is open, applicants rely on its terms."""
    if status == CallStatus.DRAFT:
        return Decision()
    return Decision.of(
        Reason(
            "call.not_editable",
            _("Only a draft call can be changed; this one is %(status)s.")
            % {"status": _status_label(status)},
            CallTermsSource(call_code).cite(),
        )
    )
