"""The deposit form's hint: may the accepted manuscript be opened immediately?

Read from the journal's self-archiving policy as curators recorded it. When the
output is mandated and the answer is not "yes", the hint says what the
researcher can do instead: report why immediate open access is impossible (no
penalty), or publish gold OA with APC support.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openrd.core.i18n import current_lang
from openrd.repository.rules.policy import oa_policy


class HintKind(StrEnum):
    IMMEDIATE = "immediate"
    EMBARGO = "embargo"
    NOT_ALLOWED = "not_allowed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PublisherPolicyFacts:
    """One journal's self-archiving policy as recorded by curators."""

    am_allowed: bool  # the accepted manuscript may be deposited at all
    am_embargo_months: int = 0  # months after publication before it may be open
    licence: str = ""  # the licence the publisher requires on the open manuscript


@dataclass(frozen=True)
class Hint:
    kind: HintKind
    message: str
    suggested_exception: str = ""  # a code of the policy's exception reasons, or ""


def _sentences(*parts: str) -> str:
    # Japanese runs sentences together after 。; English separates them with a space.
    return (" " if current_lang() == "en" else "").join(parts)


def _alternatives() -> str:
    return _(
        "If you cannot open it immediately, report the reason (this carries no penalty), "
        "or publish it as gold OA with APC support."
    )


def _suggest(code: str) -> str:
    # Fails loudly if the policy file ever drops the reason the hint names.
    return oa_policy().exception_reason(code).code


def publisher_policy_hint(policy: PublisherPolicyFacts | None, *, mandated: bool) -> Hint:
    """What the journal's policy allows, and for a mandated output what to do if not now."""
    if policy is None:
        message = _("No self-archiving policy is recorded for this journal.")
        if not mandated:
            return Hint(HintKind.UNKNOWN, message)
        return Hint(
            HintKind.UNKNOWN,
            _sentences(message, _("Check the publisher’s policy."), _alternatives()),
            _suggest("unclear_policy"),
        )
    if policy.am_embargo_months < 0:
        raise ValueError("an embargo cannot last a negative number of months")
    if not policy.am_allowed:
        message = _("The publisher does not allow the accepted manuscript to be deposited.")
        if not mandated:
            return Hint(HintKind.NOT_ALLOWED, message)
        return Hint(
            HintKind.NOT_ALLOWED,
            _sentences(message, _alternatives()),
            _suggest("publisher_embargo"),
        )
    if policy.am_embargo_months:
        months = policy.am_embargo_months
        message = ngettext(
            "The publisher allows the accepted manuscript to be opened %(months)d month "
            "after publication.",
            "The publisher allows the accepted manuscript to be opened %(months)d months "
            "after publication.",
            months,
        ) % {"months": months}
        if not mandated:
            return Hint(HintKind.EMBARGO, message)
        return Hint(
            HintKind.EMBARGO, _sentences(message, _alternatives()), _suggest("publisher_embargo")
        )
    if policy.licence:
        message = _(
            "The accepted manuscript may be opened immediately under the licence %(licence)s."
        ) % {"licence": policy.licence}
    else:
        message = _("The accepted manuscript may be opened immediately.")
    return Hint(HintKind.IMMEDIATE, message)
