"""What a check of one proposal finds, as plain values (the services write the flags).

The evidence goes to the staff of the proposal's agency; the matched record may
belong to another agency, so it is described by what an integrity office needs
(kind, title, call, program, agency, score and the matched passages), and its
applicant is named only when that is the same agency.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from openrd.core.fiscal import fiscal_year_bounds
from openrd.integrity.models import (
    EffortCommitment,
    FlagKind,
    ScreenedKind,
    ScreeningDocument,
    ScreeningThreshold,
)
from openrd.integrity.queries import latest_disclosure
from openrd.integrity.rules.screening import (
    DEFAULT_DUPLICATE_SIMILARITY,
    Concentration,
    FundingLine,
    Limits,
    breakdown,
    check_concentration,
    is_near_duplicate,
    is_same_theme,
)
from openrd.integrity.screening import corpus
from openrd.integrity.screening.engine import side_by_side

CANDIDATES = 50


@dataclass(frozen=True)
class Finding:
    kind: str
    matched_key: str
    score: float | None
    evidence: dict[str, Any]


def limits_for(agency_id: int | None) -> Limits:
    row = ScreeningThreshold.objects.filter(agency_id=agency_id).first()
    if row is None:
        return Limits(duplicate_similarity=DEFAULT_DUPLICATE_SIMILARITY)
    return Limits(
        max_yen_per_fiscal_year=row.max_yen_per_fiscal_year,
        max_effort_percent=row.max_effort_percent,
        duplicate_similarity=row.duplicate_cosine,
    )


def find_for(doc: ScreeningDocument, limits: Limits | None = None) -> list[Finding]:
    limits = limits or limits_for(doc.agency_id)
    return [*_text_findings(doc, limits), *_concentration_findings(doc, limits)]


def _text_findings(doc: ScreeningDocument, limits: Limits) -> list[Finding]:
    index = corpus.index()
    # Near-duplicates from the whole platform through the index; the same theme only
    # counts for the same researcher, so their own few records are scored directly.
    scores = {
        m.key: m.score
        for m in index.query(
            doc.text,
            threshold=limits.duplicate_similarity,
            limit=CANDIDATES,
            exclude=(doc.source_key,),
        )
    }
    if doc.person_id is not None:
        own = (
            ScreeningDocument.objects.filter(person_id=doc.person_id, active=True)
            .exclude(source_key__in=[doc.source_key, *scores])
            .values_list("source_key", "text")
        )
        unscored = dict(own[:CANDIDATES])
        scores.update(
            zip(unscored, index.similarities(doc.text, list(unscored.values())), strict=True)
        )
    others = {
        other.source_key: other
        for other in ScreeningDocument.objects.filter(
            source_key__in=list(scores), active=True
        ).select_related("agency", "person")
    }
    found: list[Finding] = []
    for key, raw in sorted(scores.items(), key=lambda item: (-item[1], item[0])):
        other = others.get(key)
        if other is None:
            # Retired in a transaction the index has not seen yet.
            corpus.forget(key)
            continue
        score = round(raw, 4)
        kinds = []
        if is_near_duplicate(score, limits):
            kinds.append(FlagKind.NEAR_DUPLICATE)
        if is_same_theme(score, same_person=other.person_id == doc.person_id):
            kinds.append(FlagKind.SAME_THEME)
        if not kinds:
            continue
        evidence = {
            "score": score,
            "threshold": limits.duplicate_similarity,
            "matched": describe(other, viewer_agency_id=doc.agency_id),
            "passages": [asdict(p) for p in side_by_side(doc.text, other.text)],
        }
        found += [Finding(kind, other.source_key, score, evidence) for kind in kinds]
    return found


def describe(other: ScreeningDocument, *, viewer_agency_id: int | None) -> dict[str, Any]:
    same_agency = other.agency_id is not None and other.agency_id == viewer_agency_id
    return {
        "key": other.source_key,
        "kind": other.kind,
        "title": other.title,
        "call_code": other.call_code,
        "program_code": other.program_code,
        "agency": other.agency.name if other.agency else "",
        "same_agency": same_agency,
        "person": other.person.display_name if same_agency else "",
    }


def _concentration_findings(doc: ScreeningDocument, limits: Limits) -> list[Finding]:
    if limits.max_yen_per_fiscal_year is None and limits.max_effort_percent is None:
        return []
    facts = concentration_facts(doc)
    decision = check_concentration(facts, limits)
    if decision.allowed:
        return []
    evidence = {
        "reasons": decision.codes(),
        "limits": {
            "max_yen_per_fiscal_year": limits.max_yen_per_fiscal_year,
            "max_effort_percent": limits.max_effort_percent,
        },
        **breakdown(facts),
    }
    return [Finding(FlagKind.OVER_CONCENTRATION, "", None, evidence)]


def concentration_facts(doc: ScreeningDocument) -> Concentration:
    """The person's active commitments on the platform, this proposal, and the current
    outside funding of their latest disclosure (its amount taken as yearly)."""
    lines: list[FundingLine] = []
    adding = FundingLine(doc.title, "this", {int(y): 0 for y in doc.fiscal_years}, effort_percent=0)
    for row in EffortCommitment.objects.filter(person_id=doc.person_id, active=True):
        amounts = {int(y): int(v or 0) for y, v in (row.amount_by_year or {}).items()}
        label = row.title_ja or row.title_en or row.source_key
        if row.source_key == doc.source_key:
            adding = FundingLine(label, "this", amounts, row.effort_percent)
        else:
            lines.append(FundingLine(label, str(row.source), amounts, row.effort_percent))
    years = sorted(adding.amount_by_year)
    latest = latest_disclosure(doc.person_id)
    for funding in latest.content.fundings if latest else ():
        if funding.status != "current" or funding.on_platform:
            continue
        amounts = {
            year: funding.amount_yen or 0
            for year in years
            if _runs_in(funding.start, funding.end, year)
        }
        label = funding.title or funding.program or funding.funder
        lines.append(FundingLine(label, "outside", amounts, funding.effort_percent))
    return Concentration(tuple(lines), adding)


def _runs_in(start: date | None, end: date | None, year: int) -> bool:
    first, last = fiscal_year_bounds(year)
    return (start is None or start <= last) and (end is None or end >= first)


def is_screenable(doc: ScreeningDocument) -> bool:
    return doc.kind == ScreenedKind.PROPOSAL and doc.active and doc.agency_id is not None
