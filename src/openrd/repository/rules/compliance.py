"""Is a mandated output open, excused, still within its time, or late?

One status per output, with a reason that cites the clause behind it, and a
summary of many statuses for the per-award, institution, program and agency
roll-ups.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason
from openrd.core.fiscal import format_wareki_date
from openrd.core.i18n import current_lang
from openrd.repository.rules.mandate import Mandate
from openrd.repository.rules.policy import oa_policy

# The values of openrd.repository.models.DepositStatus and AccessRights, repeated
# because rules import no models; the tests keep them in step with the brief's list.
DRAFT, SUBMITTED, CURATED, PUBLISHED, WITHDRAWN = (
    "draft", "submitted", "curated", "published", "withdrawn",
)  # fmt: skip
DEPOSIT_STATUSES = frozenset({DRAFT, SUBMITTED, CURATED, PUBLISHED, WITHDRAWN})
OPEN, EMBARGOED, RESTRICTED, METADATA_ONLY = "open", "embargoed", "restricted", "metadata_only"
ACCESS_RIGHTS = frozenset({OPEN, EMBARGOED, RESTRICTED, METADATA_ONLY})


class ComplianceStatus(StrEnum):
    COMPLIANT = "compliant"
    PENDING = "pending"
    EXCEPTION = "exception"
    NON_COMPLIANT = "non_compliant"
    NOT_MANDATED = "not_mandated"


@dataclass(frozen=True)
class ComplianceFacts:
    mandate: Mandate
    published_on: date | None  # the journal's publication date (None: not yet published)
    accepted_on: date | None
    deposit_status: str | None  # None: nothing deposited
    access_rights: str | None
    opened_on: date | None  # when the full text became open here
    has_open_fulltext: bool  # an open file of version AM or VoR
    exception_reason: str  # "" or a code of the policy's list
    exception_reported_on: date | None
    gold_oa: bool = False  # VoR open at the publisher (APC paid)


@dataclass(frozen=True)
class Compliance:
    status: ComplianceStatus
    due_on: date | None
    reason: Reason  # always present; cites the clause behind the status

    @property
    def decision(self) -> Decision:
        """Allowed unless late: the one status that asks someone to act on a fault."""
        if self.status is ComplianceStatus.NON_COMPLIANT:
            return Decision((self.reason,))
        return Decision()


def due_date(published_on: date | None, accepted_on: date | None) -> date | None:
    """The last day the output may still be closed: the journal's publication date
    plus the grace days; None while the journal has not published it."""
    if published_on is not None and accepted_on is not None and accepted_on > published_on:
        # Swapped dates would move the due day; the caller must fix the record.
        raise ValueError("an article cannot be published before it is accepted")
    if published_on is None:
        return None
    return published_on + timedelta(days=oa_policy().deposit_grace_days)


def _date(d: date) -> str:
    return format_wareki_date(d, current_lang())


def _check(facts: ComplianceFacts) -> None:
    if facts.deposit_status is not None and facts.deposit_status not in DEPOSIT_STATUSES:
        raise ValueError(f"unknown deposit status: {facts.deposit_status!r}")
    if facts.access_rights is not None and facts.access_rights not in ACCESS_RIGHTS:
        raise ValueError(f"unknown access rights: {facts.access_rights!r}")
    if facts.exception_reason:
        oa_policy().exception_reason(facts.exception_reason)  # raises ValueError if unknown


def is_open(facts: ComplianceFacts) -> bool:
    """Open here: a published record, open access, and an open AM or VoR file."""
    return (
        facts.deposit_status == PUBLISHED
        and facts.access_rights == OPEN
        and facts.has_open_fulltext
    )


def _compliant(facts: ComplianceFacts, due_on: date | None) -> Compliance:
    policy = oa_policy()
    status = ComplianceStatus.COMPLIANT
    if is_open(facts):
        source = policy.cite("green_oa_accepted_manuscript")
        if facts.opened_on is None:
            message = _("The full text is open in the repository.")
        elif due_on is not None and facts.opened_on > due_on:
            message = _(
                "The full text is open in the repository since %(opened)s, later than the "
                "due date %(due)s."
            ) % {"opened": _date(facts.opened_on), "due": _date(due_on)}
        else:
            message = _("The full text is open in the repository since %(opened)s.") % {
                "opened": _date(facts.opened_on)
            }
        return Compliance(status, due_on, Reason("oa.open", message, source))
    return Compliance(
        status,
        due_on,
        Reason(
            "oa.gold_oa",
            _("The version of record is open at the publisher (gold OA)."),
            policy.cite("gold_oa_apc_support"),
        ),
    )


def _exception(facts: ComplianceFacts, due_on: date | None) -> Compliance:
    label = oa_policy().exception_reason(facts.exception_reason).label
    if facts.exception_reported_on is not None:
        message = _(
            "Immediate open access is not possible (%(reason)s), reported on %(reported)s. "
            "This carries no penalty; open the output once the obstacle is gone."
        ) % {"reason": label, "reported": _date(facts.exception_reported_on)}
    else:
        message = _(
            "Immediate open access is not possible (%(reason)s). This carries no penalty; "
            "open the output once the obstacle is gone."
        ) % {"reason": label}
    return Compliance(
        ComplianceStatus.EXCEPTION,
        due_on,
        Reason("oa.exception_reported", message, oa_policy().cite("exception_report")),
    )


def _what_is_missing(facts: ComplianceFacts) -> tuple[str, str]:
    """(code suffix, words) naming why the output is not open here."""
    status, access = facts.deposit_status, facts.access_rights
    if status is None:
        return "not_deposited", _("nothing has been deposited")
    if status == WITHDRAWN:
        return "withdrawn", _("the deposit was withdrawn")
    if status != PUBLISHED:
        return "not_published", _("the deposit is not yet published in the repository")
    if access == EMBARGOED:
        return "embargoed", _("the full text is under embargo")
    if access == RESTRICTED:
        return "restricted", _("access to the full text is restricted")
    if access == METADATA_ONLY:
        return "metadata_only", _("only the metadata is open")
    return "no_open_fulltext", _(
        "no accepted manuscript or version of record is open among its files"
    )


def _pending(facts: ComplianceFacts, due_on: date | None) -> Compliance:
    policy = oa_policy()
    if due_on is None:
        message = _(
            "Not yet published by the journal: open the accepted manuscript here within "
            "%(days)d days of publication."
        ) % {"days": policy.deposit_grace_days}
        source = policy.cite("green_oa_accepted_manuscript")
    else:
        message = _("Open the accepted manuscript here by %(due)s.") % {"due": _date(due_on)}
        source = policy.cite_grace_days()
    return Compliance(ComplianceStatus.PENDING, due_on, Reason("oa.pending", message, source))


def _late(facts: ComplianceFacts, due_on: date) -> Compliance:
    policy = oa_policy()
    suffix, missing = _what_is_missing(facts)
    message = _("Not open since the due date %(due)s: %(missing)s.") % {
        "due": _date(due_on),
        "missing": missing,
    }
    closed_here = suffix in {"embargoed", "restricted", "metadata_only"}
    source = policy.cite("no_embargo" if closed_here else "green_oa_accepted_manuscript")
    return Compliance(
        ComplianceStatus.NON_COMPLIANT, due_on, Reason(f"oa.late.{suffix}", message, source)
    )


def status_of(facts: ComplianceFacts, *, today: date) -> tuple[ComplianceStatus, date | None]:
    """The status and due date alone, without the explanation: the decision
    ``assess_compliance`` explains, for counting many outputs quickly."""
    _check(facts)
    if not facts.mandate.mandated:
        return ComplianceStatus.NOT_MANDATED, None
    due_on = due_date(facts.published_on, facts.accepted_on)
    if is_open(facts) or facts.gold_oa:
        return ComplianceStatus.COMPLIANT, due_on
    if facts.exception_reason:
        return ComplianceStatus.EXCEPTION, due_on
    # The due day itself is still in time; the day after is late.
    if due_on is None or today <= due_on:
        return ComplianceStatus.PENDING, due_on
    return ComplianceStatus.NON_COMPLIANT, due_on


def assess_compliance(facts: ComplianceFacts, *, today: date) -> Compliance:
    """The output's status on ``today`` (a Tokyo calendar day), explained."""
    status, due_on = status_of(facts, today=today)
    if status is ComplianceStatus.NOT_MANDATED:
        why = facts.mandate.reasons[0] if facts.mandate.reasons else None
        return Compliance(
            status,
            None,
            Reason(
                "oa.not_mandated",
                _("Not under the immediate open-access mandate: %(why)s")
                % {"why": why.message if why else ""},
                why.source if why else oa_policy().cite("covered_outputs"),
            ),
        )
    if status is ComplianceStatus.COMPLIANT:
        return _compliant(facts, due_on)
    if status is ComplianceStatus.EXCEPTION:
        return _exception(facts, due_on)
    if status is ComplianceStatus.PENDING:
        return _pending(facts, due_on)
    assert due_on is not None  # late only after a due date
    return _late(facts, due_on)


@dataclass(frozen=True)
class ComplianceSummary:
    counts: Mapping[ComplianceStatus, int]  # every status, zero included

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def mandated(self) -> int:
        """The denominator of the share: every output except those not mandated."""
        return self.total - self.counts[ComplianceStatus.NOT_MANDATED]

    @property
    def compliant(self) -> int:
        return self.counts[ComplianceStatus.COMPLIANT]

    @property
    def exceptions(self) -> int:
        # Reported apart: an exception is not open, but it is not a fault either.
        return self.counts[ComplianceStatus.EXCEPTION]

    @property
    def non_compliant(self) -> int:
        return self.counts[ComplianceStatus.NON_COMPLIANT]

    @property
    def pending(self) -> int:
        return self.counts[ComplianceStatus.PENDING]

    @property
    def compliant_share(self) -> Fraction | None:
        """Compliant outputs over mandated ones; None when nothing is mandated."""
        if not self.mandated:
            return None
        return Fraction(self.compliant, self.mandated)

    def __add__(self, other: ComplianceSummary) -> ComplianceSummary:
        if not isinstance(other, ComplianceSummary):
            return NotImplemented
        return ComplianceSummary({s: self.counts[s] + other.counts[s] for s in ComplianceStatus})


def summarise(statuses: Iterable[ComplianceStatus | str]) -> ComplianceSummary:
    """Counts per status of many outputs (strings as stored are accepted)."""
    counted = Counter(ComplianceStatus(s) for s in statuses)
    return ComplianceSummary({s: counted[s] for s in ComplianceStatus})
