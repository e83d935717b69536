"""What a call's form may offer and what may still change once a call is open.

Pure: the program's rules and plain values in, choices, field errors or a
``Decision`` out. The form offers only values at least as strict as the
program's; :func:`check_eligibility_choices` refuses anything looser with a
message on the field that has to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from openrd.accounts.models import OrganisationKind
from openrd.core.decisions import Decision, Reason
from openrd.core.fiscal import format_tokyo_datetime
from openrd.core.i18n import current_lang
from openrd.programs.models import CallStatus
from openrd.programs.rules.program import CallTermsSource, ProgramRules

# Requirements a call may switch on (never off once the program sets them).
REQUIREMENT_KEYS = (
    "sme_required",
    "matching_funds_required",
    "stage_gates",
    "exit_strategy_required",
)
LIMIT_KEYS = ("max_duration_years", "max_years_since_founding")


@dataclass(frozen=True)
class EligibilityOptions:
    """The values a call's form may offer under one program's rules."""

    org_kinds: tuple[str, ...]  # the organisation kinds a call may choose among
    phases: tuple[str, ...]  # empty: the program has no phases to choose
    limits: dict[str, int | None]  # the program's limit per key (None: no limit)
    fixed_requirements: frozenset[str]  # already required by the program
    # The program's founding limit admits exceptions; a call may close that room.
    may_remove_exceptions: bool


def eligibility_options(rules: ProgramRules) -> EligibilityOptions:
    return EligibilityOptions(
        org_kinds=rules.eligible_org_kinds or tuple(OrganisationKind.values),
        phases=rules.phases,
        limits={key: getattr(rules, key) for key in LIMIT_KEYS},
        fixed_requirements=frozenset(k for k in REQUIREMENT_KEYS if getattr(rules, k)),
        may_remove_exceptions=rules.founding_limit_in_principle,
    )


def check_eligibility_choices(rules: ProgramRules, chosen: Mapping[str, Any]) -> dict[str, str]:
    """Field errors for choices that would loosen the program's rules (empty: all fine).

    ``chosen`` holds the form's values by rule key: lists for the kinds and
    phases, whole numbers or None for the limits, booleans for the rest.
    """
    options = eligibility_options(rules)
    errors: dict[str, str] = {}
    for key, allowed in (("eligible_org_kinds", options.org_kinds), ("phases", options.phases)):
        if key not in chosen:
            continue
        values = list(chosen[key] or ())
        if allowed and not values:
            errors[key] = _("Choose at least one.")
        elif any(v not in allowed for v in values):
            errors[key] = _("A call can only choose among the program's values.")
    for key in LIMIT_KEYS:
        value, limit = chosen.get(key), options.limits[key]
        if value is None:
            continue
        if value < 1:
            errors[key] = _("Enter a whole number of at least 1.")
        elif limit is not None and value > limit:
            errors[key] = _(
                "A call can only lower this limit; the program allows at most %(limit)d."
            ) % {"limit": limit}
    for key in options.fixed_requirements:
        if key in chosen and chosen[key] is False:
            errors[key] = _("The program requires this; a call cannot lift it.")
    if chosen.get("founding_limit_in_principle") is True and not options.may_remove_exceptions:
        errors["founding_limit_in_principle"] = _(
            "The program admits no exceptions to its founding limit; a call cannot add them."
        )
    return errors


def eligibility_from_choices(rules: ProgramRules, chosen: Mapping[str, Any]) -> dict[str, Any]:
    """The call's ``eligibility``: only what narrows the program, so the call
    keeps following the program's own rules (and their citations) elsewhere."""
    options = eligibility_options(rules)
    out: dict[str, Any] = {}
    for key, allowed in (("eligible_org_kinds", options.org_kinds), ("phases", options.phases)):
        values = [v for v in allowed if v in (chosen.get(key) or ())]
        if values and len(values) < len(allowed):
            out[key] = values
    for key in LIMIT_KEYS:
        value = chosen.get(key)
        if value is not None and value != options.limits[key]:
            out[key] = value
    for key in REQUIREMENT_KEYS:
        if chosen.get(key) and key not in options.fixed_requirements:
            out[key] = True
    if options.may_remove_exceptions and chosen.get("founding_limit_in_principle") is False:
        out["founding_limit_in_principle"] = False
    return out


def choices_from_eligibility(rules: ProgramRules, eligibility: Mapping[str, Any]) -> dict[str, Any]:
    """The form's initial values for a stored ``eligibility`` (the inverse of
    :func:`eligibility_from_choices`)."""
    options = eligibility_options(rules)
    return {
        "eligible_org_kinds": list(eligibility.get("eligible_org_kinds", options.org_kinds)),
        "phases": list(eligibility.get("phases", options.phases)),
        **{key: eligibility.get(key, options.limits[key]) for key in LIMIT_KEYS},
        **{
            key: bool(eligibility.get(key, key in options.fixed_requirements))
            for key in REQUIREMENT_KEYS
        },
        "founding_limit_in_principle": bool(
            eligibility.get("founding_limit_in_principle", options.may_remove_exceptions)
        ),
    }


# Once a call is open applicants rely on its terms: the only change left is
# more time. A closed call has had proposals judged against it and never changes.
FIELDS_CHANGEABLE_WHEN_OPEN = frozenset({"closes_at"})


def check_call_change(
    status: str,
    changed: Mapping[str, object],
    *,
    closes_at: datetime,
    now: datetime,
    call_code: str = "",
) -> Decision:
    """Whether a call in ``status`` may take the ``changed`` values (by field name).

    A draft may change anything. An open call may only have its closing time
    extended (later than now and than the current one, never earlier). A
    closed call may not change.
    """
    source = CallTermsSource(call_code).cite()
    if status == CallStatus.DRAFT:
        return Decision()
    if status != CallStatus.OPEN:
        return Decision.of(
            Reason("call.not_editable", _("A closed call cannot be changed."), source)
        )
    reasons: list[Reason | None] = []
    others = sorted(set(changed) - FIELDS_CHANGEABLE_WHEN_OPEN)
    if others:
        reasons.append(
            Reason(
                "call.open_terms_fixed",
                _("Once a call is open only its closing time may be extended."),
                source,
            )
        )
    new_close = changed.get("closes_at")
    if isinstance(new_close, datetime):
        if new_close < closes_at:
            reasons.append(
                Reason(
                    "call.closing_time_shortened",
                    _(
                        "The closing time of an open call may be extended, not brought "
                        "forward (now %(when)s)."
                    )
                    % {"when": format_tokyo_datetime(closes_at, current_lang())},
                    source,
                )
            )
        elif new_close <= now:
            reasons.append(
                Reason(
                    "call.closing_time_in_past",
                    _("The new closing time must be in the future."),
                    source,
                )
            )
    return Decision.of(*reasons)
