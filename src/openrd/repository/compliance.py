"""The immediate-OA mandate applied to the outputs on record: the facts of each
output gathered in a fixed number of queries, judged by the pure rules
(``rules.is_oa_mandated``, ``rules.assess_compliance``) and rolled up per award,
institution, program or agency.

Only the latest version of each work counts (a new version in progress does
not count twice); withdrawn records are out of the count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.db.models import Exists, OuterRef, QuerySet

from openrd.core.fiscal import to_tokyo
from openrd.core.i18n import localized
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
    MandateFacts,
    assess_compliance,
    is_oa_mandated,
    summarise,
)

GroupBy = Literal["award", "institution", "program", "agency"]
GROUPINGS: tuple[GroupBy, ...] = ("award", "institution", "program", "agency")


def counted_outputs() -> QuerySet[Output]:
    """The outputs the mandate is judged on: each work's latest version, not withdrawn."""
    open_fulltext = OutputFile.objects.filter(
        output=OuterRef("pk"),
        access=FileAccess.OPEN,
        text_version__in=[TextVersion.AM, TextVersion.VOR],
    )
    return (
        Output.objects.filter(is_latest=True)
        .exclude(status=DepositStatus.WITHDRAWN)
        .select_related("award__call", "program", "institution", "funder", "supports")
        .annotate(has_open_fulltext=Exists(open_fulltext))
    )


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


def compliance_of(output: Output, *, today: date) -> Compliance:
    """``output`` as loaded by ``counted_outputs`` (or any row: the open full text
    is then asked for)."""
    has_open = getattr(output, "has_open_fulltext", None)
    if has_open is None:
        has_open = output.files.filter(
            access=FileAccess.OPEN, text_version__in=[TextVersion.AM, TextVersion.VOR]
        ).exists()
    facts = ComplianceFacts(
        mandate=is_oa_mandated(mandate_facts(output)),
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
    return assess_compliance(facts, today=today)


@dataclass(frozen=True)
class Assessed:
    output: Output
    compliance: Compliance


def assess(rows: QuerySet[Output], *, today: date) -> list[Assessed]:
    return [Assessed(o, compliance_of(o, today=today)) for o in rows]


def assess_scope(scope: QuerySet[Output], *, today: date) -> list[Assessed]:
    """The counted outputs among ``scope`` (an audience of ``queries.compliance_scope``)."""
    return assess(counted_outputs().filter(pk__in=scope.values("pk")), today=today)


@dataclass(frozen=True)
class Group:
    key: int
    label: str
    code: str
    summary: ComplianceSummary


def _group_key(output: Output, by: GroupBy) -> tuple[int, str, str]:
    if by == "award":
        award = output.award
        return award.pk, localized(award.title_ja, award.title_en), award.grant_number
    if by == "institution":
        org = output.institution
        return org.pk, localized(org.name_ja, org.name_en), org.code
    if by == "program":
        program = output.program
        return program.pk, localized(program.name_ja, program.name_en), program.code
    funder = output.funder
    if funder is None:
        return 0, "—", ""
    return funder.pk, localized(funder.name_ja, funder.name_en), funder.code


def roll_up(assessed: Iterable[Assessed], by: GroupBy) -> list[Group]:
    """The counts per group, largest number of mandated outputs first."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    statuses: dict[tuple[int, str, str], list[ComplianceStatus]] = defaultdict(list)
    for item in assessed:
        statuses[_group_key(item.output, by)].append(item.compliance.status)
    groups = [
        Group(key=k[0], label=k[1], code=k[2], summary=summarise(v)) for k, v in statuses.items()
    ]
    return sorted(groups, key=lambda g: (-g.summary.mandated, g.label))


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
