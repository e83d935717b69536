"""The immediate-OA mandate applied to the outputs on record: the facts of each
output gathered in a fixed number of queries and judged by the pure rules
(``rules.is_oa_mandated``, ``rules.assess_compliance``). The verdicts are kept
beside the outputs and rolled up per award, institution, program or agency by
``compliance_store``.

Only the latest version of each work counts (a new version in progress does
not count twice); withdrawn records are out of the count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.db.models import Exists, OuterRef, QuerySet

from openrd.core.fiscal import to_tokyo
from openrd.repository.models import (
    AccessRights,
    DepositStatus,
    FileAccess,
    Output,
    OutputFile,
    OutputKind,
    TextVersion,
)
from openrd.repository.rules import (
    Compliance,
    ComplianceFacts,
    ComplianceStatus,
    ComplianceSummary,
    Mandate,
    MandateFacts,
    assess_compliance,
    is_oa_mandated,
    summarise,
)

GroupBy = Literal["award", "institution", "program", "agency"]
GROUPINGS: tuple[GroupBy, ...] = ("award", "institution", "program", "agency")


def counted(rows: QuerySet[Output] | None = None) -> QuerySet[Output]:
    """The outputs (of ``rows``) the mandate is judged on: each work's latest
    version, not withdrawn."""
    rows = Output.objects.all() if rows is None else rows
    return rows.filter(is_latest=True).exclude(status=DepositStatus.WITHDRAWN)


# What the rules read of an output and the rows around it, without their wide
# text columns (``with_facts(..., lean=True)``).
FACT_FIELDS = (
    "award_id", "program_id", "kind", "peer_reviewed", "published_on", "accepted_on", "status",
    "access_rights", "opened_at", "oa_exception", "oa_exception_reported_on", "gold_oa",
    "supports_id", "created_at", "award__starts_on", "award__call_id", "award__call__opens_at",
    "program__code", "program__rules", "supports__kind",
)  # fmt: skip


def with_facts(rows: QuerySet[Output], *, lean: bool = False) -> QuerySet[Output]:
    """``rows`` loaded with everything ``compliance_of`` reads, in one query;
    ``lean``: only that (for judging many), else whole with the names shown."""
    open_fulltext = OutputFile.objects.filter(
        output=OuterRef("pk"),
        access=FileAccess.OPEN,
        text_version__in=[TextVersion.AM, TextVersion.VOR],
    )
    if lean:
        rows = rows.select_related("award__call", "program", "supports").only(*FACT_FIELDS)
    else:
        rows = rows.select_related("award__call", "program", "institution", "funder", "supports")
    return rows.annotate(has_open_fulltext=Exists(open_fulltext))


def counted_outputs() -> QuerySet[Output]:
    return with_facts(counted())


def mandate_facts(output: Output) -> MandateFacts:
    award = output.award
    supports = output.supports
    return MandateFacts(
        call_opened_at=award.call.opens_at if award.call_id and award.call else None,
        award_starts_on=award.starts_on,
        program_code=output.program.code,
        program_rules=output.program.rules or {},
        output_kind=output.kind,
        peer_reviewed=output.peer_reviewed,
        supports_article=supports is not None and supports.kind == OutputKind.ARTICLE,
    )


def compliance_facts(output: Output, mandate: Mandate | None = None) -> ComplianceFacts:
    """What the rules read of ``output`` as loaded by ``with_facts`` (or any row:
    the open full text is then asked for); ``mandate`` when already decided."""
    has_open = getattr(output, "has_open_fulltext", None)
    if has_open is None:
        has_open = output.files.filter(
            access=FileAccess.OPEN, text_version__in=[TextVersion.AM, TextVersion.VOR]
        ).exists()
    return ComplianceFacts(
        mandate=mandate if mandate is not None else is_oa_mandated(mandate_facts(output)),
        published_on=output.published_on,
        accepted_on=output.accepted_on,
        deposit_status=output.status,
        access_rights=output.access_rights,
        opened_on=to_tokyo(output.opened_at).date() if output.opened_at else None,
        has_open_fulltext=bool(has_open) and output.access_rights == AccessRights.OPEN,
        exception_reason=output.oa_exception,
        exception_reported_on=output.oa_exception_reported_on,
        gold_oa=output.gold_oa,
    )


def compliance_of(output: Output, *, today: date) -> Compliance:
    """The output's status on ``today``, explained (see ``compliance_facts``)."""
    return assess_compliance(compliance_facts(output), today=today)


@dataclass(frozen=True)
class Assessed:
    output: Output
    compliance: Compliance


def assess(rows: QuerySet[Output], *, today: date) -> list[Assessed]:
    return [Assessed(o, compliance_of(o, today=today)) for o in rows]


@dataclass(frozen=True)
class Group:
    key: int
    label: str
    code: str
    summary: ComplianceSummary


def total(groups: Iterable[Group]) -> ComplianceSummary:
    result = summarise([])
    for group in groups:
        result = result + group.summary
    return result


def summary_row(summary: ComplianceSummary) -> dict[str, Any]:
    share = summary.compliant_share
    return {
        "total": summary.total,
        "mandated": summary.mandated,
        "compliant": summary.compliant,
        "pending": summary.pending,
        "exception": summary.exceptions,
        "non_compliant": summary.non_compliant,
        "not_mandated": summary.counts[ComplianceStatus.NOT_MANDATED],
        "compliant_share": None if share is None else round(float(share), 4),
    }
