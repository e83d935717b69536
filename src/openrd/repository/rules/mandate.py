"""Is an output under the immediate-open-access mandate?

The mandate covers peer-reviewed articles, and the back data of such an
article, from awards of calls newly opened from FY2025 under a program whose
main outputs are papers. Every answer carries its reasons, each citing the
clause behind it, whether the answer is yes or no.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from openrd.core.decisions import Reason
from openrd.core.fiscal import fiscal_year_of, format_fiscal_year, to_tokyo
from openrd.core.i18n import current_lang
from openrd.repository.rules.policy import oa_policy, program_override

# The values of openrd.repository.models.OutputKind, repeated here because rules
# import no models; tests/test_mandate_rules.py keeps the two in step.
ARTICLE = "article"
DATASET = "dataset"
OTHER = "other"
OUTPUT_KINDS = frozenset({ARTICLE, DATASET, OTHER})


@dataclass(frozen=True)
class MandateFacts:
    # Aware; when the award's call opened. The mandate keys on the call ("新規公募分").
    call_opened_at: datetime | None
    # Stands in when the award has no call (recorded directly): the start is the one
    # date such an award has, and an award that starts in a fiscal year cannot have been
    # called for later. Ignored when the call is known.
    award_starts_on: date | None
    program_code: str
    program_rules: Mapping[str, Any] = field(hash=False)  # may hold oa_mandate
    output_kind: str  # "article" | "dataset" | "other"
    peer_reviewed: bool
    supports_article: bool = False  # a dataset that is the back data of a mandated article


@dataclass(frozen=True)
class Mandate:
    mandated: bool
    reasons: tuple[Reason, ...]  # why (or why not), each citing its clause

    def __bool__(self) -> bool:
        # Like Decision: a truth test would hide which of mandated/not mandated is meant.
        raise TypeError("use Mandate.mandated instead of truth-testing a Mandate")

    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]


def opening_fiscal_year(facts: MandateFacts) -> int:
    """The fiscal year the award's call opened in, on the Tokyo calendar."""
    if facts.call_opened_at is not None:
        return fiscal_year_of(to_tokyo(facts.call_opened_at).date())
    if facts.award_starts_on is not None:
        return fiscal_year_of(facts.award_starts_on)
    raise ValueError("the mandate needs the call's opening time or the award's start date")


def _timing_reason(facts: MandateFacts) -> Reason | None:
    policy = oa_policy()
    year = opening_fiscal_year(facts)
    if year >= policy.first_fiscal_year:
        return None
    lang = current_lang()
    if facts.call_opened_at is not None:
        message = _(
            "The award's call opened in %(year)s; the mandate covers calls newly opened "
            "from %(first)s."
        )
    else:
        message = _(
            "The award has no call and started in %(year)s; the mandate covers calls newly "
            "opened from %(first)s."
        )
    return Reason(
        "oa.call_before_fy2025",
        message
        % {
            "year": format_fiscal_year(year, lang),
            "first": format_fiscal_year(policy.first_fiscal_year, lang),
        },
        policy.cite("new_calls_from_fy2025"),
    )


def _program_reason(facts: MandateFacts) -> Reason | None:
    policy = oa_policy()
    override = program_override(facts.program_rules)
    if override is True or (
        override is None and facts.program_code in policy.covered_program_codes
    ):
        return None
    if override is False:
        return Reason(
            "oa.program_not_covered",
            _("The program's operating settings exclude it from the open-access mandate."),
            _("Operating setting of this program in OpenRD: oa_mandate = false"),
        )
    return Reason(
        "oa.program_not_covered",
        _("The program is not among the competitive research funds whose main outputs are papers."),
        policy.cite("covered_programs"),
    )


def _output_reason(facts: MandateFacts) -> Reason | None:
    source = oa_policy().cite("covered_outputs")
    if facts.output_kind == ARTICLE:
        if facts.peer_reviewed:
            return None
        return Reason(
            "oa.not_peer_reviewed",
            _("The mandate covers peer-reviewed articles; this article is not peer reviewed."),
            source,
        )
    if facts.output_kind == DATASET:
        if facts.supports_article:
            return None
        return Reason(
            "oa.dataset_not_back_data",
            _("The mandate covers a dataset only as the back data of a mandated article."),
            source,
        )
    return Reason(
        "oa.output_kind_not_covered",
        _("The mandate covers peer-reviewed articles and their back data, not other outputs."),
        source,
    )


def _mandated_reason(facts: MandateFacts) -> Reason:
    policy = oa_policy()
    first = format_fiscal_year(policy.first_fiscal_year, current_lang())
    if facts.output_kind == DATASET:
        message = _(
            "Immediate open access is required: this dataset is the back data of a "
            "peer-reviewed article from a call opened in %(first)s or later under a covered "
            "program."
        )
    else:
        message = _(
            "Immediate open access is required: a peer-reviewed article from a call opened "
            "in %(first)s or later under a covered program; deposit the accepted manuscript."
        )
    sources = [
        policy.cite("new_calls_from_fy2025"),
        policy.cite("green_oa_accepted_manuscript"),
        policy.cite("covered_programs"),
    ]
    if program_override(facts.program_rules) is True:
        sources[2] = _("Operating setting of this program in OpenRD: oa_mandate = true")
    return Reason("oa.mandated", message % {"first": first}, "／".join(sources))


def is_oa_mandated(facts: MandateFacts) -> Mandate:
    """Whether the output must be open immediately, with every reason that applies."""
    if facts.output_kind not in OUTPUT_KINDS:
        raise ValueError(f"unknown output kind: {facts.output_kind!r}")
    against = tuple(
        reason
        for reason in (_timing_reason(facts), _program_reason(facts), _output_reason(facts))
        if reason is not None
    )
    if against:
        return Mandate(False, against)
    return Mandate(True, (_mandated_reason(facts),))
